// A bench plan: which servers, which workloads and which sweep of connections and
// pipelining, how long and how often. Plans are JSON files (docs/bench.md has the format);
// parsing checks every field and names the one that is wrong, with its JSON path.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::bench {

// Every server `rpslab bench` knows how to start (bench/peers/README.md).
inline constexpr std::string_view known_servers[] = {"rpslab",   "rpslab-prefork",   "nginx",  "h2o",
                                                     "fasthttp", "fasthttp-prefork", "nethttp"};
// Every workload a plan may name; /work and /echo are left to their own experiments.
inline constexpr std::string_view known_workloads[] = {"/simple", "/read", "/list", "/compute"};

// One experiment sweeps the cartesian product workloads x encodings x connections x
// pipeline; every point runs on every server, `repeat` times, interleaved across servers.
struct experiment {
    std::string name;                               // unique in the plan: "baseline"
    std::string title;                              // one line for the report: "Servers x workloads"
    std::vector<std::string> servers;               // from known_servers
    std::vector<std::string> workloads;             // from known_workloads
    std::vector<std::string> encodings{"identity"}; // "identity" or "gzip" (Accept-Encoding: gzip)
    std::vector<int> connections{50};               // 1..100000 each
    std::vector<int> pipeline{1};                   // 1..1024 each
    int client_threads = 0;                         // 0: one per client CPU
    int server_workers = 0;                         // 0: one per server CPU
    std::int64_t duration_ms = 5000;                // measured, per run
    std::int64_t warmup_ms = 1000;                  // excluded, before each run
    std::string x_axis = "none";                    // "connections", "pipeline" or "none": what the plot sweeps
};

struct plan {
    std::string name;        // "baseline"
    std::string description; // free text for the report
    int repeat = 3;          // 1..100; --repeat overrides
    std::vector<experiment> experiments;
};

// A plan that does not parse or check, with the place: "plan.json: experiments[1].pipeline[0]:
// must be between 1 and 1024, got 0".
class plan_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `source` names the text in messages (the file name).
plan parse_plan(std::string_view json_text, std::string_view source);
plan load_plan_file(const std::string& path);

// The built-in plan behind `--quick` (about a minute on 2 cores; what `make demo` runs).
plan quick_plan();

// The plan as JSON, the shape parse_plan reads (results.json carries it).
std::string plan_to_json(const plan& p);

} // namespace rpslab::bench
