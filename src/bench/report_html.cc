#include "bench/report_html.h"

#include "bench/report_table.h"

namespace rpslab::bench {

namespace {

// Sticky headers live inside each table's own scroll box, so wide tables scroll sideways
// without losing them. Numbers use tabular figures so columns of digits line up.
constexpr const char* style_sheet = R"css(
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --faint: #eaeef2; --soft: #f6f8fa;
        --accent: #0969da; --warn-fg: #7d4e00; --warn-bg: #fff8c5; --warn-line: #d4a72c; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
       font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1480px; margin: 0 auto; padding: 28px 32px 64px; }
h1 { font-size: 26px; margin: 0 0 12px; }
h2 { font-size: 20px; margin: 40px 0 8px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h2 code { font-size: 14px; color: var(--muted); font-weight: normal; margin-left: 8px; }
h3 { font-size: 16px; margin: 28px 0 8px; }
h4 { font-size: 13px; margin: 14px 0 6px; color: var(--muted); font-weight: 600; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
      overflow: auto; margin: 6px 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 3px 18px; margin: 0 0 16px; }
dl.summary dt { color: var(--muted); font-weight: 600; }
dl.summary dd { margin: 0; }
nav { padding: 8px 12px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; }
nav a { margin-right: 16px; white-space: nowrap; }
.scroll { overflow: auto; max-height: 78vh; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0 14px; }
table { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
table.narrow { width: auto; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--faint); white-space: nowrap; text-align: left;
         vertical-align: top; }
thead th { position: sticky; top: 0; z-index: 1; background: var(--soft); border-bottom: 1px solid var(--line);
           font-weight: 600; white-space: normal; vertical-align: bottom; }
th.num, td.num { text-align: right; }
tbody tr:hover td { background: #f3f8ff; }
tbody tr.point-start td { border-top: 2px solid var(--line); }
tbody tr:first-child td { border-top: 0; }
td.text { white-space: normal; max-width: 24em; }
td.ceiling { min-width: 14em; }
td.notes { min-width: 16em; }
.why { font-size: 12px; color: var(--muted); }
details.why { margin: 0; }
details.why summary { color: var(--muted); }
td.rank-1 { font-weight: 700; }
tr.floor td { color: var(--muted); background: #fafbfc; }
tr.status td { color: var(--muted); }
td.status { font-style: italic; white-space: normal; }
tbody td.warn { background: var(--warn-bg); color: var(--warn-fg); }
.tag { display: inline-block; margin-left: 6px; padding: 0 7px; border-radius: 10px; font-size: 11px;
       line-height: 17px; border: 1px solid var(--line); color: var(--muted); background: #fff;
       font-style: normal; font-weight: normal; }
.tag.warn { border-color: var(--warn-line); background: var(--warn-bg); color: var(--warn-fg); }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(600px, 1fr)); gap: 12px; margin: 8px 0 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; }
details { margin: 6px 0 12px; }
summary { cursor: pointer; color: var(--accent); }
dl.legend dt { font-weight: 600; margin-top: 8px; }
dl.legend dd { margin: 0 0 0 0; color: var(--fg); max-width: 60em; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; }
)css";

std::string esc(std::string_view text) {
    return escape_xml(text);
}

std::string anchor(const std::string& experiment) {
    return "exp-" + file_name_part(experiment);
}

std::string td(const std::string& text, const std::string& classes = "", const std::string& extra = "") {
    std::string attributes = classes.empty() ? "" : " class=\"" + classes + "\"";
    return "<td" + attributes + extra + ">" + text + "</td>";
}

std::string head_text(const results& r) {
    std::string out =
        "<header>\n<h1>rpslab bench: " + esc(json_text(r.plan, "name")) + "</h1>\n<dl class=\"summary\">\n";
    for (const auto& [label, value] : run_summary(r)) {
        std::string shown = label == "Command" ? "<code>" + esc(value) + "</code>" : esc(value);
        out += "<dt>" + esc(label) + "</dt><dd>" + shown + "</dd>\n";
    }
    return out + "</dl>\n";
}

std::string nav_text(const std::vector<experiment_section>& sections) {
    std::string out = "<nav>";
    for (const experiment_section& s : sections) {
        out += "<a href=\"#" + anchor(s.name) + "\">" + esc(s.title.empty() ? s.name : s.title) + "</a>";
    }
    return out + "<a href=\"#servers\">Servers</a><a href=\"#legend\">How to read this</a></nav>\n</header>\n";
}

// Classes that say what a cell holds: numbers right-aligned, long text wrapping, warnings.
std::string cell_classes(column c, const table_line& line, const std::string& text) {
    std::string classes = column_is_numeric(c) ? "num" : "";
    if (c == column::ceiling || c == column::notes || c == column::errors) {
        classes = c == column::notes ? "text notes" : (c == column::ceiling ? "text ceiling" : "text");
    }
    if ((c == column::spread && line.noisy) || (c == column::notes && line.littles_off)) {
        classes += " warn";
    }
    if (c == column::rank && text == "1") {
        classes += " rank-1";
    }
    return classes;
}

// The reason's first clause shows; the rest (how the runner got there) opens on a click.
std::string why_html(const std::string& reason) {
    std::string summary = reason_summary(reason);
    if (summary == reason) {
        return "<div class=\"why\">" + esc(reason) + "</div>";
    }
    return "<details class=\"why\"><summary>" + esc(summary) + "</summary>" + esc(reason.substr(summary.size() + 1)) +
           "</details>";
}

std::string cell_html(column c, const table_line& line, std::size_t i) {
    std::string text = esc(line.cells[i]);
    if (c == column::server && line.kind == line_kind::floor) {
        text += "<span class=\"tag\">" + esc(line.floor_label) + "</span>";
    }
    if (c == column::server && line.noisy) {
        text += "<span class=\"tag warn\">noisy</span>";
    }
    if (c == column::ceiling && !line.ceiling_reason.empty()) {
        text += why_html(line.ceiling_reason);
    }
    return td(text, cell_classes(c, line, line.cells[i]));
}

std::string line_html(const results_table& table, const table_line& line) {
    const char* kind = line.kind == line_kind::ranked ? "ranked" : line.kind == line_kind::floor ? "floor" : "status";
    std::string classes = std::string(kind) + (line.first_of_point ? " point-start" : "");
    std::string title = line.load_command.empty() ? "" : " title=\"" + esc(line.load_command) + "\"";
    std::string out = "<tr class=\"" + classes + "\"" + title + ">";
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        if (line.kind == line_kind::status && i == key_columns) {
            std::string span = " colspan=\"" + std::to_string(table.columns.size() - key_columns) + "\"";
            out += td(esc(line.status), "status", span);
            break;
        }
        out += cell_html(table.columns[i], line, i);
    }
    return out + "</tr>\n";
}

