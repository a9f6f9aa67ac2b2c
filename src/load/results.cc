#include "load/results.h"

#include <algorithm>
#include <cstring>

namespace rpslab::load {

const char* error_name(error_kind k) {
    switch (k) {
    case error_kind::connect:
        return "connect";
    case error_kind::write:
        return "write";
    case error_kind::read:
        return "read";
    case error_kind::timeout:
        return "timeout";
    case error_kind::bad_response:
        return "bad_response";
    case error_kind::status:
        return "status";
    case error_kind::count_:
        break;
    }
    return "?";
}

void error_counts::add(error_kind k, int err, std::uint64_t n) {
    by_kind[static_cast<std::size_t>(k)] += n;
    if (err != 0) {
        const char* name = strerrorname_np(err);
        by_errno[std::string(error_name(k)) + " " + (name != nullptr ? name : std::to_string(err))] += n;
    } else if (k == error_kind::read) {
        by_errno["read EOF"] += n; // the server closed with requests in flight
    }
}

std::uint64_t error_counts::total() const {
    std::uint64_t t = 0;
    for (auto n : by_kind) {
        t += n;
    }
    return t;
}

void error_counts::merge(const error_counts& other) {
    for (std::size_t i = 0; i < by_kind.size(); ++i) {
        by_kind[i] += other.by_kind[i];
    }
    for (const auto& [k, v] : other.by_errno) {
        by_errno[k] += v;
    }
}

void thread_result::merge(const thread_result& other) {
    sent += other.sent;
    responses += other.responses;
    warmup_responses += other.warmup_responses;
    bytes_read += other.bytes_read;
    for (std::size_t i = 0; i < status.size(); ++i) {
        status[i] += other.status[i];
    }
    errors.merge(other.errors);
    latency.merge(other.latency);
    service.merge(other.service);
    lag.merge(other.lag);
    if (per_second.size() < other.per_second.size()) {
        per_second.resize(other.per_second.size());
    }
    for (std::size_t i = 0; i < other.per_second.size(); ++i) {
        per_second[i] += other.per_second[i];
    }
    if (intervals.size() < other.intervals.size()) {
        intervals.resize(other.intervals.size());
    }
    for (std::size_t i = 0; i < other.intervals.size(); ++i) {
        auto& mine = intervals[i];
        mine.buckets.insert(mine.buckets.end(), other.intervals[i].buckets.begin(), other.intervals[i].buckets.end());
        mine.max_us = std::max(mine.max_us, other.intervals[i].max_us);
    }
    cpu_s += other.cpu_s;
    runnable_s += other.runnable_s;
    wall_s = std::max(wall_s, other.wall_s);
    max_in_flight = std::max(max_in_flight, other.max_in_flight);
    reconnects += other.reconnects;
    connections_established += other.connections_established;
    measure_start_ns =
        measure_start_ns == 0 ? other.measure_start_ns : std::min(measure_start_ns, other.measure_start_ns);
    measure_end_ns = std::max(measure_end_ns, other.measure_end_ns);
}

} // namespace rpslab::load
