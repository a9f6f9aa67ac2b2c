// One epoll instance and the dispatch of its readiness events to handlers; a worker owns
// exactly one, and only the worker's thread may touch it. Level-triggered: a handler that
// stops early (a read budget) is simply called again on the next turn.
#pragma once

#include "core/fd.h"

#include <cstdint>
#include <sys/epoll.h>

namespace rpslab::core {

// Implemented by whatever owns a file descriptor registered with the loop.
class event_handler {
public:
    // `events` is the epoll mask (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP).
    virtual void on_events(std::uint32_t events) = 0;

protected:
    ~event_handler() = default;
};

class event_loop {
public:
    event_loop(); // throws sys_error when epoll_create1 fails

    // Registration; `handler` must outlive the registration. Return false with errno set on failure.
    bool add(int fd, std::uint32_t events, event_handler* handler);
    bool modify(int fd, std::uint32_t events, event_handler* handler);
    void remove(int fd);

    // Waits up to `timeout_ms` (-1: forever) for events. Returns how many are ready, or -1
    // (errno set) if epoll_wait failed other than by EINTR. Split from dispatch() so that the
    // worker can read the clock once per wake-up, between the two.
    int wait(int timeout_ms);
    // The same with a nanosecond timeout (epoll_pwait2), for the load generator's pacing;
    // falls back to whole milliseconds (rounded up) on kernels without it.
    int wait_ns(std::int64_t timeout_ns);

    // Calls the handler of every event the last wait() fetched.
    //
    // A handler may close another registered fd during the dispatch: it must call
    // forget(handler) first, so that events already fetched for it in this batch are dropped
    // instead of reaching an object that was reused or freed.
    void dispatch();
    void forget(event_handler* handler);

private:
    static constexpr int max_events = 256;
    unique_fd _epoll;
    epoll_event _events[max_events];
    int _ready = 0;
    int _next = 0;
};

} // namespace rpslab::core
