#include "server/supervisor.h"

#include "app/workloads.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/event_loop.h"
#include "core/socket.h"
#include "server/control.h"
#include "server/debug_listener.h"
#include "server/debug_relay.h"
#include "server/live_stats.h"
#include "server/worker_process.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <signal.h>
#include <span>
#include <string.h>
#include <string>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace rpslab::server {

namespace {

// How a worker process ends when the naive control passed its memory cap (pool/naive.h).
constexpr int naive_cap_exit_status = 3;

// A worker that served this long before dying was not crash-looping: restart it at once.
constexpr std::int64_t stable_after_ms = 10'000;
constexpr std::int64_t first_backoff_ms = 100;
constexpr std::int64_t max_backoff_ms = 5'000;
// After the grace period, how long drained workers may take to exit before SIGKILL.
constexpr std::int64_t exit_margin_ms = 2'000;

std::string describe_exit(int status) {
    if (WIFSIGNALED(status)) {
        const char* abbrev = sigabbrev_np(WTERMSIG(status));
        return "killed by signal " + std::to_string(WTERMSIG(status)) + " (SIG" + (abbrev ? abbrev : "?") + ")";
    }
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

// Per-worker counters in memory shared with the worker processes: a restarted worker keeps
// adding to its predecessor's counts (the seam of the metrics issue).
class shared_counters {
public:
    explicit shared_counters(std::size_t n) : _n(n) {
        void* p = ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            core::throw_errno("mmap shared counters");
        }
        _slots = new (p) worker_counters[n];
    }
    ~shared_counters() { ::munmap(_slots, bytes()); }
    worker_counters& operator[](std::size_t i) { return _slots[i]; }
    std::span<worker_counters> all() { return {_slots, _n}; }

private:
    std::size_t bytes() const { return _n * sizeof(worker_counters); }
    std::size_t _n;
    worker_counters* _slots;
};

class supervisor;

struct slot_state final : core::event_handler {
    slot_state(supervisor& s, std::size_t i) : owner(s), index(i) {}
    void on_events(std::uint32_t) override;

    supervisor& owner;
    std::size_t index;
    core::unique_fd listener;
    core::unique_fd control; // the supervisor's end
    pid_t pid = 0;
    bool serving = false;
    bool draining = false;
    std::int64_t started_ms = 0;
    std::int64_t serving_since_ms = 0;
    std::int64_t died_ms = 0; // when the last worker of this slot died (restart latency)
    unsigned starts = 0;
    unsigned failures = 0;          // consecutive exits before stable_after_ms
    std::int64_t restart_at_ms = 0; // 0: nothing scheduled
    int adopted_by = -1;            // the slot whose worker serves our listener while we are down
};

class supervisor final : core::event_handler {
public:
    supervisor(serve_config& config, const app::dataset& data, const core::endpoint& bound);
    int run();
    void on_control(slot_state& s);

private:
    void on_events(std::uint32_t) override; // the signalfd
    void start_worker(slot_state& s);
    void reap();
    void on_worker_exit(slot_state& s, int status);
    void schedule_restart(slot_state& s);
    void hand_off(slot_state& down);
    void take_back(slot_state& up);
    void begin_stop(int sig);
    void announce_if_ready();
    void tick();
    int wait_timeout_ms() const;
    bool all_exited() const;
    slot_state* slot_of(pid_t pid);

