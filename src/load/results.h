// What a load-generator thread measured, and the merge of all threads into one run: counts
// are added, histograms merged (percentiles are never averaged), series summed by second.
#pragma once

#include "stats/histogram.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rpslab::load {

// The latency range recorded, in microseconds: 1 µs to one hour at 3 significant digits.
inline stats::histogram make_latency_histogram() {
    return stats::histogram(1, 3'600'000'000ULL, 3);
}

enum class error_kind : std::uint8_t { connect, write, read, timeout, bad_response, status, count_ };
const char* error_name(error_kind k);

struct error_counts {
    std::array<std::uint64_t, static_cast<std::size_t>(error_kind::count_)> by_kind{};
    std::map<std::string, std::uint64_t> by_errno; // "connect ECONNREFUSED" -> count
    void add(error_kind k, int err, std::uint64_t n = 1);
    std::uint64_t total() const;
    void merge(const error_counts& other);
};

// The non-empty buckets of one second's latency histogram: kept sparse, so a long run at
// a high rate costs memory in proportion to the distinct latencies, not to the range.
struct interval_snapshot {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> buckets; // (counts index, count)
    std::uint64_t max_us = 0;
};

struct thread_result {
    std::uint64_t sent = 0;      // requests written
    std::uint64_t responses = 0; // final responses in the measured window
    std::uint64_t warmup_responses = 0;
    std::uint64_t bytes_read = 0;
    std::array<std::uint64_t, 600> status{};
    error_counts errors;
    stats::histogram latency = make_latency_histogram(); // from the intended send time
    stats::histogram service = make_latency_histogram(); // from the actual send (open loop)
    stats::histogram lag = make_latency_histogram();     // scheduler lateness (open loop)
    std::vector<std::uint64_t> per_second;               // responses in each measured second
    std::vector<interval_snapshot> intervals;            // latency per measured second
    double cpu_s = 0;                                    // this thread's CPU time in the measured window
    double runnable_s = 0; // time it was ready to run but waited for a CPU (another process had it)
    double wall_s = 0;
    std::uint64_t max_in_flight = 0; // the most requests in flight on one connection
    std::uint64_t reconnects = 0;
    std::uint64_t connections_established = 0;             // connections answered at least once
    std::int64_t measure_start_ns = 0, measure_end_ns = 0; // CLOCK_MONOTONIC: the measured window

    void merge(const thread_result& other); // per_second and intervals are summed by index
};

} // namespace rpslab::load
