#include "server/debug_listener.h"

#include "core/error.h"
#include "http/parser.h"
#include "http/status.h"
#include "server/debug_routes.h"

#include <array>
#include <cerrno>
#include <exception>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <system_error>

namespace rpslab::server {

namespace {

// Requests in flight at once; more are answered 503 at once (an operations port needs few).
constexpr std::size_t max_requests = 8;
// A client gets this long to send its request head, and to take its response.
constexpr int io_timeout_ms = 10'000;
constexpr std::size_t max_request_bytes = 16 * 1024;

std::string render(const debug_response& r) {
    std::string out = "HTTP/1.1 " + std::to_string(http::code(r.status)) + " " +
                      std::string(http::reason_phrase(r.status)) +
                      "\r\nServer: rpslab-debug\r\nContent-Type: " + r.content_type +
                      "\r\nContent-Length: " + std::to_string(r.body.size()) +
                      "\r\nCache-Control: no-store\r\nConnection: close\r\n" + r.headers + "\r\n";
    out += r.body;
    return out;
}

// Blocking writes with a timeout; a client that stops reading is given up.
void write_all(int fd, const std::string& bytes) {
    std::size_t at = 0;
    while (at < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        at += static_cast<std::size_t>(n);
    }
}

} // namespace

debug_listener::debug_listener(const core::endpoint& ep, debug_target& target)
    : _target(target), _listen(core::listen_exclusive(ep, 64)), _stop_fd(::eventfd(0, EFD_CLOEXEC)),
      _bound(core::local_endpoint(_listen.get())) {
    if (!_stop_fd) {
        core::throw_errno("eventfd");
    }
    _acceptor = std::thread([this] { accept_loop(); });
}

debug_listener::~debug_listener() {
    stop();
}

void debug_listener::stop() {
    if (_stopping.exchange(true)) {
        return;
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(_stop_fd.get(), &one, sizeof one); // never read: stays readable
    _acceptor.join();
    reap_finished(true);
}

void debug_listener::close_in_child() {
    _listen.reset();
    _stop_fd.reset();
}

void debug_listener::accept_loop() {
    std::array<pollfd, 2> fds{pollfd{_listen.get(), POLLIN, 0}, pollfd{_stop_fd.get(), POLLIN, 0}};
    while (!_stopping.load()) {
        if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) {
            return;
        }
        reap_finished(false);
        if ((fds[1].revents & POLLIN) != 0 || (fds[0].revents & POLLIN) == 0) {
            continue;
        }
        core::unique_fd client(::accept4(_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!client) {
            continue;
        }
        timeval tv{io_timeout_ms / 1000, 0};
        ::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        std::lock_guard lock(_mutex);
        if (_requests.size() >= max_requests) {
            debug_response busy;
            busy.status = http::status::service_unavailable;
            busy.body = "too many debug requests in flight (at most " + std::to_string(max_requests) + ")\n";
            write_all(client.get(), render(busy));
            continue;
        }
        request_thread& t = _requests.emplace_back();
        try {
            t.thread = std::thread([this, &t, fd = client.get()] {
                serve_client(core::unique_fd(fd));
                t.finished.store(true);
            });
            client.release(); // the thread owns it now
        } catch (const std::system_error&) {
            _requests.pop_back(); // out of threads: this client is closed unanswered
        }
    }
}

void debug_listener::reap_finished(bool all) {
    std::lock_guard lock(_mutex);
    for (auto it = _requests.begin(); it != _requests.end();) {
        if (all || it->finished.load()) {
            it->thread.join();
            it = _requests.erase(it);
        } else {
            ++it;
        }
    }
}

// Reads until a whole request head is buffered; false on timeout, EOF, stop or overflow.
bool debug_listener::read_request(int fd, std::string& buffer) {
    std::array<pollfd, 2> fds{pollfd{fd, POLLIN, 0}, pollfd{_stop_fd.get(), POLLIN, 0}};
    char chunk[4096];
    while (buffer.size() < max_request_bytes) {
        if (buffer.find("\r\n\r\n") != std::string::npos) {
            return true;
        }
        int ready = ::poll(fds.data(), fds.size(), io_timeout_ms);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0 || (fds[1].revents & POLLIN) != 0) {
            return false;
        }
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return !buffer.empty(); // the parser says what is wrong with a partial request
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
    return true;
}

void debug_listener::serve_client(core::unique_fd client) {
    std::string buffer;
    if (!read_request(client.get(), buffer)) {
        return;
    }
    http::limits limits;
    limits.max_header_bytes = max_request_bytes;
    limits.max_request_line_bytes = max_request_bytes / 2;
    limits.max_header_count = 64;
    std::array<http::header_field, 64> fields;
    http::request req;
    http::parse_result parsed = http::parse_request(buffer, limits, fields, req);
    debug_response r;
    if (parsed.state == http::parse_status::complete) {
        try {
            r = handle_debug_request(req, _target, _collecting, _stopping);
        } catch (const std::exception& e) { // e.g. no temporary file: this request fails, not the server
            r = debug_response{};
            r.status = http::status::internal_server_error;
            r.body = std::string(e.what()) + "\n";
        }
    } else {
        r.status = parsed.state == http::parse_status::error ? parsed.error : http::status::bad_request;
        r.body = "bad request: " + std::string(parsed.reason.empty() ? "incomplete head" : parsed.reason) + "\n";
    }
    write_all(client.get(), render(r));
    ::shutdown(client.get(), SHUT_WR);
}

} // namespace rpslab::server