    serve_config& _config;
    const app::dataset& _data;
    core::endpoint _bound;
    std::optional<core::event_loop> _loop; // optional: a forked worker closes it first thing
    core::unique_fd _signals;
    shared_counters _counters;
    live_stats _stats;
    std::vector<std::unique_ptr<slot_state>> _slots;
    // --debug-listen: its threads post requests to the relay, which this loop serves.
    std::optional<debug_relay> _relay;
    std::unique_ptr<debug_listener> _debug;
    std::size_t _next_adopter = 0;
    std::int64_t _now_ms = 0;
    int _exit_status = 0;
    std::int64_t _kill_at_ms = 0;
    bool _announced = false;
    bool _stopping = false;
};

void slot_state::on_events(std::uint32_t) {
    owner.on_control(*this);
}

supervisor::supervisor(serve_config& config, const app::dataset& data, const core::endpoint& bound)
    : _config(config), _data(data), _bound(bound), _counters(config.workers),
      _stats(config.stats_interval_ms, _counters.all()) {
    _loop.emplace();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    _signals.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!_signals) {
        core::throw_errno("signalfd");
    }
    _loop->add(_signals.get(), EPOLLIN, this);
    for (std::size_t i = 0; i < config.workers; ++i) {
        _slots.push_back(std::make_unique<slot_state>(*this, i));
        _slots.back()->listener = core::listen_reuseport(bound, config.listen_backlog);
    }
    if (config.debug_listen.len != 0) {
        _relay.emplace(*_loop, _counters.all(), [this](std::size_t i) {
            const slot_state& s = *_slots[i];
            return s.pid != 0 && s.serving && s.control ? s.control.get() : -1;
        });
        // After the signals were blocked above: the listener's threads inherit the mask.
        _debug = std::make_unique<debug_listener>(config.debug_listen, *_relay);
        std::fprintf(stderr, "rpslab: debug listener on %s\n", _debug->bound().to_string().c_str());
    }
}

int supervisor::run() {
    _now_ms = core::monotonic_ms();
    for (auto& s : _slots) {
        start_worker(*s);
    }
    while (!(_stopping && all_exited())) {
        if (_loop->wait(wait_timeout_ms()) < 0) {
            core::throw_errno("epoll_wait");
        }
        _now_ms = core::monotonic_ms();
        _loop->dispatch();
        tick();
    }
    _debug.reset(); // joins its threads: nothing asks the relay any more
    std::uint64_t requests = 0;
    for (std::size_t i = 0; i < _slots.size(); ++i) {
        requests += _counters[i].requests;
    }
    std::fprintf(stderr, "rpslab: stopped after %llu requests\n", static_cast<unsigned long long>(requests));
    return _exit_status;
}

void supervisor::start_worker(slot_state& s) {
    auto [mine, theirs] = make_control_pair();
    ++s.starts;
    if (s.starts > 1) {
        _counters[s.index].metrics.restarts.add(); // the supervisor is this field's only writer
    }
    const bool crash = static_cast<int>(s.index) == _config.fault_slot && s.starts <= _config.fault_crashes;
    std::fflush(stderr);
    pid_t pid = ::fork();
    if (pid < 0) {
        std::fprintf(stderr, "rpslab: fork for worker %zu: %s\n", s.index, strerror(errno));
        s.failures = std::max(s.failures, 2u); // back off: an immediate retry would fail the same way
        schedule_restart(s);
        return;
    }
    if (pid == 0) {
        // The child keeps its own listener and control end, and nothing else of ours.
        mine.reset();
        if (_debug) {
            _debug->close_in_child(); // its threads exist only in the supervisor
            _relay->close_in_child();
        }
        _loop.reset();
        _signals.reset();
        for (auto& other : _slots) {
            other->control.reset();
            if (other.get() != &s) {
                other->listener.reset();
            }
        }
        run_worker_process(_config, _data, s.index, s.listener.get(), std::move(theirs), _counters.all(), crash);
    }
    s.pid = pid;
    s.serving = false;
    s.started_ms = _now_ms;
    s.control = std::move(mine);
    _loop->add(s.control.get(), EPOLLIN, &s);
}

