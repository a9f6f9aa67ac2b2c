#include "server/worker_process.h"

#include "core/affinity.h"
#include "server/control.h"
#include "server/work_summary.h"
#include "server/worker_debug.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace rpslab::server {

namespace {

// Supervisor messages: listeners to adopt or release. EOF means the supervisor is gone.
class control_listener final : public core::event_handler {
public:
    control_listener(worker& w, core::unique_fd fd) : _w(w), _fd(std::move(fd)) {}
    int fd() const { return _fd.get(); }
    void set_debug(worker_debug* debug) { _debug = debug; }
    void report(control_type type, std::int64_t value = 0) {
        send_control(_fd.get(), {type, static_cast<std::uint32_t>(_w.index()), value, 0});
    }
    void on_events(std::uint32_t) override {
        control_message msg;
        core::unique_fd passed;
        for (;;) {
            int r = receive_control(_fd.get(), msg, passed);
            if (r == 0) {
                _w.request_stop();
                return;
            }
            if (r < 0) {
                return;
            }
            if (msg.type == control_type::adopt && passed) {
                _w.adopt_listener(std::move(passed), msg.slot);
            } else if (msg.type == control_type::release) {
                _w.release_listener(msg.slot);
            } else if (msg.type == control_type::profile && passed && _debug != nullptr) {
                _debug->start_profile(std::move(passed), msg.value, msg.seq);
            } else if (msg.type == control_type::heap && passed && _debug != nullptr) {
                _debug->write_heap_sample(std::move(passed), msg.seq);
            }
        }
    }

private:
    worker& _w;
    core::unique_fd _fd;
    worker_debug* _debug = nullptr;
};

// SIGTERM/SIGINT reach a worker directly too (Ctrl-C signals the whole process group).
class signal_listener final : public core::event_handler {
public:
    signal_listener(worker& w, control_listener& control, core::unique_fd fd)
        : _w(w), _control(control), _fd(std::move(fd)) {}
    int fd() const { return _fd.get(); }
    void on_events(std::uint32_t) override {
        signalfd_siginfo info;
        while (::read(_fd.get(), &info, sizeof info) == sizeof info) {
            if (!_w.draining()) {
                _control.report(control_type::draining);
            }
            _w.request_stop();
        }
    }

private:
    worker& _w;
    control_listener& _control;
    core::unique_fd _fd;
};

core::unique_fd stop_signal_fd() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    return core::unique_fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
}

void serve(const serve_config& config, const app::dataset& data, std::size_t slot, int listen_fd,
           core::unique_fd control, std::span<worker_counters> all) {
    worker w(config, data, slot, listen_fd, all[slot], all);
    control_listener ctl(w, std::move(control));
    signal_listener sig(w, ctl, stop_signal_fd());
    worker_debug debug(w.loop(), ctl.fd(), slot);
    ctl.set_debug(&debug);
    w.loop().add(ctl.fd(), EPOLLIN, &ctl);
    w.loop().add(sig.fd(), EPOLLIN, &sig);
    ctl.report(control_type::serving, ::getpid());
    w.run();
    print_work_summary(config, w.work_figures(), "worker " + std::to_string(slot) + " ");
}

} // namespace

void run_worker_process(const serve_config& config, const app::dataset& data, std::size_t slot, int listen_fd,
                        core::unique_fd control, std::span<worker_counters> all, bool crash_at_start) {
    // A worker must not outlive its supervisor: nobody would restart or drain it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    send_control(control.get(), {control_type::started, static_cast<std::uint32_t>(slot), ::getpid(), 0});
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &chld, nullptr);
    if (!config.cpus.empty()) {
        int cpu = config.cpus[slot % config.cpus.size()];
        if (int err = core::pin_current_thread(cpu); err != 0) {
            std::fprintf(stderr, "rpslab: worker %zu: cannot pin to CPU %d: %s; it runs unpinned\n", slot, cpu,
                         std::strerror(err));
        }
    }
    if (crash_at_start) {
        std::fprintf(stderr, "rpslab: worker %zu: test fault: crashing at start\n", slot);
        rlimit no_core{0, 0}; // a test crash leaves no core file behind
        ::setrlimit(RLIMIT_CORE, &no_core);
        std::abort();
    }
    try {
        serve(config, data, slot, listen_fd, std::move(control), all);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rpslab: worker %zu: %s\n", slot, e.what());
        std::fflush(stderr);
        ::_exit(2);
    }
    std::fflush(stderr);
    ::_exit(0);
}

} // namespace rpslab::server
