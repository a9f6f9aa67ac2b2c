#include "bench/probe.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace rpslab::bench {

namespace {

struct socket_fd {
    int fd;
    ~socket_fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

std::size_t find_ci(const std::string& text, const std::string& needle) {
    auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                          [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    return it == text.end() ? std::string::npos : static_cast<std::size_t>(it - text.begin());
}

std::size_t parse_size(const std::string& text, int base) {
    std::size_t start = text.find_first_not_of(" \t");
    std::size_t v = 0;
    auto [end, ec] = std::from_chars(text.data() + (start == std::string::npos ? text.size() : start),
                                     text.data() + text.size(), v, base);
    if (ec != std::errc() || end == text.data() + start) {
        throw std::runtime_error("malformed number in the response: '" + text.substr(0, 20) + "'");
    }
    return v;
}

// The body ends where Content-Length says, or at the last chunk.
bool body_complete(const std::string& head, const std::string& rest, std::string& body) {
    auto cl = find_ci(head, "\r\ncontent-length:");
    if (cl != std::string::npos) {
        std::size_t n = parse_size(head.substr(cl + 17), 10);
        if (rest.size() < n) {
            return false;
        }
        body = rest.substr(0, n);
        return true;
    }
    if (find_ci(head, "\r\ntransfer-encoding: chunked") == std::string::npos) {
        throw std::runtime_error("response without Content-Length or chunked coding");
    }
    body.clear();
    std::size_t pos = 0;
    while (true) {
        auto eol = rest.find("\r\n", pos);
        if (eol == std::string::npos) {
            return false;
        }
        std::size_t n = parse_size(rest.substr(pos, eol - pos), 16);
        if (n == 0) {
            return rest.find("\r\n\r\n", eol) != std::string::npos || rest.size() >= eol + 4;
        }
        if (rest.size() < eol + 2 + n + 2) {
            return false;
        }
        body += rest.substr(eol + 2, n);
        pos = eol + 2 + n + 2;
    }
}

} // namespace

// A non-blocking connect bounded by `timeout_ms`: a server whose accept queue is full
// would otherwise hold a blocking connect for the kernel's SYN retries (about 2 minutes).
bool connect_within(int fd, std::uint16_t port, int timeout_ms) {
    sockaddr_in sa = loopback(port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) {
        return true;
    }
    if (errno != EINPROGRESS) {
        return false;
    }
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    return ::poll(&p, 1, timeout_ms) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

bool port_answers(std::uint16_t port) {
    socket_fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    return connect_within(s.fd, port, 1000);
}

std::uint16_t free_port() {
    socket_fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    sockaddr_in sa = loopback(0);
    socklen_t len = sizeof sa;
    if (::bind(s.fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 ||
        ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
        throw std::runtime_error(std::string("cannot find a free port: ") + std::strerror(errno));
    }
    return ntohs(sa.sin_port);
}

probe_response http_get(std::uint16_t port, const std::string& path, const std::vector<std::string>& headers,
                        int timeout_ms) {
    socket_fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (!connect_within(s.fd, port, timeout_ms)) {
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    for (const auto& h : headers) {
        req += h + "\r\n";
    }
    req += "\r\n";
    // A fresh socket's buffer takes a request line and a few fields at once.
    if (::send(s.fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        throw std::runtime_error("send: " + std::string(std::strerror(errno)));
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string in;
    probe_response r;
    char buf[65536];
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{s.fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            throw std::runtime_error("no complete response to GET " + path + " within " + std::to_string(timeout_ms) +
                                     " ms");
        }
        ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EAGAIN) {
            continue;
        }
        if (n <= 0) {
            throw std::runtime_error("connection closed before the response to GET " + path + " was complete");
        }
        in.append(buf, static_cast<std::size_t>(n));
        auto end = in.find("\r\n\r\n");
        if (end == std::string::npos) {
            continue;
        }
        r.head = in.substr(0, end + 2);
        if (r.head.compare(0, 9, "HTTP/1.1 ") != 0 && r.head.compare(0, 9, "HTTP/1.0 ") != 0) {
            throw std::runtime_error("not an HTTP/1.x response to GET " + path);
        }
        r.status = static_cast<int>(parse_size(r.head.substr(9, 3), 10));
        if (body_complete(r.head, in.substr(end + 4), r.body)) {
            return r;
        }
    }
}

} // namespace rpslab::bench
