// Runs a plan: for every point of every experiment, every server in turn, `repeat` rounds
// (A, B, C, A, B, C: interleaved, so drift hits every server alike). Each run starts the
// server pinned to the server CPUs, checks it sends the dump's bytes, drives it with
// `rpslab load` pinned to the client CPUs, samples both sides and the host in the measured
// window, and stops it.
#pragma once

#include "bench/plan.h"
#include "bench/results.h"
#include "bench/servers.h"

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace rpslab::bench {

struct run_options {
    std::string out_dir;
    std::vector<std::string> only_servers; // --peers: empty keeps the plan's
    int repeat = 0;                        // 0: the plan's
    std::uint16_t port = 0;                // 0: a free one
    std::string command_line;              // for results.json
    bench_env env;                         // rpslab_bin, repo, server and client CPUs
};

// Runs the plan and returns every row (rows of servers that could not run say why).
// Progress lines go to `log`. Throws std::runtime_error when the run cannot start at all.
results run_plan(const plan& p, run_options options, std::ostream& log);

} // namespace rpslab::bench
