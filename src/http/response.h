// What a handler answers, and the writer that turns it into HTTP/1.1 bytes in a
// connection's output queue. No sockets here: the server flushes the queue.
#pragma once

#include "core/output_queue.h"
#include "http/status.h"

#include <cstdint>
#include <string_view>

namespace rpslab::http {

// How the body bytes live. `borrowed` bodies must outlive the send (the product pool,
// string literals); `scratch` bodies are copied at once.
enum class body_storage : std::uint8_t { borrowed, scratch };

struct response {
    http::status status = status::ok;
    std::string_view content_type;     // omitted when empty
    std::string_view content_encoding; // "gzip" or empty
    std::string_view allow;            // the Allow field of a 405, or empty
    bool vary_accept_encoding = false;
    std::uint32_t retry_after_s = 0; // a Retry-After field (RFC 9110 §10.2.3) when not 0
    std::string_view body;
    body_storage storage = body_storage::borrowed;
};

// Per-request facts the writer needs besides the response itself.
struct response_context {
    bool head_request = false; // HEAD: every header as for GET, no body (RFC 9110 §9.3.2)
    bool http10 = false;
    bool keep_alive = true; // false: "Connection: close" and the server closes after it
    std::string_view date;  // the worker's cached IMF-fixdate
};

// Appends the status line, fields and body of `r` to `out`. Always sends Content-Length
// (never close-delimited). Bodies up to `copy_threshold` bytes are copied next to the
// head, so a batch of small responses is one contiguous iovec; larger borrowed bodies
// are queued by reference.
void write_response(core::output_queue& out, const response& r, const response_context& ctx);

// "HTTP/1.1 100 Continue\r\n\r\n" (RFC 9110 §15.2.1).
void write_continue(core::output_queue& out);

inline constexpr std::size_t copy_threshold = 1024;

} // namespace rpslab::http
