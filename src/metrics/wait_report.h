// /debug/wait: where each worker's event-loop thread spent its wall time over an interval,
// as the difference of two snapshots of its counters (worker_metrics) and of the kernel's
// scheduler statistics for that thread. Plain-text table or JSON.
#pragma once

#include "metrics/worker_metrics.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace rpslab::metrics {

// One worker's figures at one instant, all in nanoseconds but the counts.
struct wait_snapshot {
    std::int64_t at_ns = 0; // CLOCK_MONOTONIC
    std::uint64_t process_id = 0;
    std::uint64_t thread_id = 0; // 0: the worker has not run yet
    std::uint64_t handling_ns = 0;
    std::uint64_t epoll_wait_ns = 0; // a wait in progress counted up to at_ns
    std::uint64_t sched_delay_ns = 0;
    bool sched_known = false; // schedstat could be read
    std::uint64_t pool_queue_ns = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(lock_id::count_)> lock_wait_ns{};
    std::uint64_t requests = 0;
};

// Reads worker `m` now; `at_ns` is the time to count an epoll wait in progress up to.
wait_snapshot take_wait_snapshot(const worker_metrics& m, std::int64_t at_ns);

// run_delay (the second field) of /proc/PID/task/TID/schedstat: time the thread was
// runnable but not running. False when the file is missing (thread gone, or a kernel
// without CONFIG_SCHED_INFO).
bool read_sched_delay_ns(std::uint64_t pid, std::uint64_t tid, std::uint64_t& delay_ns);

struct wait_row {
    std::size_t worker = 0;
    std::uint64_t process_id = 0;
    std::uint64_t thread_id = 0;
    bool restarted = false; // another thread by the end: its figures cover part of the interval
    std::uint64_t wall_ns = 0;
    std::uint64_t handling_ns = 0;
    std::uint64_t epoll_wait_ns = 0;
    std::uint64_t other_ns = 0; // wall - handling - epoll: accepts, timers, the loop itself
    std::uint64_t sched_delay_ns = 0;
    bool sched_known = false;
    std::uint64_t pool_queue_ns = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(lock_id::count_)> lock_wait_ns{};
    std::uint64_t requests = 0;
};

wait_row wait_delta(std::size_t worker, const wait_snapshot& start, const wait_snapshot& end);

std::string format_wait_text(const std::vector<wait_row>& rows);
std::string format_wait_json(const std::vector<wait_row>& rows);

} // namespace rpslab::metrics
