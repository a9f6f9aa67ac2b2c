#include "pool/policy.h"

#include <algorithm>

namespace rpslab::pool {

namespace {

// The weight of the newest run time in the service estimate: about the last 16 jobs.
constexpr std::int64_t service_weight_shift = 4;
// AIMD: a late job shrinks the limit by this factor; an on-time one grows it by 1/limit.
constexpr double limit_decrease = 0.9;

} // namespace

const char* refusal_name(refusal r) {
    switch (r) {
    case refusal::none:
        return "none";
    case refusal::queue_full:
        return "queue_full";
    case refusal::overloaded:
        return "overloaded";
    case refusal::limit:
        return "limit";
    case refusal::deadline:
        return "deadline";
    case refusal::shed:
        return "shed";
    case refusal::count_:
        break;
    }
    return "?";
}

policy::policy(const settings& s) : _s(s), _limit(static_cast<double>(s.max_threads)) {}

// Jobs beyond what the pool can run at once wait for a share of the threads each; with M
// threads and a service time S, the k-th job in excess starts after about k x S / M.
std::int64_t policy::expected_wait_ns(std::size_t in_flight) const {
    if (in_flight < _s.max_threads || _service_ns == 0) {
        return 0;
    }
    const auto excess = static_cast<std::int64_t>(in_flight - _s.max_threads + 1);
    return excess * _service_ns / static_cast<std::int64_t>(_s.max_threads);
}

refusal policy::admit(std::int64_t now_ns, std::size_t queued, std::size_t running, std::int64_t deadline_ns) {
    refusal r = decide(now_ns, queued, running, deadline_ns);
    // One client's short deadline says nothing of the load: it is not pressure.
    if (r != refusal::none && r != refusal::deadline) {
        on_pressure(now_ns);
    }
    return r;
}

refusal policy::decide(std::int64_t now_ns, std::size_t queued, std::size_t running, std::int64_t deadline_ns) const {
    if (queued >= _s.queue_capacity) {
        return refusal::queue_full;
    }
    if (_s.limit == limit_mode::adaptive && static_cast<double>(queued + running) >= std::max(1.0, _limit)) {
        return refusal::limit;
    }
    if (_service_ns == 0 && queued >= _s.max_threads) {
        // No job has finished yet, so no wait can be estimated: queue no more than one
        // round of threads (a cold start under a burst would otherwise admit a whole queue).
        return refusal::overloaded;
    }
    const std::int64_t wait_ns = expected_wait_ns(queued + running);
    if (deadline_ns != 0 && now_ns + wait_ns + _service_ns > deadline_ns) {
        return refusal::deadline;
    }
    // Refusing now what would wait too long answers the client at once instead of after
    // the wait.
    if (queued > 0 && wait_ns > admit_wait_ns(now_ns)) {
        return refusal::overloaded;
    }
    return refusal::none;
}

refusal policy::check_waited(std::int64_t now_ns, std::int64_t enqueued_ns, std::int64_t budget_ns,
                             std::int64_t deadline_ns) const {
    if (deadline_ns != 0 && now_ns + _service_ns > deadline_ns) {
        return refusal::deadline;
    }
    if (now_ns - enqueued_ns > budget_ns) {
        return refusal::shed;
    }
    return refusal::none;
}

void policy::on_dequeue(std::int64_t now_ns, std::int64_t sojourn_ns) {
    if (now_ns >= _window_end_ns) {
        if (_window_end_ns != INT64_MIN) {
            _standing_queue = _window_min_ns > _s.target_ns;
        }
        _window_min_ns = INT64_MAX;
        _window_end_ns = now_ns + _s.interval_ns;
    }
    _window_min_ns = std::min(_window_min_ns, sojourn_ns);
}

void policy::on_complete(std::int64_t now_ns, std::int64_t queued_ns, std::int64_t ran_ns) {
    _service_ns = _service_ns == 0 ? ran_ns : _service_ns + ((ran_ns - _service_ns) >> service_weight_shift);
    if (_s.limit != limit_mode::adaptive) {
        return;
    }
    const double floor = std::max(1.0, static_cast<double>(_s.min_threads));
    const double ceiling = static_cast<double>(_s.max_threads + _s.queue_capacity);
    if (queued_ns <= _s.target_ns) {
        _limit = std::min(ceiling, _limit + 1.0 / std::max(_limit, 1.0));
    } else if (now_ns - _last_decrease_ns >= _s.interval_ns) {
        // Once per interval: a batch of late jobs is one signal, not one per job.
        _limit = std::max(floor, _limit * limit_decrease);
        _last_decrease_ns = now_ns;
    }
}

} // namespace rpslab::pool