void supervisor::on_control(slot_state& s) {
    control_message msg;
    core::unique_fd unused;
    while (receive_control(s.control.get(), msg, unused) > 0) {
        if (msg.type == control_type::started) {
            s.started_ms = _now_ms;
        } else if (msg.type == control_type::debug_done && _relay) {
            _relay->on_done(msg);
        } else if (msg.type == control_type::draining) {
            s.draining = true;
        } else if (msg.type == control_type::serving) {
            s.serving = true;
            s.serving_since_ms = _now_ms;
            if (s.died_ms > 0) {
                std::fprintf(stderr, "rpslab: worker %zu (pid %d) serving again, %lld ms after its predecessor died\n",
                             s.index, s.pid, static_cast<long long>(_now_ms - s.died_ms));
                s.died_ms = 0;
            }
            take_back(s);
        }
    }
    announce_if_ready();
}

// The listening line, once every slot has either served or failed its first start: a slot
// that cannot start must not hide that the others serve.
void supervisor::announce_if_ready() {
    if (_announced || _stopping ||
        !std::all_of(_slots.begin(), _slots.end(), [](auto& x) { return x->serving || x->starts > 1; })) {
        return;
    }
    _announced = true;
    std::fprintf(stderr, "rpslab: listening on %s (processes, %u workers)\n", _bound.to_string().c_str(),
                 _config.workers);
    std::fflush(stderr);
}

void supervisor::on_events(std::uint32_t) {
    signalfd_siginfo info;
    while (::read(_signals.get(), &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGCHLD) {
            reap();
        } else {
            begin_stop(static_cast<int>(info.ssi_signo));
        }
    }
}

void supervisor::reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (slot_state* s = slot_of(pid)) {
            on_worker_exit(*s, status);
        }
    }
}

void supervisor::on_worker_exit(slot_state& s, int status) {
    const std::int64_t lived_ms = _now_ms - s.started_ms;
    const double served_s = s.serving ? static_cast<double>(_now_ms - s.serving_since_ms) / 1000.0 : 0.0;
    std::fprintf(stderr, "rpslab: worker %zu (pid %d) %s after %.1f s (serving %.1f s%s)\n", s.index, s.pid,
                 describe_exit(status).c_str(), static_cast<double>(lived_ms) / 1000.0, served_s,
                 s.draining ? ", drained" : "");

    _loop->remove(s.control.get());
    _loop->forget(&s);
    s.control.reset();
    if (_relay) {
        _relay->on_worker_exit(s.index);
    }
    s.pid = 0;
    s.serving = false;
    s.draining = false;
    s.died_ms = _now_ms;
    // Listeners this worker adopted are gone with it: find their slots another survivor.
    for (auto& other : _slots) {
        if (other->adopted_by == static_cast<int>(s.index)) {
            other->adopted_by = -1;
            if (!_stopping && other->pid == 0) {
                hand_off(*other);
            }
        }
    }
    if (_stopping) {
        return;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == naive_cap_exit_status) {
        // The naive control's memory cap: the point is to stop, not to start another.
        std::fprintf(stderr, "rpslab: worker %zu stopped at the --naive-max-rss cap; stopping the server\n", s.index);
        _exit_status = naive_cap_exit_status;
        begin_stop(SIGTERM);
        return;
    }
    s.failures = lived_ms < stable_after_ms ? s.failures + 1 : 1;
    schedule_restart(s);
    announce_if_ready();
}

// The first failure restarts at once; repeated ones back off exponentially, and meanwhile
// a survivor serves the slot's listener, so the share of new connections the kernel keeps
// hashing to it is not left waiting.
void supervisor::schedule_restart(slot_state& s) {
    if (s.failures <= 1) {
        start_worker(s);
        return;
    }
    std::int64_t delay = first_backoff_ms << std::min<unsigned>(s.failures - 2, 6);
    delay = std::min(delay, max_backoff_ms);
    s.restart_at_ms = _now_ms + delay;
    std::fprintf(stderr, "rpslab: worker %zu is crash-looping (%u failures in a row); next start in %lld ms\n", s.index,
                 s.failures, static_cast<long long>(delay));
    hand_off(s);
}

