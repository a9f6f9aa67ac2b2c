#include "bench/compare.h"

#include "bench/report_table.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace rpslab::bench {

namespace {

using row_key = std::tuple<std::string, std::string, std::string, std::string, int, int>;

row_key key_of(const row& r) {
    return {r.experiment, r.server, r.workload, r.encoding, r.connections, r.pipeline};
}

const row* find_row(const results& run, const row_key& key) {
    for (const row& r : run.rows) {
        if (key_of(r) == key) {
            return &r;
        }
    }
    return nullptr;
}

row_change change_for(const row& r, presence where) {
    row_change c;
    c.experiment = r.experiment;
    c.server = r.server;
    c.workload = r.workload;
    c.encoding = r.encoding;
    c.connections = r.connections;
    c.pipeline = r.pipeline;
    c.where = where;
    return c;
}

struct run_range {
    double lo = 0, hi = 0;
    bool known = false; // two or more repetitions
};

run_range range_of(const row& r) {
    if (r.rps_runs.size() < 2) {
        return {};
    }
    auto [lo, hi] = std::minmax_element(r.rps_runs.begin(), r.rps_runs.end());
    return {*lo, *hi, true};
}

double relative_spread(const row& r, const run_range& range) {
    return r.rps > 0 ? (range.hi - range.lo) / r.rps : 0;
}

figure_change figure(const char* name, double old_value, double new_value, double noise, bool spread_known) {
    figure_change f{name, old_value, new_value, 0, false};
    if (old_value > 0 && new_value > 0) {
        f.ratio = new_value / old_value;
        f.significant = spread_known && std::fabs(f.ratio - 1) > noise;
    }
    return f;
}

void compare_figures(const row& old_row, const row& new_row, row_change& c) {
    run_range old_range = range_of(old_row), new_range = range_of(new_row);
    c.spread_known = old_range.known && new_range.known;
    c.noise = (relative_spread(old_row, old_range) + relative_spread(new_row, new_range)) / 2;

    figure_change rps = figure("rps", old_row.rps, new_row.rps, c.noise, c.spread_known);
    rps.significant = c.spread_known && rps.ratio > 0 && (new_range.lo > old_range.hi || new_range.hi < old_range.lo);
    c.figures = {
        rps,
        figure("p50", old_row.latency.p50, new_row.latency.p50, c.noise, c.spread_known),
        figure("p99", old_row.latency.p99, new_row.latency.p99, c.noise, c.spread_known),
        figure("server_cpu_us_per_req", old_row.server_cpu_us_per_req, new_row.server_cpu_us_per_req, c.noise,
               c.spread_known),
        figure("client_cpu_us_per_req", old_row.client_cpu_us_per_req, new_row.client_cpu_us_per_req, c.noise,
               c.spread_known),
    };
    if (rps.significant) {
        c.verdict = rps.ratio > 1 ? "faster" : "slower";
    } else {
        c.verdict = "same";
    }
}

row_change matched(const row& old_row, const row& new_row) {
    row_change c = change_for(old_row, presence::both);
    c.old_status = old_row.status;
    c.new_status = new_row.status;
    c.comparable = old_row.status == "ok" && new_row.status == "ok";
    if (c.comparable) {
        compare_figures(old_row, new_row, c);
    } else {
        c.verdict = "not comparable: " + (old_row.status != "ok" ? "OLD " + old_row.status : "NEW " + new_row.status);
    }
    return c;
}

void count(comparison& out, const row_change& c) {
    if (c.where == presence::only_old) {
        ++out.only_old;
    } else if (c.where == presence::only_new) {
        ++out.only_new;
    } else if (!c.comparable) {
        ++out.not_comparable;
    } else {
        ++out.compared;
        out.faster += c.verdict == "faster";
        out.slower += c.verdict == "slower";
        bool other =
            std::any_of(c.figures.begin() + 1, c.figures.end(), [](const figure_change& f) { return f.significant; });
        out.other_changed += c.verdict == "same" && other;
    }
}

std::string ratio_text(const figure_change& f) {
    if (f.ratio <= 0) {
        return "—";
    }
    return format_fixed(f.ratio, 2) + "×" + (f.significant ? "*" : " ");
}

std::vector<std::string> text_line(const row_change& c) {
    std::vector<std::string> cells = {
        c.experiment, c.server, c.workload, c.encoding, format_count(c.connections), std::to_string(c.pipeline)};
    if (!c.comparable) {
        cells.insert(cells.end(), 8, "—");
    } else {
        cells.push_back(format_count(c.figures[0].old_value));
        cells.push_back(format_count(c.figures[0].new_value));
        for (const figure_change& f : c.figures) {
            cells.push_back(ratio_text(f));
        }
        cells.push_back(c.spread_known ? "±" + format_percent(c.noise, 1) : "1 run");
    }
    cells.push_back(c.verdict);
    return cells;
}

std::string aligned(const std::vector<std::vector<std::string>>& lines, const std::vector<bool>& right) {
    std::vector<std::size_t> widths(right.size(), 0);
    for (const auto& line : lines) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(line[i]));
        }
    }
    std::string out;
    for (const auto& line : lines) {
        std::string text;
        for (std::size_t i = 0; i < line.size(); ++i) {
            std::string fill(widths[i] - display_width(line[i]), ' ');
            text += (i > 0 ? "  " : "") + (right[i] ? fill + line[i] : line[i] + fill);
        }
        while (!text.empty() && text.back() == ' ') {
            text.pop_back();
        }
        out += text + "\n";
    }
    return out;
}

