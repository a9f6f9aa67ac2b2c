#include "bench/report_table.h"

#include "bench/report_cells.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

namespace rpslab::bench {

namespace {

// Index of `value` in `order`, or order.size() when absent: absent values sort last.
std::size_t position(const std::vector<std::string>& order, const std::string& value) {
    return static_cast<std::size_t>(std::find(order.begin(), order.end(), value) - order.begin());
}

void add_unique(std::vector<std::string>& names, const std::string& name) {
    if (!name.empty() && position(names, name) == names.size()) {
        names.push_back(name);
    }
}

std::vector<std::string> strings_at(const nlohmann::json& object, const char* key) {
    std::vector<std::string> out;
    if (!object.is_object() || !object.contains(key) || !object.at(key).is_array()) {
        return out;
    }
    for (const nlohmann::json& item : object.at(key)) {
        if (item.is_string()) {
            out.push_back(item.get<std::string>());
        }
    }
    return out;
}

const std::vector<column> all_columns = {column::rank,   column::server,     column::connections, column::pipeline,
                                         column::rps,    column::spread,     column::p50,         column::p99,
                                         column::p999,   column::server_cpu, column::client_cpu,  column::vs_rpslab,
                                         column::errors, column::ceiling,    column::notes};

table_line make_line(const row& r, const line_context& ctx, const std::vector<column>& columns) {
    table_line line;
    line.kind = kind_of(r);
    line.floor_label = line.kind == line_kind::floor ? floor_label(r) : "";
    line.server = r.server;
    line.load_command = r.load_command;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        bool hidden = line.kind == line_kind::status && i >= key_columns;
        line.cells.push_back(hidden ? std::string() : cell(columns[i], r, ctx));
    }
    if (line.kind == line_kind::status) {
        line.status = r.status;
    } else {
        line.ceiling_reason = r.ceiling_reason;
    }
    line.noisy = line.kind != line_kind::status && r.noisy;
    line.littles_off = littles_off(r);
    return line;
}

// Competition ranking by req/s among the ranked rows of one point.
int rank_of(const row& r, const std::vector<const row*>& point_rows) {
    if (kind_of(r) != line_kind::ranked) {
        return 0;
    }
    int rank = 1;
    for (const row* other : point_rows) {
        if (kind_of(*other) == line_kind::ranked && other->rps > r.rps) {
            ++rank;
        }
    }
    return rank;
}

const row* rpslab_of(const std::vector<const row*>& point_rows) {
    for (const row* r : point_rows) {
        if (r->server == "rpslab" && r->status == "ok" && r->rps > 0) {
            return r;
        }
    }
    return nullptr;
}

std::vector<std::string> experiment_servers(const results& r, const std::string& experiment) {
    std::vector<std::string> order = strings_at(plan_experiment(r, experiment), "servers");
    for (const std::string& name : server_names(r)) {
        add_unique(order, name);
    }
    return order;
}

std::map<point_key, std::vector<const row*>> by_point(const row_group& group) {
    std::map<point_key, std::vector<const row*>> points;
    for (const row* r : group.rows) {
        points[point_of(*r)].push_back(r);
    }
    return points;
}

// Ranked lines by rank, then floors, then status lines; each in server order.
// Ranks are taken before sorting: the sort may hold rows aside while it runs.
void sort_point(std::vector<const row*>& rows, const std::vector<std::string>& servers) {
    std::map<const row*, std::tuple<int, int, std::size_t>> order;
    for (const row* r : rows) {
        order[r] = std::make_tuple(static_cast<int>(kind_of(*r)), rank_of(*r, rows), position(servers, r->server));
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const row* a, const row* b) { return order[a] < order[b]; });
}

results_table make_table(const row_group& group, const std::vector<std::string>& servers) {
    results_table table{group.workload, group.encoding, {}, {}};
    bool any_note = std::any_of(group.rows.begin(), group.rows.end(),
                                [](const row* r) { return r->status == "ok" && !notes_cell(*r).empty(); });
    for (column c : all_columns) {
        if (c != column::notes || any_note) {
            table.columns.push_back(c);
        }
    }
    for (auto& [point, rows] : by_point(group)) {
        sort_point(rows, servers);
        for (const row* r : rows) {
            line_context ctx{rank_of(*r, rows), rpslab_of(rows)};
            table.lines.push_back(make_line(*r, ctx, table.columns));
            table.lines.back().first_of_point = r == rows.front();
        }
    }
    return table;
}

sweep_cell sweep_cell_of(const row& r) {
    switch (kind_of(r)) {
    case line_kind::status:
        return {r.status.substr(0, r.status.find(':')), line_kind::status};
    case line_kind::floor:
        return {format_count(r.rps) + " " + floor_label(r), line_kind::floor};
    case line_kind::ranked:
        return {format_count(r.rps), line_kind::ranked};
    }
    return {};
}

std::string point_header(const std::string& axis, int value) {
    return axis == "pipeline" ? "pipeline " + std::to_string(value) : format_count(value) + " conns";
}

