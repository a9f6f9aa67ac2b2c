// One worker's metrics: counters, gauges and fixed-bucket histograms, written only by that
// worker's thread and readable by any worker (each /metrics scrape sums every slot) and by
// the supervisor. In processes mode they live in memory the supervisor shares with every
// worker process, one cache-line-aligned slot per worker slot, so a restarted worker adds
// to its predecessor's counts.
#pragma once

#include "core/counter.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rpslab::metrics {

// One writer, many readers; updates compile to nothing with RPSLAB_NO_METRICS.
using counter = core::counter;

// The paths of rpslab_http_requests_total; unknown paths fold into `other`.
enum class path : std::uint8_t { simple, read, list, compute, work, echo, metrics, healthz, other, count_ };
path path_of(std::string_view target_path);
std::string_view path_name(path p);

// The statuses rpslab answers with, in a fixed order; anything else counts as `other`.
inline constexpr std::array<int, 13> status_codes{200, 202, 400, 404, 405, 408, 413, 414, 431, 500, 501, 503, 505};

// A status code's index in status_codes (status_codes.size() for any other code): one
// table load, since it is taken for every request.
namespace detail {
inline constexpr auto status_slots = [] {
    std::array<std::uint8_t, 500> slots{}; // codes 100..599
    slots.fill(static_cast<std::uint8_t>(status_codes.size()));
    for (std::size_t i = 0; i < status_codes.size(); ++i) {
        slots[static_cast<std::size_t>(status_codes[i] - 100)] = static_cast<std::uint8_t>(i);
    }
    return slots;
}();
} // namespace detail
inline std::size_t status_index(int code) {
    const auto slot = static_cast<unsigned>(code - 100);
    return slot < detail::status_slots.size() ? detail::status_slots[slot] : status_codes.size();
}

// Cumulative-bucket histogram with fixed upper bounds (Prometheus `le`), plus +Inf and sum.
template <std::size_t N> struct fixed_histogram {
    std::array<counter, N + 1> buckets; // buckets[i]: observations <= bounds[i]; [N]: above all
    counter sum;
    void observe(std::uint64_t value, const std::array<std::uint64_t, N>& bounds) {
        if constexpr (!core::metrics_enabled) {
            return;
        }
        std::size_t i = 0;
        while (i < N && value > bounds[i]) {
            ++i;
        }
        buckets[i].add();
        sum.add(value);
    }
};

// The locks an event-loop thread takes (core/timed_lock.h), for /debug/wait.
enum class lock_id : std::uint8_t { pool, test_fault, count_ };
std::string_view lock_name(lock_id l);

// Responses gathered per batch (one read, parse, write cycle).
inline constexpr std::array<std::uint64_t, 9> batch_bounds{1, 2, 4, 8, 16, 32, 64, 128, 256};
// Time to handle one batch, in nanoseconds (timed per batch: two clock reads, not per request).
inline constexpr std::array<std::uint64_t, 14> handling_bounds_ns{
    1'000,   2'000,   5'000,     10'000,    20'000,    50'000,     100'000,
    200'000, 500'000, 1'000'000, 2'000'000, 5'000'000, 10'000'000, 100'000'000};

struct alignas(64) worker_metrics {
    std::array<std::array<counter, status_codes.size() + 1>, static_cast<std::size_t>(path::count_)> requests;
    std::array<counter, status_codes.size() + 1> parse_errors; // requests refused by the parser, by status
    counter bytes_in;
    counter bytes_out;
    counter connections_accepted;
    counter connections_refused; // over --max-conns
    counter connections_open;    // gauge
    counter timeouts;
    counter loop_iterations;
    counter epoll_wait_ns; // time blocked in epoll_wait: the worker's idle time
    // When the epoll_wait in progress began (0: not waiting), so that /debug/wait counts a
    // wait that has not returned yet.
    counter epoll_wait_since_ns;
    fixed_histogram<batch_bounds.size()> batch_responses;
    fixed_histogram<handling_bounds_ns.size()> batch_handling_ns;
    // The /work pool (overload issue), copied from the pool's own figures once a second.
    counter pool_accepted;
    counter pool_completed;
    counter pool_failed;
    std::array<counter, 5> pool_refused; // by pool::refusal in its order, `none` excluded
    counter pool_queue_depth;            // gauges
    counter pool_threads;
    counter resident_bytes; // gauge: the worker's process (in threads mode, the server)
    counter restarts;       // written by the supervisor: times this slot's worker was replaced
    // For /debug/wait: the event-loop thread (its /proc/PID/task/TID/schedstat), the time
    // /work jobs waited in the pool's queue, and the time the event-loop thread was
    // blocked on each lock it takes.
    counter process_id;
    counter thread_id;
    counter pool_queue_ns;
    std::array<counter, static_cast<std::size_t>(lock_id::count_)> lock_wait_ns;
};

} // namespace rpslab::metrics
