// The figures of a bench run: one row per (experiment, server, workload, encoding,
// connections, pipeline), aggregated over its repetitions, and the run's environment.
// results.json is this model as JSON; the report writers and `compare` read only it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rpslab::bench {

// Latency percentiles in microseconds, measured from the intended send time.
struct latency_us {
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
};

// What one repetition of one point on one server measured.
struct run_sample {
    double rps = 0;
    double duration_s = 0;
    std::uint64_t requests = 0;
    double bytes_per_s = 0;
    double server_cpu_s = 0;  // user+sys of every thread of every server process in the run
    double client_cpu_s = 0;  // the same for the load generator
    double server_util = 0;   // server_cpu_s / (wall x server CPUs): 1.0 is every CPU busy
    double client_util = 0;   // likewise on the client CPUs
    double softirq_util = 0;  // softirq share of the server and client CPUs' time
    double irqs_per_s = 0;    // host interrupts per second, every CPU
    double packets_per_s = 0; // rx + tx on every interface, loopback included
    int connections_achieved = 0;
    double mean_latency_us = 0;
    latency_us latency;
    std::map<std::string, std::uint64_t> errors; // "status 503", "read ECONNRESET", "timeout"
    std::string ceiling;                         // this run's verdict: "server", "client" or "network/other"
    std::string ceiling_reason;
    // Shares of the server's and client's CPUs that went to other processes (kernel
    // threads aside), and of every CPU to the hypervisor.
    double server_foreign = 0, client_foreign = 0, steal = 0;
    std::string contention; // verdict::contention: empty unless other work competed
};

struct row {
    std::string experiment;
    std::string server;
    std::string workload; // "/read"
    std::string encoding; // "identity" or "gzip"
    int connections = 0;
    int pipeline = 1;
    double rate_requested = 0; // 0: closed loop
    // "ok"; otherwise why the row has no figures: "missing: nginx not found (package
    // nginx-light)", "not applicable: a static server does not compute", "failed: ..."
    std::string status = "ok";

    std::vector<double> rps_runs; // one per repetition, in the order run
    double rps = 0;               // median of rps_runs
    double rps_min = 0, rps_max = 0;
    double rps_cv = 0;  // stdev / mean of rps_runs
    bool noisy = false; // rps_cv > 5%

    latency_us latency;               // of the repetition with the median rps (never averaged)
    double server_cpu_us_per_req = 0; // medians over repetitions
    double client_cpu_us_per_req = 0;
    double server_util = 0, client_util = 0, softirq_util = 0;
    double irqs_per_s = 0, packets_per_s = 0;
    double bytes_per_s = 0;
    int connections_achieved = 0;                // the least over repetitions
    std::map<std::string, std::uint64_t> errors; // summed over repetitions

    // Little's law: in a closed loop the requests in flight, connections x pipeline,
    // should equal rps x mean latency. ok when they agree within 20%.
    double littles_concurrency = 0; // rps x mean latency
    bool littles_law_ok = false;

    std::string ceiling;        // "server", "client" or "network/other"
    std::string ceiling_reason; // "server CPUs 98% busy, client 41%"
    // The most over its repetitions: other work on each side's CPUs, and steal. A row
    // whose contention is set was not measured alone and is never ranked.
    double server_foreign = 0, client_foreign = 0, steal = 0;
    std::string contention;
    std::string load_command; // the exact command of the median repetition
};

// How a server of the run was started: the command and, for nginx and h2o, the config text.
struct server_info {
    std::string name;
    std::string version;
    std::string command;
    std::string config;   // empty for servers configured by flags only
    std::string settings; // one line: "4 workers, keep-alive, sendfile"
    std::string missing;  // non-empty: why it could not be run
};

struct results {
    std::string tool_version;
    std::string started_at; // ISO 8601, UTC
    std::string finished_at;
    std::string command;    // the rpslab bench command line
    nlohmann::json plan;    // as plan_to_json wrote it
    nlohmann::json machine; // cpu model, cores, kernel, governor, nics, tune check, cpus used
    std::string server_cpus, client_cpus;
    std::vector<server_info> servers;
    std::vector<row> rows;
};

void to_json(nlohmann::json& j, const latency_us& v);
void from_json(const nlohmann::json& j, latency_us& v);
void to_json(nlohmann::json& j, const row& v);
void from_json(const nlohmann::json& j, row& v);
void to_json(nlohmann::json& j, const server_info& v);
void from_json(const nlohmann::json& j, server_info& v);
void to_json(nlohmann::json& j, const results& v);
void from_json(const nlohmann::json& j, results& v);

// Reads results.json; throws std::runtime_error naming the file and the problem.
results load_results_file(const std::string& path);

} // namespace rpslab::bench