std::string fixed_text(const std::string& axis, int value) {
    return axis == "pipeline" ? format_count(value) + " connections" : "pipeline " + std::to_string(value);
}

// One table per value of the axis that does not sweep.
std::vector<sweep_table> make_sweeps(const row_group& group, const std::string& axis,
                                     const std::vector<std::string>& servers) {
    auto sweep_value = [&](const row& r) {
        return axis == "pipeline" ? r.pipeline : r.connections;
    };
    auto fixed_value = [&](const row& r) {
        return axis == "pipeline" ? r.connections : r.pipeline;
    };
    std::map<int, std::map<int, std::map<std::size_t, const row*>>> grid; // fixed -> sweep -> server
    for (const row* r : group.rows) {
        grid[fixed_value(*r)][sweep_value(*r)][position(servers, r->server)] = r;
    }
    std::vector<sweep_table> sweeps;
    for (const auto& [fixed, points] : grid) {
        sweep_table table{group.workload, group.encoding, fixed_text(axis, fixed), {"Server"}, {}};
        std::map<std::size_t, std::vector<sweep_cell>> lines;
        for (const auto& [value, by_server] : points) {
            table.headers.push_back(point_header(axis, value));
            for (const auto& [index, r] : by_server) {
                auto& line = lines.try_emplace(index, std::vector<sweep_cell>{{r->server}}).first->second;
                line.resize(table.headers.size() - 1);
                line.push_back(sweep_cell_of(*r));
            }
        }
        for (auto& [index, line] : lines) {
            line.resize(table.headers.size());
            table.lines.push_back(std::move(line));
        }
        sweeps.push_back(std::move(table));
    }
    return sweeps;
}

experiment_section make_section(const results& r, const std::string& name) {
    nlohmann::json plan = plan_experiment(r, name);
    experiment_section section{name, json_text(plan, "title"), json_text(plan, "x_axis"), {}, {}, {}};
    if (section.title == "?") {
        section.title = name.empty() ? "Unnamed experiment" : "";
    }
    std::vector<std::string> servers = experiment_servers(r, name);
    for (const row_group& group : row_groups(r, name)) {
        if (section.x_axis == "connections" || section.x_axis == "pipeline") {
            for (sweep_table& sweep : make_sweeps(group, section.x_axis, servers)) {
                section.sweeps.push_back(std::move(sweep));
            }
        }
        section.tables.push_back(make_table(group, servers));
        for (const row* each : group.rows) {
            add_unique(section.load_commands, each->load_command);
        }
    }
    return section;
}

} // namespace

bool is_floor(const row& r) {
    return r.status == "ok" && (r.ceiling == "client" || !r.contention.empty());
}

std::string floor_label(const row& r) {
    return r.ceiling == "client" ? "client-bound" : "contended";
}

std::string_view column_title(column c) {
    switch (c) {
    case column::rank:
        return "Rank";
    case column::server:
        return "Server";
    case column::connections:
        return "Conns";
    case column::pipeline:
        return "Pipeline";
    case column::rps:
        return "Req/s";
    case column::spread:
        return "CV (min–max)";
    case column::p50:
        return "p50";
    case column::p99:
        return "p99";
    case column::p999:
        return "p99.9";
    case column::server_cpu:
        return "Server µs/req";
    case column::client_cpu:
        return "Client µs/req";
    case column::vs_rpslab:
        return "vs rpslab";
    case column::errors:
        return "Errors";
    case column::ceiling:
        return "Ceiling";
    case column::notes:
        return "Notes";
    }
    return "";
}

bool column_is_numeric(column c) {
    return c != column::server && c != column::spread && c != column::errors && c != column::ceiling &&
           c != column::notes;
}

std::string json_text(const nlohmann::json& object, const char* key) {
    if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) {
        return "?";
    }
    const nlohmann::json& value = object.at(key);
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_array()) {
        std::vector<std::string> parts;
        for (const nlohmann::json& item : value) {
            parts.push_back(item.is_string() ? item.get<std::string>() : item.dump());
        }
        return join(parts, ", ");
    }
    return value.dump();
}

std::vector<std::string> experiment_names(const results& r) {
    std::vector<std::string> names;
    if (r.plan.is_object() && r.plan.contains("experiments") && r.plan.at("experiments").is_array()) {
        for (const nlohmann::json& e : r.plan.at("experiments")) {
            if (e.is_object() && e.contains("name") && e.at("name").is_string()) {
                add_unique(names, e.at("name").get<std::string>());
            }
        }
    }
    for (const row& each : r.rows) {
        // Even an unnamed experiment gets its section: no row goes unreported.
        if (position(names, each.experiment) == names.size()) {
            names.push_back(each.experiment);
        }
    }
    return names;
}

