// The operations listener of `rpslab serve --debug-listen`: a small blocking HTTP/1.1
// server on threads of its own (one accepting, one per request in flight), in the process
// that owns the workers' metrics (threads mode: the server; processes mode: the
// supervisor). Never on the public port and never on a worker's event loop, so a
// profile that takes 30 s blocks nothing but its own thread. One request per connection.
#pragma once

#include "core/fd.h"
#include "core/socket.h"
#include "server/debug_target.h"

#include <atomic>
#include <list>
#include <mutex>
#include <thread>

namespace rpslab::server {

class debug_listener {
public:
    // Binds `ep` and starts accepting; `target` must outlive the listener. Call it with the
    // stop signals already blocked: its threads inherit the mask. Throws sys_error.
    debug_listener(const core::endpoint& ep, debug_target& target);
    ~debug_listener();
    debug_listener(const debug_listener&) = delete;
    debug_listener& operator=(const debug_listener&) = delete;

    const core::endpoint& bound() const { return _bound; }
    // Cancels the work in flight and joins every thread. Idempotent; owner's thread.
    void stop();
    // In a forked child: closes the listener's descriptors, touches no thread or lock.
    void close_in_child();

private:
    struct request_thread {
        std::thread thread;
        std::atomic<bool> finished{false};
    };

    void accept_loop();
    void serve_client(core::unique_fd client);
    bool read_request(int fd, std::string& buffer);
    void reap_finished(bool all);

    debug_target& _target;
    core::unique_fd _listen;
    core::unique_fd _stop_fd; // eventfd, readable once stop() was called
    core::endpoint _bound;
    std::atomic<bool> _stopping{false};
    std::atomic<bool> _collecting{false}; // a profile is being taken: the next one gets 409
    std::mutex _mutex;                    // guards _requests
    std::list<request_thread> _requests;
    std::thread _acceptor; // last: starts once everything above exists
};

} // namespace rpslab::server
