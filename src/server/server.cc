#include "server/server.h"

#include "app/workloads.h"
#include "core/affinity.h"
#include "core/clock.h"
#include "core/socket.h"
#include "server/debug_listener.h"
#include "server/live_stats.h"
#include "server/local_debug_target.h"
#include "server/work_summary.h"
#include "server/worker.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <latch>
#include <memory>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rpslab::server {

namespace {

// Signals the supervisor waits for; every thread blocks them so that sigtimedwait sees them.
sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

struct worker_slot {
    core::unique_fd listener;
    worker_counters* counters = nullptr; // one of serve_threads' contiguous array
    std::unique_ptr<worker> instance;    // made on its own thread, so its memory is local to it
    std::thread thread;
    std::atomic<bool> finished{false};
    std::string failure;
};

void run_slot(worker_slot& slot, const serve_config& config, const app::dataset& data, std::size_t index,
              std::span<const worker_counters> all, std::latch& ready) {
    if (!config.cpus.empty()) {
        int cpu = config.cpus[index % config.cpus.size()];
        if (int err = core::pin_current_thread(cpu); err != 0) {
            std::fprintf(stderr, "rpslab: worker %zu: cannot pin to CPU %d: %s; it runs unpinned\n", index, cpu,
                         std::strerror(err));
        }
    }
    try {
        slot.instance = std::make_unique<worker>(config, data, index, slot.listener.get(), *slot.counters, all);
    } catch (const std::exception& e) {
        slot.failure = e.what();
    }
    ready.count_down();
    if (slot.instance) {
        slot.instance->run();
    }
    slot.finished.store(true, std::memory_order_release);
}

bool all_finished(const std::vector<std::unique_ptr<worker_slot>>& slots) {
    for (const auto& s : slots) {
        if (!s->finished.load(std::memory_order_acquire)) {
            return false;
        }
    }
    return true;
}

// Waits for the first stop signal, or for a worker that ended on its own (a failure);
// meanwhile prints the --stats lines.
int wait_for_stop(const std::vector<std::unique_ptr<worker_slot>>& slots, live_stats& stats) {
    sigset_t set = stop_signals();
    for (;;) {
        const std::int64_t now_ms = core::monotonic_ms();
        const std::int64_t wait_ms = std::clamp<std::int64_t>(stats.poll(now_ms) - now_ms, 1, 200);
        timespec tick{0, static_cast<long>(wait_ms) * 1'000'000};
        int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig > 0) {
            return sig;
        }
        for (const auto& s : slots) {
            if (s->finished.load(std::memory_order_acquire)) {
                return 0;
            }
        }
    }
}

// Asks every worker to drain (each enforces the grace period itself) and waits for them.
void drain(std::vector<std::unique_ptr<worker_slot>>& slots) {
    for (auto& s : slots) {
        if (s->instance) {
            s->instance->request_stop();
        }
    }
    sigset_t set = stop_signals();
    timespec tick{0, 50'000'000};
    while (!all_finished(slots)) {
        if (sigtimedwait(&set, nullptr, &tick) > 0) {
            std::fprintf(stderr, "rpslab: second signal: stopping now without waiting for requests in flight\n");
            std::fflush(stderr);
            std::_Exit(1);
        }
    }
}

} // namespace

int serve_threads(serve_config config) {
    resolve(config);
    core::raise_open_files_limit();
    sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);

    const app::dataset data = app::dataset::build(config.seed);
    core::endpoint bound = core::claim_port(config.listen);
    std::vector<worker_counters> counters(config.workers); // contiguous: /metrics sums them all
    std::vector<std::unique_ptr<worker_slot>> slots;
    for (unsigned i = 0; i < config.workers; ++i) {
        slots.push_back(std::make_unique<worker_slot>());
        slots.back()->counters = &counters[i];
        slots.back()->listener = core::listen_reuseport(bound, config.listen_backlog);
    }
    std::latch ready(static_cast<std::ptrdiff_t>(slots.size()));
    for (std::size_t i = 0; i < slots.size(); ++i) {
        slots[i]->thread = std::thread(run_slot, std::ref(*slots[i]), std::cref(config), std::cref(data), i,
                                       std::span<const worker_counters>(counters), std::ref(ready));
    }
    ready.wait();
    std::string failure;
    for (auto& s : slots) {
        if (!s->failure.empty()) {
            failure = s->failure;
        }
    }
    if (!failure.empty()) {
        drain(slots);
        for (auto& s : slots) {
            s->thread.join();
        }
        throw std::runtime_error("worker start-up failed: " + failure);
    }
    // The debug listener's threads start with the stop signals blocked (set above).
    local_debug_target debug_target(counters);
    std::unique_ptr<debug_listener> debug;
    if (config.debug_listen.len != 0) {
        debug = std::make_unique<debug_listener>(config.debug_listen, debug_target);
        std::fprintf(stderr, "rpslab: debug listener on %s\n", debug->bound().to_string().c_str());
    }
    std::fprintf(stderr, "rpslab: listening on %s (threads, %u workers)\n", bound.to_string().c_str(), config.workers);
    std::fflush(stderr);

    live_stats stats(config.stats_interval_ms, counters);
    int sig = wait_for_stop(slots, stats);
    if (sig > 0) {
        std::fprintf(stderr, "rpslab: %s: draining (grace %lld ms)\n", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                     static_cast<long long>(config.grace_ms));
    } else {
        std::fprintf(stderr, "rpslab: a worker stopped unexpectedly; stopping the others\n");
    }
    if (debug) {
        debug->stop(); // a profile in flight ends now, before the workers go
    }
    drain(slots);
    std::uint64_t requests = 0;
    pool::figures work;
    for (auto& s : slots) {
        s->thread.join();
        requests += s->counters->requests;
        if (s->instance) {
            work.merge(s->instance->work_figures()); // its thread has ended: nothing writes them now
        }
    }
    print_work_summary(config, std::move(work), "");
    std::fprintf(stderr, "rpslab: stopped after %llu requests\n", static_cast<unsigned long long>(requests));
    return sig > 0 ? 0 : 2;
}

} // namespace rpslab::server
