// One measured run of `rpslab load` against a started server: the generator as a child
// process pinned to the client CPUs, the server's process tree and the host sampled over
// the generator's measured window, and the verdict on what limited the number.
#pragma once

#include "bench/results.h"
#include "bench/servers.h"

#include <string>
#include <sys/types.h>

namespace rpslab::bench {

struct load_request {
    std::string url;
    bool gzip = false;
    int connections = 50, pipeline = 1, threads = 1;
    std::size_t server_workers = 1; // for what the server's CPU could sustain
    std::int64_t duration_ms = 5000, warmup_ms = 1000;
    std::string json_path; // where the generator writes its results
};

struct load_outcome {
    run_sample sample;
    std::string command;
    std::string failure; // non-empty: the run has no figures, and why
};

load_outcome run_load_sampled(const load_request& req, pid_t server_pid, const bench_env& env);

// The figures of one `rpslab load --json` document (the sampled ones are left at zero).
// Throws std::runtime_error when the document lacks a figure.
run_sample sample_from_load_json(const nlohmann::json& j);

} // namespace rpslab::bench