std::string results_table_html(const results_table& table) {
    std::string out = "<div class=\"scroll\"><table>\n<thead><tr>";
    for (column c : table.columns) {
        out +=
            std::string("<th") + (column_is_numeric(c) ? " class=\"num\"" : "") + ">" + esc(column_title(c)) + "</th>";
    }
    out += "</tr></thead>\n<tbody>\n";
    for (const table_line& line : table.lines) {
        out += line_html(table, line);
    }
    return out + "</tbody></table></div>\n";
}

std::string sweep_html(const experiment_section& section, const sweep_table& sweep) {
    std::string out = "<h4>Req/s by " + esc(section.x_axis) + ", " + esc(sweep.fixed) + "</h4>\n";
    out += "<div class=\"scroll\"><table class=\"narrow\">\n<thead><tr>";
    for (std::size_t i = 0; i < sweep.headers.size(); ++i) {
        out += std::string("<th") + (i > 0 ? " class=\"num\"" : "") + ">" + esc(sweep.headers[i]) + "</th>";
    }
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& line : sweep.lines) {
        out += "<tr>";
        for (std::size_t i = 0; i < line.size(); ++i) {
            const sweep_cell& cell = line[i];
            std::string classes = i == 0 ? "" : "num";
            classes += cell.kind == line_kind::status ? " status" : "";
            std::string text = esc(cell.text);
            out += td(cell.kind == line_kind::floor ? "<span class=\"tag\">" + text + "</span>" : text, classes);
        }
        out += "</tr>\n";
    }
    return out + "</tbody></table></div>\n";
}

std::string figure_html(const named_svg& plot) {
    return "<figure>\n" + plot.svg + "<figcaption>" + esc(plot.file_name) + "</figcaption>\n</figure>\n";
}

