// The open-loop schedule: request k of a thread is due at start + k * interval, whatever
// happened to the requests before it. Latency is measured from that intended time, so a
// server that stalls is charged for every request it delayed (no coordinated omission).
#pragma once

#include <cstdint>

namespace rpslab::load {

class pacer {
public:
    // `rate_per_s` requests per second from `start_ns` on (this thread's share of the total).
    pacer(double rate_per_s, std::int64_t start_ns)
        : _start_ns(start_ns), _interval_ns(rate_per_s > 0 ? 1e9 / rate_per_s : 0) {}

    // The intended send time of request `k` (0-based).
    std::int64_t intended_ns(std::uint64_t k) const {
        return _start_ns + static_cast<std::int64_t>(static_cast<double>(k) * _interval_ns);
    }

    // How many requests are due at `now_ns` (requests 0 .. due-1).
    std::uint64_t due(std::int64_t now_ns) const {
        if (now_ns < _start_ns || _interval_ns <= 0) {
            return 0;
        }
        return static_cast<std::uint64_t>(static_cast<double>(now_ns - _start_ns) / _interval_ns) + 1;
    }

    double interval_ns() const { return _interval_ns; }

private:
    std::int64_t _start_ns;
    double _interval_ns;
};

} // namespace rpslab::load
