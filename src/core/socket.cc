#include "core/socket.h"

#include "core/error.h"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <sys/resource.h>

namespace rpslab::core {

std::uint16_t endpoint::port() const {
    if (addr.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    }
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
}

void endpoint::set_port(std::uint16_t port) {
    if (addr.ss_family == AF_INET6) {
        reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(port);
    } else {
        reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(port);
    }
}

std::string endpoint::to_string() const {
    char host[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, host, sizeof host);
        return "[" + std::string(host) + "]:" + std::to_string(port());
    }
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(port());
}

bool endpoint::is_loopback() const {
    if (addr.ss_family == AF_INET6) {
        return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr);
    }
    return (ntohl(reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr.s_addr) >> 24) == 127;
}

endpoint parse_endpoint(std::string_view text) {
    auto bad = [&](const char* why) {
        return std::invalid_argument("bad address '" + std::string(text) + "': " + why);
    };
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        throw bad("expected HOST:PORT");
    }
    std::string host(text.substr(0, colon));
    std::string_view port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        throw bad("port must be a number from 0 to 65535");
    }
    endpoint ep;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        auto* sa = reinterpret_cast<sockaddr_in6*>(&ep.addr);
        sa->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &sa->sin6_addr) != 1) {
            throw bad("not an IPv6 address");
        }
        ep.len = sizeof(sockaddr_in6);
    } else {
        if (host == "localhost") {
            host = "127.0.0.1";
        }
        auto* sa = reinterpret_cast<sockaddr_in*>(&ep.addr);
        sa->sin_family = AF_INET;
        if (inet_pton(AF_INET, host.c_str(), &sa->sin_addr) != 1) {
            throw bad("not an IPv4 address (use [v6] for IPv6)");
        }
        ep.len = sizeof(sockaddr_in);
    }
    ep.set_port(static_cast<std::uint16_t>(port));
    return ep;
}

static unique_fd stream_socket(const endpoint& ep) {
    unique_fd fd(::socket(ep.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
        throw_errno("socket");
    }
    return fd;
}

static void bind_or_throw(int fd, const endpoint& ep) {
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&ep.addr), ep.len) != 0) {
        int err = errno;
        if (err == EADDRINUSE) {
            throw sys_error("address already in use: " + ep.to_string(), err);
        }
        throw sys_error("bind " + ep.to_string() + ": " + std::strerror(err), err);
    }
}

endpoint claim_port(const endpoint& ep) {
    unique_fd probe = stream_socket(ep);
    // SO_REUSEADDR lets the probe bind over our own TIME_WAIT leftovers of a previous run;
    // on Linux it still fails against any socket listening on the address.
    int one = 1;
    if (::setsockopt(probe.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
        throw_errno("setsockopt SO_REUSEADDR");
    }
    bind_or_throw(probe.get(), ep);
    endpoint bound = ep;
    bound.len = sizeof bound.addr;
    if (::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&bound.addr), &bound.len) != 0) {
        throw_errno("getsockname");
    }
    return bound;
}

unique_fd listen_reuseport(const endpoint& ep, int backlog) {
    unique_fd fd = stream_socket(ep);
    int one = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
        throw_errno("setsockopt SO_REUSEADDR");
    }
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        throw_errno("setsockopt SO_REUSEPORT");
    }
    bind_or_throw(fd.get(), ep);
    if (::listen(fd.get(), backlog) != 0) {
        throw_errno("listen " + ep.to_string());
    }
    return fd;
}

unique_fd listen_exclusive(const endpoint& ep, int backlog) {
    unique_fd fd = stream_socket(ep);
    int one = 1; // SO_REUSEADDR: rebinding over TIME_WAIT leftovers, never over a listener
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
        throw_errno("setsockopt SO_REUSEADDR");
    }
    bind_or_throw(fd.get(), ep);
    if (::listen(fd.get(), backlog) != 0) {
        throw_errno("listen " + ep.to_string());
    }
    return fd;
}

endpoint local_endpoint(int fd) {
    endpoint bound;
    bound.len = sizeof bound.addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound.addr), &bound.len) != 0) {
        throw_errno("getsockname");
    }
    return bound;
}

std::uint64_t raise_open_files_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
        throw_errno("getrlimit RLIMIT_NOFILE");
    }
    if (lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) {
            throw_errno("setrlimit RLIMIT_NOFILE");
        }
    }
    return lim.rlim_cur;
}

} // namespace rpslab::core
