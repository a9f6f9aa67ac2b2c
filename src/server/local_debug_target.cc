#include "server/local_debug_target.h"

#include "server/profilers.h"

#include <chrono>
#include <thread>

namespace rpslab::server {

bool sleep_unless_cancelled(std::int64_t ms, const std::atomic<bool>& cancel) {
    constexpr std::int64_t step_ms = 50; // how soon a stopping server ends a profile
    for (std::int64_t left = ms; left > 0; left -= step_ms) {
        if (cancel.load(std::memory_order_relaxed)) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(left, step_ms)));
    }
    return !cancel.load(std::memory_order_relaxed);
}

collected local_debug_target::collect(const collect_request& req, const std::atomic<bool>& cancel) {
    if (req.what == collect_request::kind::cpu_profile) {
        return cpu_profile(req, cancel);
    }
    collected out;
    std::string sample;
    if (heap_sample(sample, out.error)) {
        out.profiles.push_back(std::move(sample));
        for (std::size_t i = 0; i < _slots.size(); ++i) {
            out.workers.push_back(i); // one heap for the whole process
        }
    }
    return out;
}

// Without a worker: the whole process (every worker, their pools, the rest). With one:
// only that worker's event-loop thread (its pool threads are not in it).
collected local_debug_target::cpu_profile(const collect_request& req, const std::atomic<bool>& cancel) {
    collected out;
    pid_t tid = 0;
    if (req.worker) {
        tid = static_cast<pid_t>(_slots[*req.worker].metrics.thread_id.get());
        if (tid == 0) {
            out.error = "worker " + std::to_string(*req.worker) + " has not started";
            return out;
        }
        out.workers.push_back(*req.worker);
    } else {
        for (std::size_t i = 0; i < _slots.size(); ++i) {
            out.workers.push_back(i);
        }
    }
    core::unique_fd file = make_private_file();
    if (!start_cpu_profile(file.get(), tid, out.error)) {
        return out;
    }
    const bool completed = sleep_unless_cancelled(req.duration_ms, cancel);
    stop_cpu_profile();
    std::string bytes;
    if (!completed) {
        out.error = "the server is stopping";
    } else if (!read_private_file(file.get(), bytes)) {
        out.error = "cannot read the profile back";
    } else {
        out.profiles.push_back(std::move(bytes));
    }
    return out;
}

} // namespace rpslab::server