std::string plots_html(const std::vector<named_svg>& plots, std::vector<bool>& placed, const std::string& experiment,
                       const std::string* workload, const std::string* encoding) {
    std::string out;
    for (std::size_t i = 0; i < plots.size(); ++i) {
        const named_svg& p = plots[i];
        bool here = !placed[i] && p.experiment == experiment && (workload == nullptr || p.workload == *workload) &&
                    (encoding == nullptr || p.encoding == *encoding);
        if (here) {
            out += figure_html(p);
            placed[i] = true;
        }
    }
    return out.empty() ? "" : "<div class=\"plots\">\n" + out + "</div>\n";
}

std::string load_commands_html(const std::vector<std::string>& commands) {
    if (commands.empty()) {
        return "";
    }
    std::string out = "<details><summary>Load commands</summary><pre>";
    for (const std::string& command : commands) {
        out += esc(command) + "\n";
    }
    return out + "</pre></details>\n";
}

std::string section_html(const experiment_section& s, const std::vector<named_svg>& plots, std::vector<bool>& placed) {
    std::string out = "<section id=\"" + anchor(s.name) + "\">\n<h2>" + esc(s.title.empty() ? s.name : s.title);
    out += s.title.empty() || s.name.empty() ? "</h2>\n" : "<code>" + esc(s.name) + "</code></h2>\n";
    for (const results_table& table : s.tables) {
        out += "<h3>" + esc(table.workload + ", " + table.encoding) + "</h3>\n";
        for (const sweep_table& sweep : s.sweeps) {
            if (sweep.workload == table.workload && sweep.encoding == table.encoding) {
                out += sweep_html(s, sweep);
            }
        }
        out += plots_html(plots, placed, s.name, &table.workload, &table.encoding);
        out += results_table_html(table);
    }
    out += plots_html(plots, placed, s.name, nullptr, nullptr);
    return out + load_commands_html(s.load_commands) + "</section>\n";
}

std::string server_row_html(const server_info& s) {
    std::string settings = s.missing.empty() ? esc(s.settings) : "<i>missing: " + esc(s.missing) + "</i>";
    std::string command = s.command.empty() ? "" : "<code>" + esc(s.command) + "</code>";
    std::string config;
    if (!s.config.empty()) {
        config = "<details><summary>config</summary><pre>" + esc(s.config) + "</pre></details>";
    }
    return "<tr" + std::string(s.missing.empty() ? "" : " class=\"status\"") + ">" + td(esc(s.name)) +
           td(esc(s.version)) + td(settings, "text") + td(command + config, "text") + "</tr>\n";
}

std::string servers_html(const results& r) {
    std::string out = "<section id=\"servers\">\n<h2>Servers</h2>\n<div class=\"scroll\"><table>\n<thead><tr>"
                      "<th>Server</th><th>Version</th><th>Settings</th><th>Command and config</th></tr></thead>\n"
                      "<tbody>\n";
    for (const server_info& s : r.servers) {
        out += server_row_html(s);
    }
    return out + "</tbody></table></div>\n</section>\n";
}

std::string legend_html() {
    std::string out = "<section id=\"legend\">\n<h2>How to read this</h2>\n<dl class=\"legend\">\n";
    for (const auto& [term, text] : legend()) {
        out += "<dt>" + esc(term) + "</dt><dd>" + esc(text) + "</dd>\n";
    }
    return out + "</dl>\n</section>\n";
}

} // namespace

std::string render_html(const results& r, const std::vector<named_svg>& plots) {
    std::vector<experiment_section> sections = build_sections(r);
    std::string title = "rpslab bench: " + json_text(r.plan, "name");
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                      esc(title) + "</title>\n<style>" + style_sheet + "</style>\n</head>\n<body>\n<main>\n";
    out += head_text(r) + nav_text(sections);
    std::vector<bool> placed(plots.size(), false);
    for (const experiment_section& s : sections) {
        out += section_html(s, plots, placed);
    }
    std::string rest;
    for (std::size_t i = 0; i < plots.size(); ++i) {
        rest += placed[i] ? "" : figure_html(plots[i]);
    }
    if (!rest.empty()) {
        out += "<section>\n<h2>Other charts</h2>\n<div class=\"plots\">\n" + rest + "</div>\n</section>\n";
    }
    out += servers_html(r) + legend_html();
    return out + "<footer>Written by " + esc(r.tool_version) +
           " from results.json.</footer>\n</main>\n</body>\n</html>\n";
}

} // namespace rpslab::bench