nlohmann::json plan_experiment(const results& r, const std::string& name) {
    if (r.plan.is_object() && r.plan.contains("experiments") && r.plan.at("experiments").is_array()) {
        for (const nlohmann::json& e : r.plan.at("experiments")) {
            if (e.is_object() && e.value("name", std::string()) == name) {
                return e;
            }
        }
    }
    return nlohmann::json::object();
}

std::vector<row_group> row_groups(const results& r, const std::string& experiment) {
    std::vector<row_group> groups;
    for (const row& each : r.rows) {
        if (each.experiment != experiment) {
            continue;
        }
        auto it = std::find_if(groups.begin(), groups.end(), [&](const row_group& g) {
            return g.workload == each.workload && g.encoding == each.encoding;
        });
        if (it == groups.end()) {
            groups.push_back({experiment, each.workload, each.encoding, {}});
            it = groups.end() - 1;
        }
        it->rows.push_back(&each);
    }
    nlohmann::json plan = plan_experiment(r, experiment);
    std::vector<std::string> workloads = strings_at(plan, "workloads");
    std::vector<std::string> encodings = strings_at(plan, "encodings");
    std::stable_sort(groups.begin(), groups.end(), [&](const row_group& a, const row_group& b) {
        return std::make_pair(position(workloads, a.workload), position(encodings, a.encoding)) <
               std::make_pair(position(workloads, b.workload), position(encodings, b.encoding));
    });
    return groups;
}

std::vector<std::string> server_names(const results& r) {
    std::vector<std::string> names;
    for (const server_info& s : r.servers) {
        add_unique(names, s.name);
    }
    for (const std::string& experiment : experiment_names(r)) {
        for (const std::string& name : strings_at(plan_experiment(r, experiment), "servers")) {
            add_unique(names, name);
        }
    }
    for (const row& each : r.rows) {
        add_unique(names, each.server);
    }
    return names;
}

std::vector<experiment_section> build_sections(const results& r) {
    std::vector<experiment_section> sections;
    for (const std::string& name : experiment_names(r)) {
        sections.push_back(make_section(r, name));
    }
    return sections;
}

std::vector<std::pair<std::string, std::string>> run_summary(const results& r) {
    const nlohmann::json& m = r.machine;
    std::string plan = json_text(r.plan, "name") + " (" + json_text(r.plan, "repeat") + " repetitions per point)";
    std::string description = json_text(r.plan, "description");
    if (description != "?" && !description.empty()) {
        plan += ": " + description;
    }
    return {
        {"Run", r.started_at + " to " + r.finished_at + ", " + r.tool_version},
        {"Plan", plan},
        {"Machine",
         json_text(m, "hostname") + ": " + json_text(m, "cpu_model") + ", " + json_text(m, "cores") + " cores"},
        {"Kernel", json_text(m, "kernel") + ", governor " + json_text(m, "governor")},
        {"NICs", json_text(m, "nics")},
        {"CPUs", "server on " + r.server_cpus + ", load generator on " + r.client_cpus},
        {"Host tuning", json_text(m, "tune_check")},
        {"Command", r.command},
    };
}

std::string reason_summary(const std::string& reason) {
    return reason.substr(0, reason.find(';'));
}

std::vector<std::pair<std::string, std::string>> legend() {
    return {
        {"Req/s", "the median of the repetitions of a point, run interleaved across servers."},
        {"CV (min–max)", "standard deviation over mean of the repetitions' req/s, with the slowest and fastest "
                         "repetition. Above 5% the row is noisy: read its ratios with care."},
        {"p50, p99, p99.9", "latency from each request's intended send time (corrected for coordinated "
                            "omission), from the repetition with the median req/s; percentiles are never "
                            "averaged."},
        {"Server, client µs/req", "CPU time (user + system, every thread and process) per request on the server "
                                  "CPUs and on the load generator's CPUs. Server µs/req holds even where the client "
                                  "was the ceiling."},
        {"vs rpslab", "this server's req/s over rpslab's at the same point. \"tie\": the ratio of the runs' ranges "
                      "crosses 1.0, so neither won. ≤: rpslab was client-bound, so its capacity is at least what "
                      "was measured and the ratio at most this; ≥: the other way round; ?: both client-bound. A "
                      "contended row (other work ran on its CPUs) counts as client-bound here."},
        {"Ceiling", "what limited the row, from the sampled utilisation: server (the server CPUs were busy), "
                    "client (the load generator's CPUs were: the figure is a floor for the server, and the row is "
                    "never ranked) or network/other. A server that shared its CPUs with other processes (more "
                    "than 10% of their time, named in the notes) is contended: network/other, never ranked."},
        {"Rank", "by req/s among the rows of the same point that were neither client-bound nor contended."},
        {"Little's law", "in a closed loop the requests in flight, connections × pipeline, should equal req/s × "
                         "mean latency within 20%. Where they differ, something other than the server set the "
                         "pace: errors, stalls, connections that never opened."},
        {"missing, not applicable, failed", "a server that could not be run at a point keeps its row, with the "
                                            "reason: a peer is never silently dropped."},
    };
}

} // namespace rpslab::bench
