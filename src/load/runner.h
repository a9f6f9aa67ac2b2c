// Runs one load step: starts the threads with their shares of the connections, requests
// and rate, shows live progress, and merges what they measured into one result with the
// verdict on whether the generator itself was the ceiling.
#pragma once

#include "load/config.h"
#include "load/results.h"

#include <cstdint>
#include <vector>

namespace rpslab::load {

struct run_result {
    thread_result total;             // every thread merged
    std::vector<double> thread_cpu;  // CPU utilisation per thread in the measured window (0..1)
    std::vector<double> thread_busy; // CPU plus run-queue wait: 1 means it never waited for the server
    double duration_s = 0;           // the measured window
    std::size_t connections = 0;
    std::size_t threads = 0;
    std::size_t pipeline = 0;
    double requested_rate = 0; // 0: closed loop
    std::int64_t warmup_ms = 0;
    // Some thread was saturated (always running or waiting for a CPU, never for the
    // server): the figures are the generator's limit, not the server's.
    bool generator_ceiling = false;
    double rps() const { return duration_s > 0 ? static_cast<double>(total.responses) / duration_s : 0; }
};

// A thread busier than this was saturated: it could not have sent or read faster.
inline constexpr double saturated_cpu = 0.90;

// Runs `config`; `live` prints a progress line on stderr once a second. Throws
// std::invalid_argument for an impossible configuration.
run_result run_load(const run_config& config, bool live);

} // namespace rpslab::load
