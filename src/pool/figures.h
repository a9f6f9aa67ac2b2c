// What a worker's pool (or the naive control) did: counts, gauges and latency histograms,
// written by the worker's event-loop thread only and merged across workers when printed.
// The metrics issue exposes the same figures.
#pragma once

#include "pool/policy.h"
#include "stats/histogram.h"

#include <array>
#include <cstdint>
#include <string>

namespace rpslab::pool {

struct figures {
    std::uint64_t accepted = 0;  // admitted into the queue (naive: threads started)
    std::uint64_t completed = 0; // ran to the end
    std::uint64_t failed = 0;    // could not get their memory (or, naive, their thread)
    std::array<std::uint64_t, static_cast<std::size_t>(refusal::count_)> refused{};
    std::uint64_t queue_depth = 0; // gauges, as of the last submit or completion
    std::uint64_t threads = 0;
    std::uint64_t threads_peak = 0;
    // Microseconds: arrival to completion of every completed job; time queued; for each
    // refusal at admission, from the request's parse to its 503 being handed to the
    // kernel; for each job dropped after queueing, from arrival to its drop.
    stats::histogram latency_us = make_histogram();
    stats::histogram queued_us = make_histogram();
    stats::histogram refusal_us = make_histogram();
    stats::histogram shed_us = make_histogram();

    std::uint64_t refused_total() const;
    void merge(const figures& other);

    // 1 µs to one hour at 3 significant digits, like the load generator's.
    static stats::histogram make_histogram() { return stats::histogram(1, 3'600'000'000ULL, 3); }
};

// Lines for the server's exit report: counts by outcome and latency percentiles.
std::string format_summary(const figures& f, const char* mode_name);

} // namespace rpslab::pool
