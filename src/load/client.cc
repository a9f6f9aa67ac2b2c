#include "load/client.h"

#include "core/clock.h"
#include "load/load_thread.h"

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace rpslab::load {

namespace {

constexpr int read_budget = 8; // recv calls per event, so one busy connection cannot starve the rest

} // namespace

client::client(load_thread& owner, std::size_t pipeline, std::size_t first_request)
    : _t(owner), _ring(pipeline), _next_request(first_request % owner.batch().cycle_size()) {}

void client::connect() {
    const run_config& cfg = _t.config();
    const bool unix_socket = !cfg.unix_socket.empty();
    int fd =
        ::socket(unix_socket ? AF_UNIX : cfg.address.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        _t.on_errors(error_kind::connect, errno, 1);
        _t.on_closed(*this);
        return;
    }
    _fd.reset(fd);
    int rc;
    if (unix_socket) {
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, cfg.unix_socket.c_str(), sizeof sa.sun_path - 1);
        rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    } else {
        int one = 1; // requests leave as whole batches; Nagle would only delay them
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&cfg.address.addr), cfg.address.len);
    }
    _head = _count = 0;
    // Requests lost with the old connection are not resent: the cycle goes on from here.
    _unsent_bytes = 0;
    _unsent_offset = _t.batch().offset_of(_next_request);
    _carry.clear();
    _parser.reset();
    _parser.expect_no_body(_t.batch().is_head());
    if (rc != 0 && errno != EINPROGRESS && errno != EAGAIN) {
        int err = errno;
        _fd.reset();
        _t.on_errors(error_kind::connect, err, 1);
        _t.on_closed(*this);
        return;
    }
    _connecting = rc != 0;
    _interest = _connecting ? EPOLLOUT : EPOLLIN;
    _t.loop().add(fd, _interest, this);
    if (!_connecting) {
        on_connected();
    }
}

void client::on_connected() {
    _connecting = false;
    set_interest(EPOLLIN);
    _t.on_slots_free(*this);
}

// A connection counts as established once it has been answered: the kernel completes
// handshakes from the listen backlog even for a server that never accepts them.
void client::on_answered(const in_flight_request& r, std::int64_t now_ns) {
    if (!_ever_answered) {
        _ever_answered = true;
        ++_t.result().connections_established;
    }
    _t.on_response(_parser.status(), r.intended_ns, r.sent_ns, now_ns);
}

void client::set_interest(std::uint32_t events) {
    if (events != _interest) {
        _interest = events;
        _t.loop().modify(_fd.get(), events, this);
    }
}

void client::on_events(std::uint32_t events) {
    if (_connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(_fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (events & (EPOLLERR | EPOLLHUP)) != 0) {
            fail(error_kind::connect, err != 0 ? err : ECONNREFUSED);
            return;
        }
        on_connected();
        return;
    }
    if ((events & EPOLLOUT) != 0) {
        write_pending();
        if (!_fd) {
            return;
        }
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
        on_readable();
    }
}

void client::send(std::size_t k, const std::int64_t* intended, std::int64_t now_ns) {
    for (std::size_t i = 0; i < k; ++i) {
        std::size_t slot = (_head + _count) % _ring.size();
        _ring[slot] = {intended != nullptr ? intended[i] : now_ns, now_ns};
        ++_count;
    }
    _unsent_bytes += _t.batch().bytes_of(_next_request, k);
    _next_request = (_next_request + k) % _t.batch().cycle_size();
    _t.on_sent(k, _count);
    write_pending();
}

void client::write_pending() {
    // The unsent requests (at most the pipeline depth plus a partly written one) follow each
    // other in the cycle, so they are one contiguous slice starting inside its first copy.
    while (_unsent_bytes > 0) {
        ssize_t n = ::send(_fd.get(), _t.batch().data() + _unsent_offset, _unsent_bytes, MSG_NOSIGNAL);
        if (n > 0) {
            _unsent_bytes -= static_cast<std::size_t>(n);
            _unsent_offset = (_unsent_offset + static_cast<std::size_t>(n)) % _t.batch().cycle_bytes();
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            set_interest(EPOLLIN | EPOLLOUT);
            return;
        }
        fail(error_kind::write, n < 0 ? errno : EPIPE);
        return;
    }
    set_interest(EPOLLIN);
}

void client::on_readable() {
    for (int i = 0; i < read_budget; ++i) {
        ssize_t n = ::recv(_fd.get(), _t.read_buffer(), _t.read_buffer_size(), 0);
        if (n > 0) {
            const std::int64_t now = core::monotonic_ns();
            if (_t.measuring(now)) {
                _t.result().bytes_read += static_cast<std::uint64_t>(n);
            }
            bool ok;
            if (_carry.empty()) {
                ok = parse(_t.read_buffer(), static_cast<std::size_t>(n), now);
            } else {
                _carry.append(_t.read_buffer(), static_cast<std::size_t>(n));
                std::string joined = std::move(_carry);
                _carry.clear();
                ok = parse(joined.data(), joined.size(), now);
            }
            if (!ok) {
                return;
            }
            if (static_cast<std::size_t>(n) < _t.read_buffer_size()) {
                break;
            }
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            break;
        }
        if (n == 0 && _parser.on_eof()) {
            std::int64_t now = core::monotonic_ns();
            if (_count > 0) {
                const in_flight_request& r = _ring[_head];
                _head = (_head + 1) % _ring.size();
                --_count;
                on_answered(r, now);
            }
        }
        // The server closed (or reset) the connection: what was in flight is lost.
        fail(error_kind::read, n < 0 ? errno : 0);
        return;
    }
    if (_fd) {
        _t.on_slots_free(*this);
    }
}

// Frames every response in [data, data+size); keeps an incomplete head for the next read.
// Returns false when the connection was closed.
bool client::parse(const char* data, std::size_t size, std::int64_t now_ns) {
    std::size_t pos = 0;
    while (pos < size) {
        response_result r = _parser.feed({data + pos, size - pos});
        pos += r.consumed;
        if (r.state == response_state::error) {
            fail(error_kind::bad_response, 0);
            return false;
        }
        if (r.state == response_state::incomplete) {
            if (r.consumed == 0) {
                _carry.assign(data + pos, size - pos);
                break;
            }
            continue;
        }
        const bool keep_alive = _parser.keep_alive();
        if (!_parser.informational()) {
            if (_count == 0) {
                fail(error_kind::bad_response, 0); // a response nobody asked for
                return false;
            }
            const in_flight_request& req = _ring[_head];
            _head = (_head + 1) % _ring.size();
            --_count;
            on_answered(req, now_ns);
        }
        _parser.reset();
        _parser.expect_no_body(_t.batch().is_head());
        if (!keep_alive) {
            // The server closes after this response: requests pipelined behind it are lost.
            fail(error_kind::read, 0);
            return false;
        }
    }
    return true;
}

void client::fail(error_kind kind, int err) {
    if (kind == error_kind::connect) {
        _t.on_errors(kind, err, 1); // connect errors count attempts: nothing was in flight
    } else if (_count > 0) {
        _t.on_errors(kind, err, _count);
    }
    _count = 0;
    if (_fd) {
        _t.loop().remove(_fd.get());
        _t.loop().forget(this);
        _fd.reset();
    }
    _connecting = false;
    _t.on_closed(*this);
}

} // namespace rpslab::load
