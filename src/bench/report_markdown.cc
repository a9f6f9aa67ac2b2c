#include "bench/report_markdown.h"

#include <algorithm>

namespace rpslab::bench {

namespace {

// A '|' would end the cell, a newline the row.
std::string cell_text(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|') {
            out += "\\|";
        } else {
            out += (c == '\n' || c == '\r') ? ' ' : c;
        }
    }
    return out;
}

std::string italic(std::string_view text) {
    std::string out = "*";
    for (char c : cell_text(text)) {
        out += c == '*' ? std::string("\\*") : std::string(1, c);
    }
    return out + "*";
}

std::string code(std::string_view text) {
    std::string fence = text.find('`') == std::string_view::npos ? "`" : "`` ";
    std::string close = fence == "`" ? "`" : " ``";
    return fence + cell_text(text) + close;
}

std::string pad(const std::string& text, std::size_t width, bool right) {
    std::size_t used = display_width(text);
    std::string fill(width > used ? width - used : 0, ' ');
    return right ? fill + text : text + fill;
}

std::string table_text(const std::vector<std::string>& headers, const std::vector<bool>& numeric,
                       const std::vector<std::vector<std::string>>& lines,
                       const std::vector<std::size_t>& overflow_from) {
    std::vector<std::size_t> widths;
    for (std::size_t i = 0; i < headers.size(); ++i) {
        widths.push_back(std::max<std::size_t>(display_width(headers[i]), 3));
    }
    for (std::size_t l = 0; l < lines.size(); ++l) {
        for (std::size_t i = 0; i < lines[l].size() && i < overflow_from[l]; ++i) {
            widths[i] = std::max(widths[i], display_width(lines[l][i]));
        }
    }
    auto print = [&](const std::vector<std::string>& cells) {
        std::string out = "|";
        for (std::size_t i = 0; i < widths.size(); ++i) {
            out += " " + pad(i < cells.size() ? cells[i] : "", widths[i], numeric[i]) + " |";
        }
        return out + "\n";
    };
    std::string out = print(headers) + "|";
    for (std::size_t i = 0; i < widths.size(); ++i) {
        std::string dashes(widths[i] + 1, '-');
        out += (numeric[i] ? dashes + ":" : ":" + dashes) + "|";
    }
    out += "\n";
    for (const auto& cells : lines) {
        out += print(cells);
    }
    return out;
}

std::string sweep_text(const sweep_table& sweep) {
    std::vector<bool> numeric(sweep.headers.size(), true);
    numeric[0] = false;
    std::vector<std::vector<std::string>> lines;
    for (const auto& line : sweep.lines) {
        std::vector<std::string> cells;
        for (const sweep_cell& cell : line) {
            cells.push_back(cell.kind == line_kind::status ? italic(cell.text) : cell_text(cell.text));
        }
        lines.push_back(std::move(cells));
    }
    return table_text(sweep.headers, numeric, lines, std::vector<std::size_t>(lines.size(), sweep.headers.size()));
}

std::string group_title(const std::string& workload, const std::string& encoding) {
    return workload + ", " + encoding;
}

std::string header_text(const results& r) {
    std::string out = "# rpslab bench: " + json_text(r.plan, "name") + "\n\n";
    for (const auto& [label, value] : run_summary(r)) {
        out += "- **" + label + ":** " + (label == "Command" ? code(value) : cell_text(value)) + "\n";
    }
    return out + "\n";
}

std::string plots_text(const std::vector<named_svg>& plots, const std::string& experiment, const results_table& t) {
    std::string out;
    for (const named_svg& plot : plots) {
        if (plot.experiment == experiment && plot.workload == t.workload && plot.encoding == t.encoding) {
            out += "![" + cell_text(plot.title) + "](" + plot.file_name + ")\n\n";
        }
    }
    return out;
}

// The reasons the table shortened, whole, out of the way of the table's columns.
std::string ceilings_text(const results_table& table) {
    std::string out;
    for (const table_line& line : table.lines) {
        if (line.ceiling_reason != reason_summary(line.ceiling_reason)) {
            out += "- " + line.server + ", " + line.cells[2] + " connections, pipeline " + line.cells[3] + ": " +
                   line.ceiling_reason + "\n";
        }
    }
    return out.empty() ? "" : "<details><summary>Ceilings in full</summary>\n\n" + out + "\n</details>\n\n";
}

