// The control channel between the supervisor and one worker process: a SOCK_SEQPACKET
// socketpair carrying fixed-size messages, and listeners passed with SCM_RIGHTS.
// Workers report their state (started, serving, draining); the supervisor hands a down
// slot's listener to a surviving worker and takes it back, and relays the debug
// listener's requests (CPU profiles, heap samples) written into files it passes.
#pragma once

#include "core/fd.h"

#include <cstdint>
#include <utility>

namespace rpslab::server {

enum class control_type : std::uint8_t {
    started,    // worker -> supervisor: process up, not yet accepting
    serving,    // worker -> supervisor: accepting on its listener
    draining,   // worker -> supervisor: stop requested, finishing in-flight requests
    adopt,      // supervisor -> worker: serve slot `slot`'s listener (passed with the message)
    release,    // supervisor -> worker: stop serving slot `slot`'s listener
    profile,    // supervisor -> worker: CPU-profile for `value` ms into the file passed
    heap,       // supervisor -> worker: write a heap sample into the file passed
    debug_done, // worker -> supervisor: request `seq` is done; `value` 0, or -1 when it failed
};

struct control_message {
    control_type type = control_type::started;
    std::uint32_t slot = 0;
    std::int64_t value = 0; // pid for `started`
    std::uint32_t seq = 0;  // debug requests: which one a debug_done answers
};

// A connected pair: first for the supervisor, second for the worker. Throws sys_error.
std::pair<core::unique_fd, core::unique_fd> make_control_pair();

// Sends `msg`, with `pass_fd` attached when >= 0. Returns false (errno set) on failure.
bool send_control(int fd, const control_message& msg, int pass_fd = -1);

// Receives one message and the descriptor attached to it, if any. Returns 1 on a message,
// 0 when the peer closed, -1 on an error (EAGAIN when nothing is waiting).
int receive_control(int fd, control_message& msg, core::unique_fd& passed);

} // namespace rpslab::server
