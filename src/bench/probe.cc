#include "bench/probe.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
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

// The body ends where Content-Length says, or at the last chunk.
bool body_complete(const std::string& head, const std::string& rest, std::string& body) {
    auto cl = find_ci(head, "\r\ncontent-length:");
    if (cl != std::string::npos) {
        std::size_t n = std::stoul(head.substr(cl + 17));
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
        std::size_t n = std::stoul(rest.substr(pos, eol - pos), nullptr, 16);
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

bool port_answers(std::uint16_t port) {
    socket_fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    sockaddr_in sa = loopback(port);
    return ::connect(s.fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0;
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
    socket_fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    sockaddr_in sa = loopback(port);
    if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
        throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
    }
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    for (const auto& h : headers) {
        req += h + "\r\n";
    }
    req += "\r\n";
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
        r.status = std::stoi(r.head.substr(9, 3));
        if (body_complete(r.head, in.substr(end + 4), r.body)) {
            return r;
        }
    }
}

} // namespace rpslab::bench