std::string load_commands_text(const std::vector<std::string>& commands) {
    if (commands.empty()) {
        return "";
    }
    std::string out = "<details><summary>Load commands</summary>\n\n```\n";
    for (const std::string& command : commands) {
        out += command + "\n";
    }
    return out + "```\n\n</details>\n\n";
}

std::string section_text(const experiment_section& section, const std::vector<named_svg>& plots) {
    std::string name = section.name.empty() ? "" : " (`" + section.name + "`)";
    std::string out = "## " + (section.title.empty() ? section.name : section.title + name);
    out += "\n\n";
    for (const results_table& table : section.tables) {
        out += "### " + group_title(table.workload, table.encoding) + "\n\n";
        for (const sweep_table& sweep : section.sweeps) {
            if (sweep.workload == table.workload && sweep.encoding == table.encoding) {
                out += "Req/s by " + section.x_axis + ", " + sweep.fixed + ":\n\n" + sweep_text(sweep) + "\n";
            }
        }
        out += markdown_table(table) + "\n" + ceilings_text(table) + plots_text(plots, section.name, table);
    }
    return out + load_commands_text(section.load_commands);
}

std::string fence_for(const std::string& text) {
    return text.find("```") == std::string::npos ? "```" : "~~~~";
}

std::string config_language(const std::string& server) {
    if (server.rfind("nginx", 0) == 0) {
        return "nginx";
    }
    return server.rfind("h2o", 0) == 0 ? "yaml" : "";
}

std::string servers_text(const results& r) {
    std::vector<std::vector<std::string>> lines;
    for (const server_info& s : r.servers) {
        std::string settings = s.missing.empty() ? s.settings : "missing: " + s.missing;
        lines.push_back(
            {cell_text(s.name), cell_text(s.version), cell_text(settings), s.command.empty() ? "" : code(s.command)});
    }
    std::string out = "## Servers\n\n";
    out += table_text({"Server", "Version", "Settings", "Command"}, {false, false, false, false}, lines,
                      std::vector<std::size_t>(lines.size(), 4));
    for (const server_info& s : r.servers) {
        if (!s.config.empty()) {
            std::string fence = fence_for(s.config);
            out += "\n<details><summary>" + s.name + " config</summary>\n\n" + fence + config_language(s.name) + "\n" +
                   s.config + (s.config.back() == '\n' ? "" : "\n") + fence + "\n\n</details>\n";
        }
    }
    return out + "\n";
}

std::string legend_text() {
    std::string out = "## How to read this\n\n";
    for (const auto& [term, text] : legend()) {
        out += "- **" + term + "**: " + text + "\n";
    }
    return out;
}

} // namespace

std::string markdown_table(const results_table& table) {
    std::vector<std::string> headers;
    std::vector<bool> numeric;
    for (column c : table.columns) {
        headers.emplace_back(column_title(c));
        numeric.push_back(column_is_numeric(c));
    }
    std::vector<std::vector<std::string>> lines;
    std::vector<std::size_t> overflow_from; // status text overflows its cell rather than widen the column
    for (const table_line& line : table.lines) {
        std::vector<std::string> cells;
        for (std::size_t i = 0; i < line.cells.size(); ++i) {
            bool status_cell = line.kind == line_kind::status && i == key_columns;
            std::string text = line.cells[i];
            if (table.columns[i] == column::ceiling && !line.ceiling_reason.empty()) {
                text += ": " + reason_summary(line.ceiling_reason);
            }
            cells.push_back(status_cell ? italic(line.status) : cell_text(text));
        }
        lines.push_back(std::move(cells));
        overflow_from.push_back(line.kind == line_kind::status ? key_columns : line.cells.size());
    }
    return table_text(headers, numeric, lines, overflow_from);
}

std::string render_markdown(const results& r, const std::vector<named_svg>& plots) {
    std::string out = header_text(r);
    for (const experiment_section& section : build_sections(r)) {
        out += section_text(section, plots);
    }
    return out + servers_text(r) + legend_text();
}

} // namespace rpslab::bench
