// What `rpslab load` prints and writes: the terminal table, the JSON document, the
// HdrHistogram interval log, and the --slo checks. Pure functions of a run_result.
#pragma once

#include "load/runner.h"

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::load {

struct run_labels {
    std::string url;
    std::string command; // the command line, for the log and the JSON
};

// The final table for stdout: throughput (mean, stdev and peak per second), the latency
// views side by side (corrected latency, service time and lag in open loop), statuses,
// errors by kind and errno, and the generator's own CPU with the ceiling verdict.
std::string format_table(const run_result& r, const run_labels& labels);

// One run as JSON: requests, rps, duration_s, status, errors, latency_us, service_time_us,
// lag_us, client_cpu, per_second, generator_ceiling and the settings.
nlohmann::json to_json(const run_result& r);

// The per-second latency histograms as an HdrHistogram interval log (format 1.3).
void write_hdr_log(std::ostream& out, const run_result& r, double start_time_s, const run_labels& labels);

// A --slo condition: "p99<=5ms", "p50<1ms", "max<=1s", "errors<=0", "rps>=100000".
struct slo {
    std::string text;
    std::string metric;  // p50 p90 p95 p99 p999 p9999 max errors rps
    bool at_most = true; // <=/< (true) or >=/> (false)
    bool strict = false; // < or >
    double limit = 0;    // µs for latencies
};

// Parses a comma-separated list of conditions; throws std::invalid_argument naming the bad one.
std::vector<slo> parse_slos(std::string_view text);

// The conditions `r` fails, each as "p99 = 7.2ms, want <= 5ms".
std::vector<std::string> failed_slos(const std::vector<slo>& slos, const run_result& r);

} // namespace rpslab::load
