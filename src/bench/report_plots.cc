#include "bench/report_plots.h"

#include "bench/report_table.h"

#include <algorithm>
#include <map>

namespace rpslab::bench {

namespace {

// "Pipelining on /simple (pipelining)": a chart's subtitle.
std::string experiment_label(const results& r, const std::string& name) {
    std::string title = json_text(plan_experiment(r, name), "title");
    return title == "?" || title.empty() ? name : title + " (" + name + ")";
}

std::string point_text(const point_key& p) {
    return format_count(p.connections) + " connections, pipeline " + std::to_string(p.pipeline);
}

std::string file_base(const row_group& g) {
    return file_name_part(g.experiment) + "-" + file_name_part(g.workload) + "-" + file_name_part(g.encoding);
}

// A server keeps its colour and marker in every chart of the run.
int style_of(const std::vector<std::string>& servers, const std::string& name) {
    return static_cast<int>(std::find(servers.begin(), servers.end(), name) - servers.begin());
}

// The rows of each server, servers in run order.
std::vector<std::pair<std::string, std::vector<const row*>>> by_server(const std::vector<const row*>& rows,
                                                                       const std::vector<std::string>& servers) {
    std::map<int, std::pair<std::string, std::vector<const row*>>> grouped;
    for (const row* r : rows) {
        auto& entry = grouped[style_of(servers, r->server)];
        entry.first = r->server;
        entry.second.push_back(r);
    }
    std::vector<std::pair<std::string, std::vector<const row*>>> out;
    for (auto& [index, entry] : grouped) {
        out.push_back(std::move(entry));
    }
    return out;
}

plot_series sweep_series(const std::string& server, const std::vector<const row*>& rows, bool by_pipeline, int style) {
    plot_series series{server, {}, style};
    for (const row* r : rows) {
        if (r->status != "ok") {
            continue;
        }
        double x = by_pipeline ? r->pipeline : r->connections;
        series.points.push_back({x, r->rps, r->rps_min, r->rps_max, is_floor(*r)});
    }
    return series;
}

// A server without figures at some point is named, never silently left out of the chart.
void note_statuses(const std::string& server, const std::vector<const row*>& rows, std::vector<std::string>& notes) {
    bool none_ok = std::none_of(rows.begin(), rows.end(), [](const row* r) { return r->status == "ok"; });
    if (none_ok) {
        notes.push_back("not shown: " + server + ": " + rows.front()->status);
        return;
    }
    for (const row* r : rows) {
        if (r->status != "ok") {
            notes.push_back(server + " at " + point_text({r->connections, r->pipeline}) + ": " + r->status);
        }
    }
}

axis_scale sweep_scale(const std::vector<plot_series>& series) {
    double lo = 0, hi = 0;
    for (const plot_series& s : series) {
        for (const plot_point& p : s.points) {
            lo = lo == 0 ? p.x : std::min(lo, p.x);
            hi = std::max(hi, p.x);
        }
    }
    // Sweeps double or grow tenfold: on a linear axis their first points would crowd together.
    return lo > 0 && hi / lo >= 8 ? axis_scale::log : axis_scale::linear;
}

plot_spec sweep_spec(bool by_pipeline, const std::vector<const row*>& rows, const std::vector<std::string>& servers) {
    plot_spec spec;
    spec.x_label = by_pipeline ? "pipeline depth (requests in flight per connection)" : "connections";
    spec.y_label = "requests/s (median; whiskers: min–max)";
    bool any_floor = false;
    for (const auto& [server, server_rows] : by_server(rows, servers)) {
        plot_series series = sweep_series(server, server_rows, by_pipeline, style_of(servers, server));
        note_statuses(server, server_rows, spec.notes);
        for (const plot_point& p : series.points) {
            any_floor = any_floor || p.hollow;
        }
        if (!series.points.empty()) {
            spec.series.push_back(std::move(series));
        }
    }
    if (any_floor) {
        spec.notes.push_back(
            "open markers: client-bound or contended, a floor for the server rather than its capacity");
    }
    spec.x_scale = sweep_scale(spec.series);
    return spec;
}

void add_sweep_plots(const results& r, const row_group& g, bool by_pipeline, const std::vector<std::string>& servers,
                     std::vector<named_svg>& out) {
    std::map<int, std::vector<const row*>> by_fixed;
    for (const row* each : g.rows) {
        by_fixed[by_pipeline ? each->connections : each->pipeline].push_back(each);
    }
    for (const auto& [fixed, rows] : by_fixed) {
        plot_spec spec = sweep_spec(by_pipeline, rows, servers);
        std::string fixed_label =
            by_pipeline ? format_count(fixed) + " connections" : "pipeline " + std::to_string(fixed);
        std::string axis_name = by_pipeline ? "pipeline depth" : "connections";
        spec.title = g.workload + " (" + g.encoding + "): req/s by " + axis_name + ", " + fixed_label;
        spec.subtitle = experiment_label(r, g.experiment);
        std::string suffix = by_fixed.size() == 1 ? "" : (by_pipeline ? "-c" : "-p") + std::to_string(fixed);
        out.push_back({file_base(g) + suffix + "-rps.svg", spec.title + ", " + spec.subtitle, g.experiment, g.workload,
                       g.encoding, svg_line_plot(spec)});
    }
}

latency_bars bars_of(const row& r) {
    if (r.status != "ok") {
        return {r.server, {}, r.status.substr(0, r.status.find(':'))};
    }
    return {r.server, r.latency, is_floor(r) ? floor_label(r) : ""};
}

named_svg latency_plot(const results& r, const row_group& g, const point_key& point,
                       const std::vector<std::string>& servers) {
    latency_plot_spec spec;
    spec.title = g.workload + " (" + g.encoding + "): latency at " + point_text(point);
    spec.subtitle = experiment_label(r, g.experiment);
    std::vector<const row*> rows;
    for (const row* each : g.rows) {
        if (point_key{each->connections, each->pipeline} == point) {
            rows.push_back(each);
        }
    }
    for (const auto& [server, server_rows] : by_server(rows, servers)) {
        spec.groups.push_back(bars_of(*server_rows.front()));
        if (server_rows.front()->status != "ok") {
            spec.notes.push_back(server + ": " + server_rows.front()->status);
        }
    }
    std::string file = file_base(g) + "-c" + std::to_string(point.connections) + "-p" + std::to_string(point.pipeline) +
                       "-latency.svg";
    return {file, spec.title + ", " + spec.subtitle, g.experiment, g.workload, g.encoding, svg_latency_plot(spec)};
}

void add_latency_plots(const results& r, const row_group& g, const std::vector<std::string>& servers,
                       std::vector<named_svg>& out) {
    std::vector<point_key> points;
    for (const row* each : g.rows) {
        points.push_back({each->connections, each->pipeline});
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    if (points.size() > 3) {
        points = {points.front(), points.back()};
    }
    for (const point_key& point : points) {
        out.push_back(latency_plot(r, g, point, servers));
    }
}

} // namespace

std::string file_name_part(std::string_view text) {
    std::string out;
    for (char c : text) {
        bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
            keep = true;
        }
        if (keep) {
            out += c;
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
    }
    while (!out.empty() && out.back() == '-') {
        out.pop_back();
    }
    return out;
}

std::vector<named_svg> render_plots(const results& r) {
    std::vector<named_svg> plots;
    std::vector<std::string> servers = server_names(r);
    for (const std::string& experiment : experiment_names(r)) {
        std::string x_axis = json_text(plan_experiment(r, experiment), "x_axis");
        for (const row_group& g : row_groups(r, experiment)) {
            if (x_axis == "connections" || x_axis == "pipeline") {
                add_sweep_plots(r, g, x_axis == "pipeline", servers, plots);
            }
            add_latency_plots(r, g, servers, plots);
        }
    }
    return plots;
}

} // namespace rpslab::bench
