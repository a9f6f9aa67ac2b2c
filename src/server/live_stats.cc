#include "server/live_stats.h"

#include "core/clock.h"

#include <climits>
#include <cstdio>

namespace rpslab::server {

live_stats::live_stats(std::int64_t interval_ms, std::span<const worker_counters> slots)
    : _interval_ms(interval_ms), _slots(slots), _last(read()), _last_ms(core::monotonic_ms()) {}

live_stats::totals live_stats::read() const {
    totals t;
    for (const worker_counters& c : _slots) {
        const metrics::worker_metrics& m = c.metrics;
        for (const auto& by_status : m.requests) {
            for (std::size_t s = 0; s < by_status.size(); ++s) {
                std::uint64_t n = by_status[s].get();
                t.requests += n;
                if (s == by_status.size() - 1 || metrics::status_codes[s] >= 400) {
                    t.errors += n;
                }
            }
        }
        t.bytes_in += m.bytes_in.get();
        t.bytes_out += m.bytes_out.get();
        for (const auto& bucket : m.batch_responses.buckets) {
            t.batches += bucket.get(); // each observation lands in exactly one bucket
        }
        t.wait_ns += m.epoll_wait_ns.get();
        t.open += m.connections_open.get();
    }
    return t;
}

std::int64_t live_stats::poll(std::int64_t now_ms) {
    if (_interval_ms <= 0) {
        return INT64_MAX;
    }
    if (now_ms - _last_ms < _interval_ms) {
        return _last_ms + _interval_ms;
    }
    const totals now = read();
    const double seconds = static_cast<double>(now_ms - _last_ms) / 1000.0;
    const double loops_s = seconds * static_cast<double>(_slots.size());
    const double idle = loops_s > 0 ? static_cast<double>(now.wait_ns - _last.wait_ns) / 1e9 / loops_s : 0;
    const std::uint64_t batches = now.batches - _last.batches;
    std::fprintf(stderr,
                 "rpslab: stats: %.0f req/s, %.0f errors/s, %llu connections open, in %.2f MB/s, out %.2f MB/s, "
                 "%.1f responses/batch, event loops outside epoll_wait %.0f%% of the time\n",
                 static_cast<double>(now.requests - _last.requests) / seconds,
                 static_cast<double>(now.errors - _last.errors) / seconds, static_cast<unsigned long long>(now.open),
                 static_cast<double>(now.bytes_in - _last.bytes_in) / 1e6 / seconds,
                 static_cast<double>(now.bytes_out - _last.bytes_out) / 1e6 / seconds,
                 batches > 0 ? static_cast<double>(now.requests - _last.requests) / static_cast<double>(batches) : 0.0,
                 idle >= 1.0 ? 0.0 : (1.0 - idle) * 100.0);
    std::fflush(stderr);
    _last = now;
    _last_ms = now_ms;
    return _last_ms + _interval_ms;
}

} // namespace rpslab::server
