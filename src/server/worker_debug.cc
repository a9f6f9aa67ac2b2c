#include "server/worker_debug.h"

#include "core/error.h"
#include "server/control.h"
#include "server/profilers.h"

#include <cstdio>
#include <string>
#include <sys/timerfd.h>
#include <unistd.h>

namespace rpslab::server {

worker_debug::worker_debug(core::event_loop& loop, int control_fd, std::size_t slot)
    : _loop(loop), _control_fd(control_fd), _slot(slot),
      _timer(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (!_timer) {
        core::throw_errno("timerfd_create");
    }
    if (!_loop.add(_timer.get(), EPOLLIN, this)) {
        core::throw_errno("epoll_ctl add timerfd");
    }
}

worker_debug::~worker_debug() {
    if (_profiling) {
        stop_cpu_profile();
    }
    _loop.remove(_timer.get());
    _loop.forget(this);
}

void worker_debug::start_profile(core::unique_fd file, std::int64_t duration_ms, std::uint32_t seq) {
    std::string error;
    // The worker's own process: every thread in it (the event loop and its pool) is sampled.
    if (_profiling || !start_cpu_profile(file.get(), 0, error)) {
        finish(seq, false);
        return;
    }
    _profiling = true;
    _profile_seq = seq;
    itimerspec when{};
    when.it_value.tv_sec = duration_ms / 1000;
    when.it_value.tv_nsec = (duration_ms % 1000) * 1'000'000;
    ::timerfd_settime(_timer.get(), 0, &when, nullptr);
}

void worker_debug::on_events(std::uint32_t) {
    std::uint64_t expirations = 0;
    [[maybe_unused]] auto n = ::read(_timer.get(), &expirations, sizeof expirations);
    if (_profiling) {
        stop_cpu_profile();
        _profiling = false;
        finish(_profile_seq, true);
    }
}

void worker_debug::write_heap_sample(core::unique_fd file, std::uint32_t seq) {
    std::string sample, error;
    bool ok = heap_sample(sample, error);
    const std::string& text = ok ? sample : error;
    std::size_t at = 0;
    while (at < text.size()) {
        ssize_t n = ::write(file.get(), text.data() + at, text.size() - at);
        if (n <= 0) {
            ok = false;
            break;
        }
        at += static_cast<std::size_t>(n);
    }
    finish(seq, ok);
}

void worker_debug::finish(std::uint32_t seq, bool ok) {
    send_control(_control_fd, {control_type::debug_done, static_cast<std::uint32_t>(_slot), ok ? 0 : -1, seq});
}

} // namespace rpslab::server
