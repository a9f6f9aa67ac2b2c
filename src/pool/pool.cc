#include "pool/pool.h"

#include "core/clock.h"
#include "core/error.h"

#include <algorithm>
#include <cstdio>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

namespace rpslab::pool {

namespace {

// The nice value of pool threads (the event loops run at 0). Linux applies it per thread.
constexpr int job_nice = 10;

std::uint64_t to_us(std::int64_t ns) {
    return ns <= 0 ? 0 : static_cast<std::uint64_t>(ns / 1000);
}

} // namespace

bounded_pool::bounded_pool(const settings& s, core::event_loop& loop, job_sink& sink, core::counter* lock_wait_ns)
    : _loop(loop), _sink(sink), _lock_wait_ns(lock_wait_ns), _done_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      // Every job in flight has a slot: the queue, one per thread, and as many again for
      // jobs finished but not yet delivered (so a slow delivery never refuses work).
      _slots(s.queue_capacity + 2 * static_cast<std::size_t>(s.max_threads)), _policy(s), _queue(s.queue_capacity),
      _threads(s.max_threads) {
    if (!_done_fd) {
        core::throw_errno("eventfd");
    }
    for (auto& j : _slots) {
        j.next_free = _free;
        _free = &j;
    }
    _done.reserve(_slots.size());
    _delivering.reserve(_slots.size());
    if (!_loop.add(_done_fd.get(), EPOLLIN, this)) {
        core::throw_errno("epoll_ctl add pool eventfd");
    }
    std::unique_lock lock(_mutex);
    for (unsigned i = 0; i < s.min_threads && i < s.max_threads; ++i) {
        ++_live;
        lock.unlock();
        spawn();
        lock.lock();
    }
}

bounded_pool::~bounded_pool() {
    {
        std::lock_guard lock(_mutex);
        _stopping = true;
    }
    _stop_jobs.store(true, std::memory_order_relaxed); // running jobs end within a slice
    _work_ready.notify_all();
    for (auto& t : _threads) {
        if (t.thread.joinable()) {
            t.thread.join();
        }
    }
    _loop.remove(_done_fd.get());
    _loop.forget(this);
}

refusal bounded_pool::submit(const job_params& params, std::int64_t arrived_ns, void* owner,
                             std::uint64_t owner_generation) {
    const std::int64_t now = core::monotonic_ns();
    const std::int64_t deadline =
        params.deadline_ms == 0 ? 0 : arrived_ns + std::int64_t{params.deadline_ms} * 1'000'000;
    bool start_thread = false;
    {
        lock_from_loop();
        std::lock_guard lock(_mutex, std::adopt_lock);
        refusal r = _free == nullptr ? refusal::queue_full : _policy.admit(now, _queue.size(), _running, deadline);
        if (r != refusal::none) {
            ++_figures.refused[static_cast<std::size_t>(r)];
            return r;
        }
        job* j = _free;
        _free = j->next_free;
        *j = job{};
        j->params = params;
        j->arrived_ns = arrived_ns;
        j->enqueued_ns = now;
        j->deadline_ns = deadline;
        j->budget_ns = _policy.wait_budget_ns(now);
        j->owner = owner;
        j->owner_generation = owner_generation;
        _queue.push_back(j);
        if (_policy.should_spawn(_queue.size(), _idle, _live)) {
            ++_live; // counted now, so two submits do not both spawn for one job
            start_thread = true;
        }
        ++_figures.accepted;
        _figures.queue_depth = _queue.size();
        _figures.threads = _live;
        _figures.threads_peak = std::max<std::uint64_t>(_figures.threads_peak, _live);
    }
    if (start_thread) {
        spawn();
    } else {
        _work_ready.notify_one();
    }
    return refusal::none;
}

void bounded_pool::spawn() {
    lock_from_loop(); // called by submit() on the event-loop thread
    std::unique_lock lock(_mutex, std::adopt_lock);
    auto slot = std::find_if(_threads.begin(), _threads.end(), [](const thread_slot& t) { return !t.running; });
    if (slot == _threads.end()) {
        --_live; // cannot happen while _live counts every running slot
        return;
    }
    slot->running = true;
    std::thread old = std::move(slot->thread);
    lock.unlock();
    if (old.joinable()) {
        old.join(); // it has left its loop; only its return remains
    }
    try {
        std::thread t([this, &s = *slot] { thread_main(s); });
        lock.lock();
        slot->thread = std::move(t);
    } catch (const std::system_error& e) {
        // Out of threads: the jobs wait for the threads there are, or, with none left,
        // fail now rather than wait for a thread that may never come.
        std::fprintf(stderr, "rpslab: pool: cannot start a thread: %s\n", e.what());
        lock.lock();
        slot->running = false;
        --_live;
        bool wake = false;
        while (_live == 0 && !_queue.empty()) {
            job* j = _queue.pop_front();
            j->failed = true;
            finish_locked(*j, wake);
        }
        lock.unlock();
        if (wake) {
            wake_loop();
        }
    }
}

void bounded_pool::thread_main(thread_slot& slot) {
    // Jobs yield to the event loops: when jobs fill the CPU, the loops must still read
    // requests, refuse what cannot be taken and serve the light workloads at once.
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), job_nice);
    std::unique_lock lock(_mutex);
    for (;;) {
        bool wake = false;
        job* j = _stopping ? nullptr : take_locked(core::monotonic_ns(), wake);
        if (j != nullptr) {
            ++_running;
            lock.unlock();
            if (wake) {
                wake_loop();
            }
            j->started_ns = core::monotonic_ns();
            j->failed = !run_job(j->params, &_stop_jobs);
            j->finished_ns = core::monotonic_ns();
            lock.lock();
            --_running;
            wake = false;
            finish_locked(*j, wake);
            if (wake) {
                lock.unlock();
                wake_loop();
                lock.lock();
            }
            continue;
        }
        if (wake) {
            lock.unlock();
            wake_loop();
            lock.lock();
        }
        if (_stopping) {
            break;
        }
        ++_idle;
        const bool work = _work_ready.wait_for(lock, std::chrono::nanoseconds(_policy.config().idle_retire_ns),
                                               [this] { return _stopping || !_queue.empty(); });
        --_idle;
        if (!work && _policy.should_retire(_live)) {
            break;
        }
    }
    --_live;
    slot.running = false; // its std::thread is joined by the next spawn into this slot
}

