#include "core/event_loop.h"

#include "core/error.h"

#include <cerrno>

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
