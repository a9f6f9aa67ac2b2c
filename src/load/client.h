// One client connection of the load generator: connects, writes pipelined requests,
// frames the responses and remembers when each in-flight request was due and sent, so
// that every response's latency is recorded (also when pipelining, unlike wrk).
// Owned by its load_thread and touched only by that thread.
#pragma once

#include "core/event_loop.h"
#include "core/fd.h"
#include "load/response_parser.h"
#include "load/results.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rpslab::load {

class load_thread;

class client final : public core::event_handler {
public:
    // `first_request`: where in the request cycle this connection starts, so connections
    // spread over a path range's picks instead of asking for the same ones together.
    client(load_thread& owner, std::size_t pipeline, std::size_t first_request);

    // Opens a non-blocking connection; errors are counted and retried by the thread.
    void connect();
    bool connected() const { return _fd && !_connecting; }

    std::size_t in_flight() const { return _count; }
    std::size_t free_slots() const { return connected() ? _ring.size() - _count : 0; }
    // When the oldest in-flight request was sent (only meaningful when in_flight() > 0).
    std::int64_t oldest_sent_ns() const { return _ring[_head].sent_ns; }

    // Writes `k` requests (k <= free_slots()), due at intended[i] (nullptr: due now, the
    // closed loop). Partial writes continue when the socket drains.
    void send(std::size_t k, const std::int64_t* intended, std::int64_t now_ns);

    // Gives up on the connection: its in-flight requests count as `kind` errors.
    void fail(error_kind kind, int err);

    void on_events(std::uint32_t events) override;

    bool in_ready_list = false; // managed by the thread (open loop)

private:
    struct in_flight_request {
        std::int64_t intended_ns;
        std::int64_t sent_ns;
    };

    void on_connected();
    void on_answered(const in_flight_request& r, std::int64_t now_ns);
    void on_readable();
    bool parse(const char* data, std::size_t size, std::int64_t now_ns);
    void write_pending();
    void set_interest(std::uint32_t events);

    load_thread& _t;
    core::unique_fd _fd;
    bool _connecting = false;
    bool _ever_answered = false;          // counted once in connections_established
    std::vector<in_flight_request> _ring; // capacity: the pipeline depth
    std::size_t _head = 0;
    std::size_t _count = 0;
    response_parser _parser;
    std::string _carry;             // an incomplete response head from the last read
    std::size_t _unsent_bytes = 0;  // request bytes queued but not yet written
    std::size_t _unsent_offset = 0; // where they start in the request buffer (inside its first cycle)
    std::size_t _next_request;      // the cycle index of the next request to queue
    std::uint32_t _interest = 0;
};

} // namespace rpslab::load
