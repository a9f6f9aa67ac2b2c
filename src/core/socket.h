// TCP listening sockets: parsing `host:port`, SO_REUSEPORT listeners, and the check that
// refuses a port another process already uses. No HTTP here.
#pragma once

#include "core/fd.h"

#include <cstdint>
#include <netinet/in.h>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace rpslab::core {

struct endpoint {
    sockaddr_storage addr{};
    socklen_t len = 0;

    std::uint16_t port() const;
    void set_port(std::uint16_t port);
    std::string to_string() const; // "127.0.0.1:8080" or "[::1]:8080"
    bool is_loopback() const;      // 127.0.0.0/8 or ::1
};

// Parses "HOST:PORT" or "[V6]:PORT" with a numeric address (localhost is taken as
// 127.0.0.1). Throws std::invalid_argument with a message naming the input.
endpoint parse_endpoint(std::string_view text);

// Binds a plain socket (without SO_REUSEPORT) to `ep` and closes it, to find out whether
// any other socket holds the address: SO_REUSEPORT alone would silently share the port
// with another process of the same user. With port 0, returns `ep` with the port the
// kernel picked. Throws sys_error ("address already in use: 127.0.0.1:8080") otherwise.
endpoint claim_port(const endpoint& ep);

// A non-blocking listening socket with SO_REUSEPORT bound to `ep`. Throws sys_error.
unique_fd listen_reuseport(const endpoint& ep, int backlog);

// A non-blocking listening socket (no SO_REUSEPORT: one owner) bound to `ep`, CLOEXEC.
// Throws sys_error ("bind 127.0.0.1:6060: Address already in use").
unique_fd listen_exclusive(const endpoint& ep, int backlog);

// The address a socket is bound to (its port, after binding port 0). Throws sys_error.
endpoint local_endpoint(int fd);

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
std::uint64_t raise_open_files_limit();

} // namespace rpslab::core