void supervisor::hand_off(slot_state& down) {
    if (down.adopted_by >= 0) {
        return;
    }
    for (std::size_t tries = 0; tries < _slots.size(); ++tries) {
        slot_state& candidate = *_slots[_next_adopter++ % _slots.size()];
        if (&candidate == &down || !candidate.serving) {
            continue;
        }
        control_message msg{control_type::adopt, static_cast<std::uint32_t>(down.index), 0, 0};
        if (send_control(candidate.control.get(), msg, down.listener.get())) {
            down.adopted_by = static_cast<int>(candidate.index);
            std::fprintf(stderr, "rpslab: worker %zu serves the listener of slot %zu until it is back\n",
                         candidate.index, down.index);
            return;
        }
    }
    std::fprintf(stderr, "rpslab: no surviving worker can serve slot %zu's listener; its connections wait\n",
                 down.index);
}

void supervisor::take_back(slot_state& up) {
    if (up.adopted_by < 0) {
        return;
    }
    slot_state& adopter = *_slots[static_cast<std::size_t>(up.adopted_by)];
    if (adopter.pid != 0) {
        send_control(adopter.control.get(), {control_type::release, static_cast<std::uint32_t>(up.index), 0, 0});
    }
    up.adopted_by = -1;
}

void supervisor::begin_stop(int sig) {
    if (_stopping) {
        std::fprintf(stderr, "rpslab: second signal: stopping now without waiting for requests in flight\n");
        for (auto& s : _slots) {
            if (s->pid != 0) {
                ::kill(s->pid, SIGKILL);
            }
        }
        std::fflush(stderr);
        std::_Exit(1);
    }
    _stopping = true;
    _kill_at_ms = _now_ms + _config.grace_ms + exit_margin_ms;
    std::fprintf(stderr, "rpslab: %s: draining (grace %lld ms)\n", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                 static_cast<long long>(_config.grace_ms));
    for (auto& s : _slots) {
        s->restart_at_ms = 0;
        if (s->pid != 0) {
            ::kill(s->pid, SIGTERM);
        }
    }
}

void supervisor::tick() {
    _stats.poll(_now_ms);
    if (_stopping) {
        if (_now_ms >= _kill_at_ms) {
            for (auto& s : _slots) {
                if (s->pid != 0) {
                    std::fprintf(stderr, "rpslab: worker %zu (pid %d) did not stop in time; killing it\n", s->index,
                                 s->pid);
                    ::kill(s->pid, SIGKILL);
                }
            }
            _kill_at_ms = _now_ms + 1000;
        }
        return;
    }
    for (auto& s : _slots) {
        if (s->restart_at_ms != 0 && _now_ms >= s->restart_at_ms) {
            s->restart_at_ms = 0;
            start_worker(*s);
        }
    }
}

int supervisor::wait_timeout_ms() const {
    std::int64_t next = _now_ms + 1000;
    for (const auto& s : _slots) {
        if (s->restart_at_ms != 0) {
            next = std::min(next, s->restart_at_ms);
        }
    }
    if (_stopping) {
        next = std::min(next, _kill_at_ms);
    }
    next = std::min(next, _stats.next_ms());
    return static_cast<int>(std::max<std::int64_t>(next - _now_ms, 0));
}

bool supervisor::all_exited() const {
    return std::all_of(_slots.begin(), _slots.end(), [](const auto& s) { return s->pid == 0; });
}

slot_state* supervisor::slot_of(pid_t pid) {
    for (auto& s : _slots) {
        if (s->pid == pid) {
            return s.get();
        }
    }
    return nullptr;
}

} // namespace

int serve_processes(serve_config config) {
    resolve(config);
    core::raise_open_files_limit();
    signal(SIGPIPE, SIG_IGN);
    // Built once before forking: every worker shares these pages copy-on-write, and since
    // nobody writes them, they stay shared.
    const app::dataset data = app::dataset::build(config.seed);
    core::endpoint bound = core::claim_port(config.listen);
    supervisor s(config, data, bound);
    return s.run();
}

} // namespace rpslab::server
