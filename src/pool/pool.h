// One worker's bounded adaptive pool: the threads that run /work jobs off the event loop,
// the bounded queue in front of them, admission at submit time and shedding before a job
// runs (policy.h). Finished jobs are handed back to the event loop through an eventfd.
#pragma once

#include "core/counter.h"
#include "core/event_loop.h"
#include "core/fd.h"
#include "core/timed_lock.h"
#include "pool/figures.h"
#include "pool/job.h"
#include "pool/policy.h"
#include "pool/ring.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rpslab::pool {

// Receives every submitted job exactly once, on the event-loop thread, finished or not
// (job::refused, job::failed). The job's slot is reused after the call returns.
class job_sink {
public:
    virtual void on_job_done(job& j) = 0;

protected:
    ~job_sink() = default;
};

class bounded_pool final : public core::event_handler {
public:
    // Starts settings.min_threads threads and registers its eventfd with `loop`. Both
    // `loop` and `sink` must outlive the pool. `lock_wait_ns` (may be null; must outlive
    // the pool) receives the time the event-loop thread waits for the pool's mutex.
    bounded_pool(const settings& s, core::event_loop& loop, job_sink& sink, core::counter* lock_wait_ns = nullptr);
    // Stops the threads after their current job; queued jobs are dropped without a call.
    ~bounded_pool();
    bounded_pool(const bounded_pool&) = delete;
    bounded_pool& operator=(const bounded_pool&) = delete;

    // Event-loop thread only. Admits the job (the sink hears of it later) or refuses it
    // at once without taking a slot: the caller answers 503.
    refusal submit(const job_params& params, std::int64_t arrived_ns, void* owner, std::uint64_t owner_generation);

    // Event-loop thread only. The counts, gauges and histograms so far.
    figures& stats() { return _figures; }
    const settings& config() const { return _policy.config(); }
    // Threads alive now (they retire down to settings.min_threads when idle). Read without
    // the lock: the loop publishes it every second, and an idle server must take no lock.
    unsigned live_threads() const { return _live.load(std::memory_order_relaxed); }

    void on_events(std::uint32_t events) override; // finished jobs are ready

private:
    struct thread_slot {
        std::thread thread;
        bool running = false;
    };

    void thread_main(thread_slot& slot);
    job* take_locked(std::int64_t now_ns, bool& wake); // nullptr when nothing may run
    bool shed_locked(job& j, std::int64_t now_ns, bool& wake);
    void finish_locked(job& j, bool& wake);
    void spawn();
    void deliver(job& j);
    void wake_loop();
    // The event-loop thread's way to take _mutex: contended waits are timed.
    void lock_from_loop() { core::lock_timed(_mutex, _lock_wait_ns); }

    core::event_loop& _loop;
    job_sink& _sink;
    core::counter* _lock_wait_ns;
    core::unique_fd _done_fd;
    std::vector<job> _slots;
    job* _free = nullptr; // event-loop thread only
    figures _figures;     // event-loop thread only

    std::atomic<bool> _stop_jobs{false}; // running jobs cut their hold short: shutting down

    std::mutex _mutex; // guards everything below but _delivering (event-loop thread only)
    std::condition_variable _work_ready;
    policy _policy;
    ring<job> _queue;
    std::vector<job*> _done;       // finished, not yet delivered
    std::vector<job*> _delivering; // swapped with _done by the event loop
    std::vector<thread_slot> _threads;
    std::atomic<unsigned> _live{0}; // written under _mutex only
    unsigned _idle = 0;
    std::size_t _running = 0;
    bool _stopping = false;
};

} // namespace rpslab::pool
