// What the reports show, independent of markup: the order of experiments, workloads and
// servers, the rank and ratio of every row, and every cell already formatted. results.md
// and report.html print the same tables from this model, so they cannot disagree.
#pragma once

#include "bench/report_format.h"
#include "bench/results.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rpslab::bench {

// One point of a sweep: rows of a group that share it are rounds of the same measurement.
struct point_key {
    int connections = 0;
    int pipeline = 0;
    auto operator<=>(const point_key&) const = default;
};
inline point_key point_of(const row& r) {
    return {r.connections, r.pipeline};
}

// Columns of a results table, in the order they are printed.
enum class column {
    rank,
    server,
    connections,
    pipeline,
    rps,
    spread,
    p50,
    p99,
    p999,
    server_cpu,
    client_cpu,
    vs_rpslab,
    errors,
    ceiling,
    notes
};
std::string_view column_title(column c);
bool column_is_numeric(column c);

// ranked: a server or network/other ceiling, ranked by req/s at its point. floor: figures
// that are only a floor for the server (its client was the ceiling, or other work shared
// its CPUs), never ranked. status: no figures at all.
enum class line_kind { ranked, floor, status };

// Whether a measured row's req/s is only a floor for its server, and why in two words:
// "client-bound" or "contended" (other work ran on the measured CPUs).
bool is_floor(const row& r);
std::string floor_label(const row& r);

struct table_line {
    line_kind kind = line_kind::ranked;
    std::string floor_label; // floor lines: "client-bound" or "contended"
    std::string server;
    std::vector<std::string> cells; // one per column; a status line fills the key columns only
    std::string status;             // status lines: printed across the figure columns
    bool noisy = false;             // the spread cell says so too
    bool littles_off = false;       // the notes cell says so too
    bool first_of_point = false;    // the first line of a (connections, pipeline) point
    std::string ceiling_reason;     // the runner's reason in full: printed with the ceiling
    std::string load_command;
};

// The columns before the first figure: rank, server, connections, pipeline.
inline constexpr std::size_t key_columns = 4;

// One (workload, encoding) of one experiment: every server at every point. Lines are grouped
// by point (fewest connections, then shallowest pipeline, first); within a point, ranked
// lines by rank, then floor ones, then status lines, each in server order.
struct results_table {
    std::string workload, encoding;
    std::vector<column> columns; // notes only when some line has one
    std::vector<table_line> lines;
};

// Requests/s along an experiment's sweep: one line per server, one column per point.
struct sweep_cell {
    std::string text; // "412,000 client-bound", "missing"; empty where the server has no row
    line_kind kind = line_kind::ranked;
};
struct sweep_table {
    std::string workload, encoding;
    std::string fixed;                // the other axis: "50 connections" or "pipeline 1"
    std::vector<std::string> headers; // "Server", then one per point: "pipeline 16"
    std::vector<std::vector<sweep_cell>> lines;
};

struct experiment_section {
    std::string name, title, x_axis;
    std::vector<sweep_table> sweeps; // only when x_axis is "connections" or "pipeline"
    std::vector<results_table> tables;
    std::vector<std::string> load_commands; // distinct, in row order
};

std::vector<experiment_section> build_sections(const results& r);

// The run's header: (label, value) pairs in print order. Keys the machine JSON lacks print as
// "?"; the command comes last so renderers may print it as code.
std::vector<std::pair<std::string, std::string>> run_summary(const results& r);

// The reason's first clause, up to its first ';': "server CPUs 99% busy, client CPUs 81%". Tables
// show it; the rest (the runner's derivation) goes where it does not widen every row.
std::string reason_summary(const std::string& reason);

// "How to read this": (term, explanation) pairs, plain text.
std::vector<std::pair<std::string, std::string>> legend();

// A machine JSON value as one line: strings as they are, numbers printed, arrays joined with
// ", ", absent or null as "?".
std::string json_text(const nlohmann::json& object, const char* key);

// Row grouping shared with the plots.
struct row_group {
    std::string experiment, workload, encoding;
    std::vector<const row*> rows;
};
// Experiment names in plan order, then any that only the rows name.
std::vector<std::string> experiment_names(const results& r);
// The plan's entry for an experiment, or an empty object.
nlohmann::json plan_experiment(const results& r, const std::string& name);
// The experiment's rows by (workload, encoding), in plan order, then first appearance.
std::vector<row_group> row_groups(const results& r, const std::string& experiment);
// Every server of the run: results.servers, then plan order, then first appearance in rows.
std::vector<std::string> server_names(const results& r);

} // namespace rpslab::bench
