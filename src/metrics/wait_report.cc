#include "metrics/wait_report.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>

namespace rpslab::metrics {

namespace {

std::uint64_t minus(std::uint64_t end, std::uint64_t start) {
    return end > start ? end - start : 0;
}

std::string fmt(const char* format, auto... args) {
    char buf[256];
    int n = std::snprintf(buf, sizeof buf, format, args...);
    return std::string(buf, static_cast<std::size_t>(n < 0 ? 0 : std::min<int>(n, sizeof buf - 1)));
}

// "1.234 (12.3%)": seconds and share of the wall time.
std::string share(std::uint64_t ns, std::uint64_t wall_ns) {
    const double pct = wall_ns > 0 ? 100.0 * static_cast<double>(ns) / static_cast<double>(wall_ns) : 0.0;
    return fmt("%.3f (%.1f%%)", static_cast<double>(ns) / 1e9, pct);
}

} // namespace

wait_snapshot take_wait_snapshot(const worker_metrics& m, std::int64_t at_ns) {
    wait_snapshot s;
    s.at_ns = at_ns;
    s.process_id = m.process_id.get();
    s.thread_id = m.thread_id.get();
    s.handling_ns = m.batch_handling_ns.sum.get();
    // The worker adds a finished wait before it clears `since`: a read between two equal
    // `since` values saw one consistent state (retried otherwise).
    for (;;) {
        const std::uint64_t since = m.epoll_wait_since_ns.get();
        s.epoll_wait_ns = m.epoll_wait_ns.get();
        if (since != m.epoll_wait_since_ns.get()) {
            continue;
        }
        if (since != 0 && static_cast<std::int64_t>(since) < at_ns) {
            s.epoll_wait_ns += static_cast<std::uint64_t>(at_ns) - since;
        }
        break;
    }
    s.pool_queue_ns = m.pool_queue_ns.get();
    for (std::size_t l = 0; l < s.lock_wait_ns.size(); ++l) {
        s.lock_wait_ns[l] = m.lock_wait_ns[l].get();
    }
    for (const auto& by_status : m.requests) {
        for (const counter& c : by_status) {
            s.requests += c.get();
        }
    }
    if (s.thread_id != 0) {
        s.sched_known = read_sched_delay_ns(s.process_id, s.thread_id, s.sched_delay_ns);
    }
    return s;
}

bool read_sched_delay_ns(std::uint64_t pid, std::uint64_t tid, std::uint64_t& delay_ns) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/schedstat");
    std::uint64_t on_cpu_ns = 0;
    return static_cast<bool>(in >> on_cpu_ns >> delay_ns);
}

wait_row wait_delta(std::size_t worker, const wait_snapshot& start, const wait_snapshot& end) {
    wait_row r;
    r.worker = worker;
    r.process_id = end.process_id;
    r.thread_id = end.thread_id;
    r.restarted = start.thread_id != end.thread_id || start.process_id != end.process_id;
    r.wall_ns = static_cast<std::uint64_t>(end.at_ns - start.at_ns);
    r.handling_ns = minus(end.handling_ns, start.handling_ns);
    r.epoll_wait_ns = minus(end.epoll_wait_ns, start.epoll_wait_ns);
    r.other_ns = minus(r.wall_ns, r.handling_ns + r.epoll_wait_ns);
    // A new thread's scheduler figures start at zero: count them from there.
    r.sched_known = end.sched_known && (start.sched_known || r.restarted);
    r.sched_delay_ns = r.restarted ? end.sched_delay_ns : minus(end.sched_delay_ns, start.sched_delay_ns);
    r.pool_queue_ns = minus(end.pool_queue_ns, start.pool_queue_ns);
    for (std::size_t l = 0; l < r.lock_wait_ns.size(); ++l) {
        r.lock_wait_ns[l] = minus(end.lock_wait_ns[l], start.lock_wait_ns[l]);
    }
    r.requests = minus(end.requests, start.requests);
    return r;
}

std::string format_wait_text(const std::vector<wait_row>& rows) {
    std::string out = "# Where each worker's event-loop thread spent its wall time: seconds (share of wall).\n"
                      "# handling: parsing, handlers and writes, lock waits inside them included; epoll_idle: "
                      "blocked in epoll_wait;\n# other: the rest of the loop (accepts, timers); sched_delay: "
                      "runnable but not running (overlaps the others);\n# pool_queue: time /work jobs waited "
                      "in the pool's queue (jobs overlap: it can exceed wall);\n# lock_*: blocked acquiring "
                      "that lock.\n";
    out += fmt("%-6s %-8s %-8s %-7s %-16s %-16s %-16s %-16s %-16s", "worker", "pid", "tid", "wall", "handling",
               "epoll_idle", "other", "sched_delay", "pool_queue");
    for (std::size_t l = 0; l < static_cast<std::size_t>(lock_id::count_); ++l) {
        out += fmt(" %-16s", ("lock_" + std::string(lock_name(static_cast<lock_id>(l)))).c_str());
    }
    out += " requests\n";
    for (const wait_row& r : rows) {
        out += fmt("%-6zu %-8" PRIu64 " %-8" PRIu64 " %-7.3f %-16s %-16s %-16s %-16s %-16s", r.worker, r.process_id,
                   r.thread_id, static_cast<double>(r.wall_ns) / 1e9, share(r.handling_ns, r.wall_ns).c_str(),
                   share(r.epoll_wait_ns, r.wall_ns).c_str(), share(r.other_ns, r.wall_ns).c_str(),
                   r.sched_known ? share(r.sched_delay_ns, r.wall_ns).c_str() : "n/a",
                   share(r.pool_queue_ns, r.wall_ns).c_str());
        for (std::uint64_t ns : r.lock_wait_ns) {
            out += fmt(" %-16s", share(ns, r.wall_ns).c_str());
        }
        out += fmt(" %" PRIu64 "%s\n", r.requests, r.restarted ? " (restarted during the interval)" : "");
    }
    return out;
}

std::string format_wait_json(const std::vector<wait_row>& rows) {
    std::string out = "{\"unit\":\"ns\",\"workers\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const wait_row& r = rows[i];
        out += fmt("%s{\"worker\":%zu,\"pid\":%" PRIu64 ",\"tid\":%" PRIu64 ",\"restarted\":%s,\"wall_ns\":%" PRIu64
                   ",\"handling_ns\":%" PRIu64 ",\"epoll_idle_ns\":%" PRIu64 ",\"other_ns\":%" PRIu64,
                   i > 0 ? "," : "", r.worker, r.process_id, r.thread_id, r.restarted ? "true" : "false", r.wall_ns,
                   r.handling_ns, r.epoll_wait_ns, r.other_ns);
        out += r.sched_known ? fmt(",\"sched_delay_ns\":%" PRIu64, r.sched_delay_ns) : ",\"sched_delay_ns\":null";
        out += fmt(",\"pool_queue_ns\":%" PRIu64 ",\"lock_wait_ns\":{", r.pool_queue_ns);
        for (std::size_t l = 0; l < r.lock_wait_ns.size(); ++l) {
            out += fmt("%s\"%s\":%" PRIu64, l > 0 ? "," : "", std::string(lock_name(static_cast<lock_id>(l))).c_str(),
                       r.lock_wait_ns[l]);
        }
        out += fmt("},\"requests\":%" PRIu64 "}", r.requests);
    }
    out += "]}\n";
    return out;
}

} // namespace rpslab::metrics
