// HTTP status codes rpslab produces, and their reason phrases (RFC 9110 §15).
// The table is constant data: safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace rpslab::http {

enum class status : std::uint16_t {
    none = 0,
    continue_ = 100,
    ok = 200,
    accepted = 202,
    no_content = 204,
    bad_request = 400,
    not_found = 404,
    method_not_allowed = 405,
    request_timeout = 408,
    conflict = 409,
    payload_too_large = 413,
    uri_too_long = 414,
    request_header_fields_too_large = 431,
    internal_server_error = 500,
    not_implemented = 501,
    service_unavailable = 503,
    http_version_not_supported = 505,
};

// The reason phrase for `s` ("OK", "Not Found", ...); "Unknown" for a code not in the table.
std::string_view reason_phrase(status s);

constexpr int code(status s) {
    return static_cast<int>(s);
}

} // namespace rpslab::http
