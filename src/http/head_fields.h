// The meaning of the field lines that decide framing, routing and connection reuse: Host,
// Content-Length, Transfer-Encoding, Connection and Expect (RFC 9110 §7.2, §8.6, §10.1.1;
// RFC 9112 §3.2, §6, §9.3). The parser feeds one accumulator per head, line by line.
#pragma once

#include "http/field_values.h"
#include "http/limits.h"
#include "http/request.h"
#include "http/status.h"

#include <cstdint>
#include <string_view>

namespace rpslab::http {

// An error the fields prove: the status to answer and a short static reason. Constant data:
// the functions below return a pointer to one, or nullptr when all is well.
struct field_error {
    status code;
    std::string_view reason;
};

class head_fields {
public:
    // Takes one field line as parsed (name a token, value trimmed) and reports what the
    // line alone proves wrong (400): a repeated or invalid Host or Content-Length, an
    // invalid Transfer-Encoding or Connection list. Other fields are ignored.
    const field_error* on_field(std::string_view name, std::string_view value);

    // Applies the rules that need the whole head, in a fixed order so that the answer never
    // depends on the order of the lines, and fills out.host, framing, content_length,
    // keep_alive and expect_continue. out.version must be set; `target_authority` is the
    // authority of an absolute-form target, empty otherwise.
    const field_error* finish(request& out, const limits& lim, std::string_view target_authority) const;

private:
    const field_error* on_host(std::string_view value);
    const field_error* on_content_length(std::string_view value);
    const field_error* frame_chunked(request& out, bool http10) const;

    std::string_view _host;
    std::uint64_t _content_length = 0;
    transfer_codings _codings;
    connection_options _connection;
    bool _host_seen = false;
    bool _content_length_seen = false;
    bool _expect_continue = false;
};

} // namespace rpslab::http