nlohmann::json figure_json(const figure_change& f) {
    nlohmann::json ratio = f.ratio > 0 ? nlohmann::json(f.ratio) : nlohmann::json(nullptr);
    return {{"old", f.old_value}, {"new", f.new_value}, {"ratio", ratio}, {"significant", f.significant}};
}

const char* presence_name(presence p) {
    switch (p) {
    case presence::both:
        return "both";
    case presence::only_old:
        return "only_old";
    case presence::only_new:
        return "only_new";
    }
    return "";
}

nlohmann::json row_json(const row_change& c) {
    nlohmann::json j = {{"experiment", c.experiment},
                        {"server", c.server},
                        {"workload", c.workload},
                        {"encoding", c.encoding},
                        {"connections", c.connections},
                        {"pipeline", c.pipeline},
                        {"presence", presence_name(c.where)},
                        {"old_status", c.old_status},
                        {"new_status", c.new_status},
                        {"comparable", c.comparable},
                        {"spread_known", c.spread_known},
                        {"noise", c.noise},
                        {"verdict", c.verdict}};
    j["figures"] = nlohmann::json::object();
    for (const figure_change& f : c.figures) {
        j["figures"][f.name] = figure_json(f);
    }
    return j;
}

} // namespace

comparison compare_results(const results& old_run, const results& new_run) {
    comparison out;
    for (const row& old_row : old_run.rows) {
        const row* new_row = find_row(new_run, key_of(old_row));
        row_change c = new_row != nullptr ? matched(old_row, *new_row) : change_for(old_row, presence::only_old);
        if (new_row == nullptr) {
            c.old_status = old_row.status;
            c.verdict = "only in OLD";
        }
        count(out, c);
        out.rows.push_back(std::move(c));
    }
    for (const row& new_row : new_run.rows) {
        if (find_row(old_run, key_of(new_row)) == nullptr) {
            row_change c = change_for(new_row, presence::only_new);
            c.new_status = new_row.status;
            c.verdict = "only in NEW";
            count(out, c);
            out.rows.push_back(std::move(c));
        }
    }
    return out;
}

std::string comparison_summary(const comparison& c) {
    int changed = c.faster + c.slower;
    std::string out =
        std::to_string(changed) + " of " + std::to_string(c.compared) + " rows changed beyond their spread";
    out += changed == 0 ? "" : ": " + std::to_string(c.faster) + " faster, " + std::to_string(c.slower) + " slower";
    if (c.other_changed > 0) {
        out += "; " + std::to_string(c.other_changed) + " more changed in latency or CPU only";
    }
    if (c.only_old + c.only_new > 0) {
        out += "; " + std::to_string(c.only_old) + " only in OLD, " + std::to_string(c.only_new) + " only in NEW";
    }
    if (c.not_comparable > 0) {
        out += "; " + std::to_string(c.not_comparable) + " without figures on one side";
    }
    return out;
}

std::string comparison_text(const comparison& c) {
    std::vector<std::vector<std::string>> lines = {{"experiment", "server", "workload", "encoding", "conns", "pipeline",
                                                    "req/s OLD", "req/s NEW", "req/s", "p50", "p99", "server µs/req",
                                                    "client µs/req", "noise", "verdict"}};
    for (const row_change& each : c.rows) {
        lines.push_back(text_line(each));
    }
    std::vector<bool> right = {false, false, false, false, true, true, true, true,
                               true,  true,  true,  true,  true, true, false};
    return aligned(lines, right) +
           "\nRatios are NEW/OLD; * marks a change beyond the spread (req/s: the runs' min–max ranges do not "
           "overlap; the others: |ratio - 1| above the noise, the mean relative req/s spread of the two runs).\n" +
           comparison_summary(c) + "\n";
}

nlohmann::json comparison_json(const comparison& c) {
    nlohmann::json rows = nlohmann::json::array();
    for (const row_change& each : c.rows) {
        rows.push_back(row_json(each));
    }
    nlohmann::json summary = {{"compared", c.compared},
                              {"faster", c.faster},
                              {"slower", c.slower},
                              {"other_changed", c.other_changed},
                              {"only_old", c.only_old},
                              {"only_new", c.only_new},
                              {"not_comparable", c.not_comparable},
                              {"text", comparison_summary(c)}};
    return {{"noise_rule", "req/s: significant when the min-max ranges of the two runs do not overlap; p50, p99 and "
                           "CPU per request: when |NEW/OLD - 1| exceeds the mean of the two runs' (max - min) / "
                           "median of req/s; rows with fewer than two repetitions on a side have no spread"},
            {"summary", summary},
            {"rows", rows}};
}

} // namespace rpslab::bench
