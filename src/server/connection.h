// One client connection: its socket, read buffer, output queue and request state, from
// accept to close. Owned by its worker (pooled for reuse) and touched only by the
// worker's thread.
#pragma once

#include "core/byte_buffer.h"
#include "core/event_loop.h"
#include "core/fd.h"
#include "core/intrusive_list.h"
#include "core/output_queue.h"
#include "http/chunked.h"
#include "http/parser.h"
#include "http/response.h"
#include "metrics/worker_metrics.h"
#include "pool/job.h"

#include <array>
#include <cstdint>

namespace rpslab::server {

class worker;

class connection final : public core::event_handler {
public:
    explicit connection(worker& owner);

    // Starts serving `fd` (a freshly accepted, non-blocking socket).
    void open(core::unique_fd fd);

    void on_events(std::uint32_t events) override;

    // The header or idle timeout fired: close without answering (the peer is not talking).
    void on_timeout();

    // Graceful stop: answer what has arrived, then close once nothing is in flight.
    void begin_drain();

    bool is_open() const { return static_cast<bool>(_fd); }
    // Changes whenever the connection object starts or stops serving a socket.
    std::uint64_t generation() const { return _generation; }

    // The /work job of the request at the front ended (ran, shed or failed): answer it and
    // go on with what was pipelined behind it.
    void on_job_done(const pool::job& j);

    // Timer membership, managed by the worker ("timers live inside the object they time").
    core::list_hook timer_hook{this};
    std::int64_t deadline_ms = 0;
    enum class timer_kind : std::uint8_t { none, header, idle, linger };
    timer_kind timer = timer_kind::none;

private:
    bool read_available(); // false when the connection was closed
    void serve();
    bool process();     // answers every complete request buffered; true if it answered any
    bool process_one(); // false when processing must stop for now
    bool take_body(const http::request& req, std::size_t head_bytes, std::string_view& body, std::size_t& total);
    bool start_work(const http::request& req, std::size_t total);
    bool finish_request(const http::response& resp, const http::response_context& ctx, std::size_t total);
    // Counted apart from finish_request: kept out of it, the metrics update does not change
    // how the compiler inlines the request path (measured by bench/metrics-cost.sh).
    void count_response(metrics::path path, http::status status);
    void answer_error(http::status status, std::string_view reason);
    void note_refusal(std::int64_t parsed_ns);
    void flush();
    void start_linger();
    void linger_read();
    void after_io();
    void close();

    worker& _w;
    http::chunked_decoder _chunked;
    const std::size_t _read_working_bytes;   // buffers grow straight to these and are kept at them,
    const std::size_t _output_working_bytes; // so pipelined batches never reallocate
    core::unique_fd _fd;
    core::byte_buffer _in;
    core::output_queue _out;
    std::size_t _chunk_raw = 0;     // raw chunked bytes consumed so far, after the head
    std::size_t _chunk_decoded = 0; // decoded body bytes so far, right after the head
    std::size_t _want_bytes = 0;    // buffered bytes the request at the front needs (grows the buffer)
    std::uint32_t _interest = 0;    // the epoll mask registered now
    std::uint64_t _answered = 0;    // responses written, to tell progress from waiting
    std::uint64_t _generation = 0;
    // The /work request at the front while its job is in the pool: how to answer it and
    // how many buffered bytes it spans (its views die once more is read).
    http::response_context _job_ctx;
    std::size_t _job_total = 0;
    // Refusals (503) waiting in the output queue, by their requests' parse times: each is
    // timed when its bytes reach the kernel. Past the array, the last slot stands for the
    // rest (an upper bound of their time).
    std::array<std::int64_t, 8> _refusal_parsed_ns{};
    std::size_t _refusals_queued = 0;
    bool _job_pending = false;
    bool _continue_sent = false;
    bool _partial_head = false; // unread bytes form the start of a request head
    bool _close_after_flush = false;
    bool _peer_done = false; // the peer shut down its write side
    bool _draining = false;
    bool _lingering = false; // final response sent; discarding input until the peer closes
    bool _stalled = false;   // the buffered bytes cannot make progress without more input
};

} // namespace rpslab::server
