#include "server/connection.h"

#include "core/clock.h"
#include "server/router.h"
#include "server/worker.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <sys/socket.h>

namespace rpslab::server {

namespace {

// Read-buffer sizes: what a connection keeps between requests, and the least free space
// worth a recv. Larger requests grow the buffer to what they need (bounded by the limits)
// and it shrinks back once they are done.
constexpr std::size_t initial_read_bytes = 16 * 1024;
constexpr std::size_t min_read_room = 4 * 1024;
// Buffers above these sizes are freed once empty; below them they are kept, so that a
// connection that pipelines heavily does not reallocate for every batch. The output bound
// follows from backpressure: processing stops once 1 MiB is pending.
constexpr std::size_t kept_read_bytes = 256 * 1024;
constexpr std::size_t kept_output_bytes = 2 * 1024 * 1024;
// recv calls per readable event: a client that never pauses cannot starve the others.
constexpr int read_budget = 16;
constexpr int max_iov = 64;

http::response_context response_context_for(const http::request& req, std::string_view date) {
    http::response_context ctx;
    ctx.head_request = req.method == http::method::head;
    ctx.http10 = req.version == http::version::http10;
    ctx.keep_alive = req.keep_alive;
    ctx.date = date;
    return ctx;
}

} // namespace

connection::connection(worker& owner)
    : _w(owner), _chunked(owner.config().limits),
      // The working bounds: a head being read plus a read's worth, and the backpressure
      // limit plus the response that crossed it.
      _read_working_bytes(owner.config().limits.max_header_bytes + 2 * min_read_room),
      _output_working_bytes(owner.config().max_pending_output_bytes + 128 * 1024) {
    _in.set_growth_jump(initial_read_bytes, _read_working_bytes);
    _out.set_growth_jump(64 * 1024, _output_working_bytes);
}

void connection::open(core::unique_fd fd) {
    _fd = std::move(fd);
    ++_generation;
    _job_pending = false;
    _refusals_queued = 0;
    _in.ensure_tail_room(initial_read_bytes);
    _chunk_raw = _chunk_decoded = _want_bytes = 0;
    _chunked.reset();
    _continue_sent = _partial_head = _close_after_flush = _peer_done = _draining = _lingering = _stalled = false;
    _interest = EPOLLIN | EPOLLRDHUP;
    if (!_w.loop().add(_fd.get(), _interest, this)) {
        close();
        return;
    }
    _w.arm_idle_timer(*this);
}

void connection::on_events(std::uint32_t events) {
    if ((events & EPOLLERR) != 0) {
        close();
        return;
    }
    if (_lingering) {
        linger_read();
        return;
    }
    if ((events & EPOLLOUT) != 0) {
        flush();
    }
    if (is_open() && (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) != 0) {
        read_available();
    }
    serve();
}

// Answers everything answerable, flushing as it goes, then decides what to wait for.
void connection::serve() {
    for (;;) {
        if (!is_open()) {
            return;
        }
        const std::uint64_t answered_before = _answered;
        const std::int64_t start_ns = core::metrics_enabled ? core::monotonic_ns() : 0;
        bool progressed = process();
        flush();
        if (core::metrics_enabled && progressed) {
            // Timed per batch: two clock reads however many requests it held.
            metrics::worker_metrics& m = _w.metrics();
            m.batch_responses.observe(_answered - answered_before, metrics::batch_bounds);
            m.batch_handling_ns.observe(static_cast<std::uint64_t>(core::monotonic_ns() - start_ns),
                                        metrics::handling_bounds_ns);
        }
        // Requests held back by backpressure go on once their predecessors left: no epoll
        // event would announce that, since their bytes are already in our buffer.
        if (!is_open() || !progressed || !_out.empty()) {
            break;
        }
    }
    if (is_open()) {
        after_io();
    }
}

bool connection::read_available() {
    _stalled = false;
    // One read's worth past the header limit: the parser can only answer 431 once it has
    // seen more than the limit, and refuses to wait for more than that.
    const std::size_t max_buffer = _w.config().limits.max_header_bytes + min_read_room + _want_bytes;
    for (int i = 0; i < read_budget && !_peer_done; ++i) {
        if (_out.pending_bytes() >= _w.config().max_pending_output_bytes) {
            break; // backpressure: leave the rest in the socket until the client reads
        }
        if (_in.tail_room() < min_read_room) {
            if (_in.size() >= max_buffer) {
                break; // the parser answers 431/413 from what is buffered
            }
            _in.ensure_tail_room(min_read_room);
        }
        std::size_t room = _in.tail_room();
        ssize_t n = ::recv(_fd.get(), _in.tail(), room, 0);
        if (n > 0) {
            _in.commit(static_cast<std::size_t>(n));
            _w.metrics().bytes_in.add(static_cast<std::uint64_t>(n));
            if (static_cast<std::size_t>(n) < room) {
                break; // most likely drained; level-triggered epoll says so if not
            }
        } else if (n == 0) {
            _peer_done = true; // answer what was sent, then close (a half-closed client)
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN) {
            break;
        } else {
            close();
            return false;
        }
    }
    return true;
}

bool connection::process() {
    const std::uint64_t answered_before = _answered;
    while (!_close_after_flush && !_job_pending && !_in.empty()) {
        if (_out.pending_bytes() >= _w.config().max_pending_output_bytes) {
            break;
        }
        if (!process_one()) {
            break; // more bytes needed, or a final response (error, close) was written
        }
    }
    if (_in.empty()) {
        _partial_head = false;
    }
    return _answered != answered_before;
}

bool connection::process_one() {
    http::request req;
    http::parse_result r = http::parse_request(_in.readable(), _w.config().limits, _w.fields(), req);
    if (r.state == http::parse_status::incomplete) {
        _partial_head = true;
        _stalled = true;
        return false;
    }
    _partial_head = false;
    if (r.state == http::parse_status::error) {
        answer_error(r.error, r.reason);
        return false;
    }
    std::string_view body;
    std::size_t total = 0;
    if (!take_body(req, r.consumed, body, total)) {
        _stalled = !_close_after_flush;
        return false;
    }
    ++_w.counters().requests;
    _w.fault_pause();
    const metrics::path path = metrics::path_of(req.path); // routes and counts the request
    const bool get_or_head = req.method == http::method::get || req.method == http::method::head;
    if (path == metrics::path::work && get_or_head) {
        return start_work(req, total);
    }
    // /metrics needs every worker's figures, which only the worker reaches.
    http::response resp =
        path == metrics::path::metrics && get_or_head ? _w.metrics_response() : route(req, path, body, _w.work());
    count_response(path, resp.status);
    return finish_request(resp, response_context_for(req, _w.date()), total);
}

void connection::count_response(metrics::path path, http::status status) {
    _w.metrics().requests[static_cast<std::size_t>(path)][metrics::status_index(http::code(status))].add();
}

// Writes the response to the request at the front, which spans `total` buffered bytes, and
// forgets the request; false when the connection closes after it.
bool connection::finish_request(const http::response& resp, const http::response_context& ctx, std::size_t total) {
    http::write_response(_out, resp, ctx);
    ++_answered;
    // The request's views die here: the buffer may be rewound by consume().
    _in.consume(total);
    _chunk_raw = _chunk_decoded = _want_bytes = 0;
    _chunked.reset();
    _continue_sent = false;
    if (!ctx.keep_alive) {
        _close_after_flush = true;
        return false;
    }
    return true;
}

// Hands a /work job to the pool and holds everything pipelined behind it until the job
// ends, so responses keep request order; a refusal is answered at once.
bool connection::start_work(const http::request& req, std::size_t total) {
    const std::int64_t arrived_ns = core::monotonic_ns();
    http::response now;
    _job_ctx = response_context_for(req, {});
    if (_w.start_job(*this, req, arrived_ns, now)) {
        _job_pending = true;
        _job_total = total;
        return false;
    }
    if (now.status == http::status::service_unavailable) {
        note_refusal(arrived_ns);
    }
    _job_ctx.date = _w.date();
    count_response(metrics::path::work, now.status);
    return finish_request(now, _job_ctx, total);
}

void connection::on_job_done(const pool::job& j) {
    if (!_job_pending) {
        return;
    }
    _job_pending = false;
    http::response resp;
    char body[96];
    if (j.refused != pool::refusal::none) {
        resp = _w.work().error(http::status::service_unavailable, pool::refusal_name(j.refused));
        resp.retry_after_s = _w.config().pool.retry_after_s; // timed by the pool (shed_us)
    } else if (j.failed) {
        resp = _w.work().error(http::status::internal_server_error, "the job could not run (no memory or no thread)");
    } else {
        int n = std::snprintf(body, sizeof body, R"({"queued_us":%lld,"ran_us":%lld})",
                              static_cast<long long>((j.started_ns - j.arrived_ns) / 1000),
                              static_cast<long long>((j.finished_ns - j.started_ns) / 1000));
        resp.content_type = "application/json";
        resp.body = {body, static_cast<std::size_t>(n)};
        resp.storage = http::body_storage::scratch;
    }
    _job_ctx.date = _w.date();
    count_response(metrics::path::work, resp.status);
    finish_request(resp, _job_ctx, _job_total);
    serve();
}

// Whether the body of `req` is all here; if so, `body` views it (de-chunked) and `total` is
// the request's length in the buffer. Otherwise asks for 100 Continue and more bytes.
bool connection::take_body(const http::request& req, std::size_t head_bytes, std::string_view& body,
                           std::size_t& total) {
    char* start = _in.data();
    std::size_t buffered = _in.size();
    if (req.framing == http::body_framing::none) {
        total = head_bytes;
        return true;
    }
    bool complete = false;
    if (req.framing == http::body_framing::content_length) {
        _want_bytes = head_bytes + req.content_length;
        complete = buffered >= _want_bytes;
        if (complete) {
            body = {start + head_bytes, req.content_length};
            total = _want_bytes;
        }
    } else {
        // Decode in place: data moves down to just after the head, so the body ends up
        // contiguous. Raw bytes consumed earlier are not looked at again.
        std::span<const char> raw(start + head_bytes + _chunk_raw, buffered - head_bytes - _chunk_raw);
        http::chunked_result cr = _chunked.feed(raw, start + head_bytes + _chunk_decoded);
        _chunk_raw += cr.consumed;
        _chunk_decoded += cr.written;
        if (cr.state == http::parse_status::error) {
            answer_error(cr.error, cr.reason);
            return false;
        }
        complete = cr.state == http::parse_status::complete;
        if (!complete && _chunk_raw - _chunk_decoded >= min_read_room) {
            // Give the framing already decoded back to the buffer, or tiny chunks would
            // fill it with dead bytes long before the body reaches its limit.
            _in.erase(head_bytes + _chunk_decoded, _chunk_raw - _chunk_decoded);
            _chunk_raw = _chunk_decoded;
        }
        // Room for the rest: whatever is decoded so far plus the largest body allowed.
        _want_bytes = static_cast<std::size_t>(head_bytes + _w.config().limits.max_body_bytes);
        if (complete) {
            body = {start + head_bytes, _chunk_decoded};
            total = head_bytes + _chunk_raw;
        }
    }
    if (!complete && req.expect_continue && !_continue_sent && req.version == http::version::http11) {
        http::write_continue(_out);
        _continue_sent = true;
    }
    return complete;
}

void connection::note_refusal(std::int64_t parsed_ns) {
    if (_refusals_queued < _refusal_parsed_ns.size()) {
        _refusal_parsed_ns[_refusals_queued] = parsed_ns;
    }
    ++_refusals_queued;
}

void connection::answer_error(http::status status, std::string_view reason) {
    ++_w.counters().bad_requests;
    const std::size_t status_slot = metrics::status_index(http::code(status));
    _w.metrics().parse_errors[status_slot].add();
    _w.metrics().requests[static_cast<std::size_t>(metrics::path::other)][status_slot].add();
    http::response resp = _w.work().error(status, reason);
    http::response_context ctx;
    ctx.keep_alive = false; // after a framing error nothing that follows can be trusted
    ctx.date = _w.date();
    http::write_response(_out, resp, ctx);
    ++_answered;
    _in.clear();
    _close_after_flush = true;
}

void connection::flush() {
    iovec iov[max_iov];
    while (!_out.empty()) {
        int count = _out.gather(iov, max_iov);
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = static_cast<std::size_t>(count);
        ssize_t n = ::sendmsg(_fd.get(), &msg, MSG_NOSIGNAL);
        if (n >= 0) {
            _out.consume(static_cast<std::size_t>(n));
            _w.metrics().bytes_out.add(static_cast<std::uint64_t>(n));
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN) {
            close(); // EPIPE, ECONNRESET: the peer is gone, and so are its responses
        }
        return;
    }
    if (_refusals_queued > 0) {
        const std::int64_t sent_ns = core::monotonic_ns();
        for (std::size_t i = 0; i < _refusals_queued; ++i) {
            const std::int64_t parsed = _refusal_parsed_ns[std::min(i, _refusal_parsed_ns.size() - 1)];
            _w.work_figures().refusal_us.record(static_cast<std::uint64_t>(sent_ns - parsed) / 1000);
        }
        _refusals_queued = 0;
    }
    _out.shrink_if_empty(std::max(kept_output_bytes, _output_working_bytes));
    if (_close_after_flush) {
        start_linger();
    }
}

// After a final response: send FIN, then read and drop what the client still sends until
// it closes too. Closing at once with unread bytes queued would make the kernel send RST,
// which can destroy the response before the client read it (RFC 9112 §9.6).
void connection::start_linger() {
    ::shutdown(_fd.get(), SHUT_WR);
    _lingering = true;
    _in.clear();
    if (_interest != (EPOLLIN | EPOLLRDHUP)) {
        _interest = EPOLLIN | EPOLLRDHUP;
        _w.loop().modify(_fd.get(), _interest, this);
    }
    _w.arm_linger_timer(*this);
    linger_read();
}

void connection::linger_read() {
    for (int i = 0; i < read_budget; ++i) {
        _in.clear();
        ssize_t n = ::recv(_fd.get(), _in.tail(), _in.tail_room(), 0);
        if (n > 0) {
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        break; // EOF or an error: the client is done
    }
    close();
}

// Re-arms epoll and the connection's timer for what it waits for now, or closes it when
// nothing more can come: the peer finished sending, or a drain found it idle.
void connection::after_io() {
    if (_lingering) {
        return;
    }
    if (_out.empty() && !_job_pending &&
        ((_peer_done && _stalled) || (_peer_done && _in.empty()) || (_draining && _in.empty()))) {
        close();
        return;
    }
    // Backpressure, or a job holding the pipeline: leave further requests in the socket.
    const bool blocked = _out.pending_bytes() >= _w.config().max_pending_output_bytes || _job_pending;
    std::uint32_t want = 0;
    if (!_peer_done && !blocked) {
        want |= EPOLLIN | EPOLLRDHUP;
    }
    if (!_out.empty()) {
        want |= EPOLLOUT; // armed only while bytes remain
    }
    if (want != _interest) {
        _interest = want;
        _w.loop().modify(_fd.get(), want, this);
    }
    if (_job_pending && _out.empty()) {
        _w.disarm_timer(*this); // the wait is ours, not the client's
    } else if (_partial_head && _out.empty()) {
        _w.arm_header_timer(*this);
    } else {
        _w.arm_idle_timer(*this);
    }
    if (_in.empty() && _want_bytes == 0) {
        _in.shrink_if_empty(std::max(kept_read_bytes, _read_working_bytes));
    }
}

void connection::on_timeout() {
    close();
}

void connection::begin_drain() {
    _draining = true;
    if (_lingering) {
        return;
    }
    // Whatever the client sent before the stop is still answered: read it now.
    read_available();
    serve();
}

void connection::close() {
    if (!_fd) {
        return;
    }
    _w.loop().remove(_fd.get());
    _fd.reset();
    ++_generation;
    _job_pending = false;
    _refusals_queued = 0;
    _in.clear();
    _in.shrink_if_empty(initial_read_bytes);
    _out.clear();
    _out.shrink_if_empty(kept_output_bytes);
    _w.release(*this);
}

} // namespace rpslab::server