// Sheds what waited too long, oldest first (under LIFO the oldest are the ones that age),
// then picks the job to run: the newest under overload, else the oldest.
job* bounded_pool::take_locked(std::int64_t now_ns, bool& wake) {
    for (;;) {
        while (!_queue.empty() && shed_locked(*_queue.front(), now_ns, wake)) {
            _queue.pop_front();
        }
        if (_queue.empty()) {
            _policy.on_queue_empty(now_ns);
            return nullptr;
        }
        job* j = _policy.serve_newest() ? _queue.pop_back() : _queue.pop_front();
        // Under LIFO the job taken is not the one just checked: it may be past its deadline.
        if (shed_locked(*j, now_ns, wake)) {
            continue;
        }
        _policy.on_dequeue(now_ns, now_ns - j->enqueued_ns);
        return j;
    }
}

// Drops `j` with its 503 if it waited past its budget or can no longer meet its deadline.
bool bounded_pool::shed_locked(job& j, std::int64_t now_ns, bool& wake) {
    refusal r = _policy.check_waited(now_ns, j.enqueued_ns, j.budget_ns, j.deadline_ns);
    if (r == refusal::none) {
        return false;
    }
    if (r == refusal::shed) {
        _policy.on_pressure(now_ns);
    }
    j.refused = r;
    j.finished_ns = now_ns;
    finish_locked(j, wake);
    return true;
}

void bounded_pool::finish_locked(job& j, bool& wake) {
    if (j.refused == refusal::none && !j.failed) {
        _policy.on_complete(j.finished_ns, j.started_ns - j.enqueued_ns, j.finished_ns - j.started_ns);
    }
    wake = wake || _done.empty(); // the loop drains the whole list per wake-up
    _done.push_back(&j);
}

void bounded_pool::wake_loop() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(_done_fd.get(), &one, sizeof one);
}

void bounded_pool::on_events(std::uint32_t) {
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(_done_fd.get(), &count, sizeof count);
    {
        lock_from_loop();
        std::lock_guard lock(_mutex, std::adopt_lock);
        _delivering.swap(_done); // both reserved for every slot: no allocation
        _figures.queue_depth = _queue.size();
        _figures.threads = _live;
    }
    for (job* j : _delivering) {
        deliver(*j);
    }
    _delivering.clear();
}

void bounded_pool::deliver(job& j) {
    if (j.refused != refusal::none) {
        ++_figures.refused[static_cast<std::size_t>(j.refused)];
        _figures.shed_us.record(to_us(j.finished_ns - j.arrived_ns));
    } else if (j.failed) {
        ++_figures.failed;
    } else {
        ++_figures.completed;
        _figures.latency_us.record(to_us(j.finished_ns - j.arrived_ns));
        _figures.queued_us.record(to_us(j.started_ns - j.enqueued_ns));
    }
    _sink.on_job_done(j);
    j.next_free = _free;
    _free = &j;
}

} // namespace rpslab::pool
