// Everything one run (or one ramp step) of `rpslab load` needs, checked before it starts.
#pragma once

#include "core/socket.h"
#include "load/target.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rpslab::load {

struct run_config {
    core::endpoint address;                 // where to connect (TCP)
    std::string unix_socket;                // when set, connect here instead
    std::vector<std::string> request_cycle; // the rendered requests, sent in turn (one, or a path range's picks)
    std::size_t connections = 10;
    std::size_t threads = 1;
    std::size_t pipeline = 1;          // requests in flight per connection
    std::int64_t duration_ms = 10'000; // measured time, after the warm-up; 0 with `requests`
    std::uint64_t requests = 0;        // -n: exactly this many requests (0: by duration)
    double rate = 0;                   // -R: total requests per second over all threads (0: closed loop)
    std::int64_t warmup_ms = 0;
    std::int64_t timeout_ms = 10'000; // a request without its response this long: a timeout error
    std::vector<int> cpus;            // thread i on cpus[i % size]; empty: unpinned
    int verify_status = 0;            // when set, other statuses also count as errors
};

} // namespace rpslab::load
