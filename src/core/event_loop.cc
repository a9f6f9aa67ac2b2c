#include "core/event_loop.h"

#include "core/error.h"

#include <atomic>
#include <cerrno>
#include <ctime>

namespace rpslab::core {

event_loop::event_loop() : _epoll(::epoll_create1(EPOLL_CLOEXEC)), _events{} {
    if (!_epoll) {
        throw_errno("epoll_create1");
    }
}

bool event_loop::add(int fd, std::uint32_t events, event_handler* handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    return ::epoll_ctl(_epoll.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool event_loop::modify(int fd, std::uint32_t events, event_handler* handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    return ::epoll_ctl(_epoll.get(), EPOLL_CTL_MOD, fd, &ev) == 0;
}

void event_loop::remove(int fd) {
    ::epoll_ctl(_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
}

void event_loop::forget(event_handler* handler) {
    for (int i = _next; i < _ready; ++i) {
        if (_events[i].data.ptr == handler) {
            _events[i].data.ptr = nullptr;
        }
    }
}

int event_loop::wait(int timeout_ms) {
    int n = ::epoll_wait(_epoll.get(), _events, max_events, timeout_ms);
    if (n < 0) {
        _ready = 0;
        return errno == EINTR ? 0 : -1;
    }
    _ready = n;
    return n;
}

int event_loop::wait_ns(std::int64_t timeout_ns) {
    // Shared by every loop of the process; a relaxed flag is enough to remember ENOSYS.
    static std::atomic<bool> have_pwait2{true};
    if (have_pwait2.load(std::memory_order_relaxed)) {
        timespec ts{static_cast<time_t>(timeout_ns / 1'000'000'000), static_cast<long>(timeout_ns % 1'000'000'000)};
        int n = ::epoll_pwait2(_epoll.get(), _events, max_events, &ts, nullptr);
        if (n >= 0) {
            _ready = n;
            return n;
        }
        if (errno != ENOSYS) {
            _ready = 0;
            return errno == EINTR ? 0 : -1;
        }
        have_pwait2.store(false, std::memory_order_relaxed);
    }
    return wait(static_cast<int>((timeout_ns + 999'999) / 1'000'000));
}

void event_loop::dispatch() {
    for (_next = 0; _next < _ready;) {
        const epoll_event& ev = _events[_next++];
        if (auto* handler = static_cast<event_handler*>(ev.data.ptr)) {
            handler->on_events(ev.events);
        }
    }
    _ready = _next = 0;
}

} // namespace rpslab::core
