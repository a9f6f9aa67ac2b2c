// A parsed HTTP/1.x request head: views into the connection's read buffer, no copies.
// Every std::string_view here stays valid until the buffer it points into is compacted
// or freed (the connection compacts only after the whole batch was answered).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace rpslab::http {

enum class method : std::uint8_t { get, head, post, put, delete_, options, patch, connect, trace, other };

enum class version : std::uint8_t { http10, http11 };

// How the request's body is delimited (RFC 9112 §6.3).
enum class body_framing : std::uint8_t { none, content_length, chunked };

struct header_field {
    std::string_view name;  // as received (a token); compare case-insensitively
    std::string_view value; // leading and trailing whitespace removed
};

struct request {
    std::string_view method_text; // the method token as received, e.g. "GET"
    http::method method = method::other;
    std::string_view target; // the request-target as received
    std::string_view path;   // origin-form path ("/simple"); for absolute-form, the path part of the URI
    std::string_view query;  // after '?', without it; empty when none
    http::version version = version::http11;
    // The Host field value (empty when absent, allowed only for HTTP/1.0); with an
    // absolute-form target, the target's authority, which overrides Host (RFC 9112 §3.2.2).
    std::string_view host;
    std::span<const header_field> headers; // all fields in order, views into the buffer

    body_framing framing = body_framing::none;
    std::uint64_t content_length = 0; // meaningful when framing == content_length
    bool keep_alive = true;           // after the version default and the Connection field (RFC 9112 §9.3)
    bool expect_continue = false;     // "Expect: 100-continue" (RFC 9110 §10.1.1)
    std::size_t head_bytes = 0;       // bytes of the request line and header section, final CRLF included
};

// Case-insensitive ASCII comparison, for field names and tokens.
bool iequals(std::string_view a, std::string_view b);

// `s` without leading and trailing OWS (SP and HTAB, RFC 9110 §5.6.3).
std::string_view trim_ows(std::string_view s);

// The value of the first field named `name` (case-insensitive); empty when absent.
std::string_view find_header(const request& req, std::string_view name);

} // namespace rpslab::http
