// The HTTP/1.x request-head parser: a pure function over a byte span (RFC 9112 §2-§7,
// RFC 9110 for field semantics). It never allocates, copies or keeps state between calls.
#pragma once

#include "http/limits.h"
#include "http/request.h"
#include "http/status.h"

#include <cstddef>
#include <span>

namespace rpslab::http {

enum class parse_status : std::uint8_t {
    complete,   // a whole request head was parsed; `consumed` is its length
    incomplete, // the bytes so far are a valid prefix; call again with more
    error,      // the input can never become a valid request; `error` says which status to answer
};

struct parse_result {
    parse_status state = parse_status::incomplete;
    std::size_t consumed = 0;    // bytes of the head, when complete (== req.head_bytes)
    status error = status::none; // 400, 413, 414, 431, 501 or 505 when state == error
    std::string_view reason;     // a short, static description of the error, for logs and tests
};

// Parses one request head at the start of `input`.
//
// `fields` is caller-owned scratch for the header fields; on `complete`, `out.headers`
// points into it and every view in `out` points into `input`. Fewer than
// lim.max_header_count entries makes a request with more fields fail with 431.
//
// Rejects everything RFC 9112 says a server MUST reject: malformed request line or
// fields, whitespace before the colon, obs-fold, bare CR or LF, NUL and other CTLs;
// a missing, repeated or invalid Host in HTTP/1.1 (§3.2); Content-Length that is not
// a single decimal number, duplicated or combined with Transfer-Encoding (§6.3);
// a Transfer-Encoding whose final coding is not chunked (400) or that names a coding
// other than chunked (501); a Content-Length over lim.max_body_bytes (413); a target
// longer than lim.max_request_line_bytes allows (414); more than lim.max_header_bytes
// or lim.max_header_count (431); an unsupported major version (505). A leading empty line
// before the request line is tolerated (§2.2). `incomplete` is only returned while
// the bytes so far are within the limits, so a peer can never make the caller buffer
// more than lim.max_header_bytes waiting for a head.
parse_result parse_request(std::span<const char> input, const limits& lim, std::span<header_field> fields,
                           request& out);

} // namespace rpslab::http
