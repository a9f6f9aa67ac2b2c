#include "pool/figures.h"

#include <cstdio>

namespace rpslab::pool {

std::uint64_t figures::refused_total() const {
    std::uint64_t total = 0;
    for (auto n : refused) {
        total += n;
    }
    return total;
}

void figures::merge(const figures& other) {
    accepted += other.accepted;
    completed += other.completed;
    failed += other.failed;
    for (std::size_t i = 0; i < refused.size(); ++i) {
        refused[i] += other.refused[i];
    }
    queue_depth += other.queue_depth;
    threads += other.threads;
    threads_peak += other.threads_peak;
    latency_us.merge(other.latency_us);
    queued_us.merge(other.queued_us);
    refusal_us.merge(other.refusal_us);
    shed_us.merge(other.shed_us);
}

namespace {

std::string percentiles(const stats::histogram& h) {
    char line[160];
    std::snprintf(line, sizeof line, "p50 %llu, p99 %llu, p99.9 %llu, max %llu us",
                  static_cast<unsigned long long>(h.value_at_percentile(50)),
                  static_cast<unsigned long long>(h.value_at_percentile(99)),
                  static_cast<unsigned long long>(h.value_at_percentile(99.9)),
                  static_cast<unsigned long long>(h.max()));
    return line;
}

} // namespace

std::string format_summary(const figures& f, const char* mode_name) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "rpslab: %s jobs: accepted %llu, completed %llu, failed %llu, refused %llu (queue_full %llu, "
                  "overloaded %llu, limit %llu, deadline %llu, shed %llu); threads peak %llu\n",
                  mode_name, static_cast<unsigned long long>(f.accepted), static_cast<unsigned long long>(f.completed),
                  static_cast<unsigned long long>(f.failed), static_cast<unsigned long long>(f.refused_total()),
                  static_cast<unsigned long long>(f.refused[static_cast<std::size_t>(refusal::queue_full)]),
                  static_cast<unsigned long long>(f.refused[static_cast<std::size_t>(refusal::overloaded)]),
                  static_cast<unsigned long long>(f.refused[static_cast<std::size_t>(refusal::limit)]),
                  static_cast<unsigned long long>(f.refused[static_cast<std::size_t>(refusal::deadline)]),
                  static_cast<unsigned long long>(f.refused[static_cast<std::size_t>(refusal::shed)]),
                  static_cast<unsigned long long>(f.threads_peak));
    std::string out = line;
    out += "rpslab: " + std::string(mode_name) + " job latency (arrival to completion): " + percentiles(f.latency_us) +
           "\n";
    if (f.queued_us.total_count() > 0) {
        out += "rpslab: " + std::string(mode_name) + " job queue time: " + percentiles(f.queued_us) + "\n";
    }
    if (f.refusal_us.total_count() > 0) {
        out += "rpslab: " + std::string(mode_name) + " time to a 503: " + percentiles(f.refusal_us) + "\n";
    }
    if (f.shed_us.total_count() > 0) {
        out += "rpslab: " + std::string(mode_name) + " time to a drop after queueing: " + percentiles(f.shed_us) + "\n";
    }
    return out;
}

} // namespace rpslab::pool
