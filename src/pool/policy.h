// The pool's decisions, with no threads and no clock of their own: whether a job is admitted,
// whether a queued job is shed before it runs, which end of the queue is served, and when
// threads are added or retired. Every call takes the time, so tests drive it with a fake clock.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>

namespace rpslab::pool {

enum class limit_mode : std::uint8_t { fixed, adaptive };

// Every knob has a flag of the same name on `rpslab serve` (docs/overload.md).
struct settings {
    unsigned min_threads = 4;
    unsigned max_threads = 256;
    std::size_t queue_capacity = 4096;
    // CoDel-style (Nichols and Jacobson; the job-queue form of "Fail at Scale"): the queue
    // stands when no job of a whole interval waited less than `target_ns`. Admission aims
    // at the target while the pool is overloaded, at the interval otherwise; a queued job
    // is shed past the target while the queue stands, past the interval otherwise.
    std::int64_t target_ns = 5'000'000;
    std::int64_t interval_ns = 100'000'000;
    std::int64_t idle_retire_ns = 1'000'000'000; // a thread idle this long exits (above min)
    limit_mode limit = limit_mode::fixed;
    unsigned retry_after_s = 1; // the Retry-After of a 503
};

// Why a job got no answer from the pool but a 503.
enum class refusal : std::uint8_t {
    none,
    queue_full, // at submit: no room in the bounded queue
    overloaded, // at submit: the expected wait is past what the queue may hold now
    limit,      // at submit: the adaptive concurrency limit is reached
    deadline,   // at submit or dequeue: the client's deadline cannot be or was not met
    shed,       // at dequeue: waited past the budget it was admitted under
    count_,
};
const char* refusal_name(refusal r);

// Not thread-safe: the pool calls it with its lock held.
class policy {
public:
    explicit policy(const settings& s);

    // O(1). `queued` and `running` are the jobs waiting and running now; `deadline_ns` the
    // job's absolute deadline, or 0 for none. A refusal for any reason but the client's
    // deadline counts as pressure (below).
    refusal admit(std::int64_t now_ns, std::size_t queued, std::size_t running, std::int64_t deadline_ns);

    // Why a job enqueued at `enqueued_ns` with the wait budget it was admitted under
    // (wait_budget_ns() then) and its deadline (0: none) must not run now, or none.
    refusal check_waited(std::int64_t now_ns, std::int64_t enqueued_ns, std::int64_t budget_ns,
                         std::int64_t deadline_ns) const;

    // A thread took a job that waited `sojourn_ns` to run it, or (on_queue_empty) found
    // nothing to run. CoDel's measure: if even the shortest wait of a whole interval was
    // above the target, the queue is a standing one ("bad queue").
    void on_dequeue(std::int64_t now_ns, std::int64_t sojourn_ns);
    void on_queue_empty(std::int64_t now_ns) { on_dequeue(now_ns, 0); }
    // A job was shed or refused at `now_ns`.
    void on_pressure(std::int64_t now_ns) { _last_pressure_ns = now_ns; }

    // Overloaded: the queue stands, or work was shed or refused within the last interval.
    // The second half keeps the state while admission itself holds the queue short (it
    // would otherwise drain, end the overload, let a whole interval's worth of queue in,
    // and swing back and forth).
    bool overloaded(std::int64_t now_ns) const {
        return _standing_queue || now_ns - _last_pressure_ns < _s.interval_ns;
    }
    // Adaptive LIFO: while the queue stands, the newest job runs first, so what is
    // accepted stays fast while the old jobs age out. Admission keeps the queue within
    // the target in the common case, so FIFO serves and nothing admitted is shed.
    bool serve_newest() const { return _standing_queue; }
    // How long a job admitted now may wait before it is shed: the target under
    // overload, the interval otherwise. A job keeps the budget it was admitted under, so
    // a change of state never sheds work that was let in on other terms.
    std::int64_t wait_budget_ns(std::int64_t now_ns) const {
        return overloaded(now_ns) ? _s.target_ns : _s.interval_ns;
    }
    // The expected wait admission allows: half the budget (the estimate is an average;
    // admitting right at the budget would often see the job shed after waiting for it).
    std::int64_t admit_wait_ns(std::int64_t now_ns) const { return wait_budget_ns(now_ns) / 2; }

    // A job finished at `now_ns` after waiting `queued_ns` and running `ran_ns`: updates the
    // service time estimate and, in adaptive mode, the concurrency limit (additive increase
    // per timely job; multiplicative decrease for a late one, at most once per interval).
    void on_complete(std::int64_t now_ns, std::int64_t queued_ns, std::int64_t ran_ns);

    bool should_spawn(std::size_t queued, unsigned idle_threads, unsigned live_threads) const {
        return queued > idle_threads && live_threads < _s.max_threads;
    }
    bool should_retire(unsigned live_threads) const { return live_threads > _s.min_threads; }

    double concurrency_limit() const { return _limit; }
    std::int64_t service_estimate_ns() const { return _service_ns; }
    const settings& config() const { return _s; }

private:
    refusal decide(std::int64_t now_ns, std::size_t queued, std::size_t running, std::int64_t deadline_ns) const;
    std::int64_t expected_wait_ns(std::size_t in_flight) const;

    settings _s;
    std::int64_t _window_end_ns = INT64_MIN; // the interval in which sojourns are watched
    std::int64_t _window_min_ns = INT64_MAX; // the shortest wait seen in it
    bool _standing_queue = false;            // as of the last interval
    std::int64_t _last_pressure_ns = INT64_MIN / 2;
    std::int64_t _service_ns = 0; // moving average of run time; 0 until a job finished
    double _limit;                // adaptive mode: jobs in flight allowed (queued + running)
    std::int64_t _last_decrease_ns = INT64_MIN / 2;
};

} // namespace rpslab::pool
