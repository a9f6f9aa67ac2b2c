// The `--stats` line: once an interval, on stderr, what every worker did since the last
// line (requests and errors per second, connections, bytes, batch size, how busy the event
// loops were), read from the same per-slot metrics /metrics sums.
#pragma once

#include "server/worker.h"

#include <cstdint>
#include <span>

namespace rpslab::server {

class live_stats {
public:
    // interval_ms 0: never prints.
    live_stats(std::int64_t interval_ms, std::span<const worker_counters> slots);

    // Prints a line if an interval has passed since the last one; returns the time of the
    // next line (INT64_MAX when off).
    std::int64_t poll(std::int64_t now_ms);
    // When the next line is due (INT64_MAX when off).
    std::int64_t next_ms() const { return _interval_ms <= 0 ? INT64_MAX : _last_ms + _interval_ms; }

private:
    struct totals {
        std::uint64_t requests = 0;
        std::uint64_t errors = 0; // 4xx and 5xx answers
        std::uint64_t bytes_in = 0;
        std::uint64_t bytes_out = 0;
        std::uint64_t batches = 0;
        std::uint64_t wait_ns = 0;
        std::uint64_t open = 0;
    };
    totals read() const;

    std::int64_t _interval_ms;
    std::span<const worker_counters> _slots;
    totals _last;
    std::int64_t _last_ms = 0;
};

} // namespace rpslab::server
