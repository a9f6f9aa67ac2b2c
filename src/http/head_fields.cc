#include "http/head_fields.h"

#include "http/authority.h"

#include <cstddef>

namespace rpslab::http {
namespace {

constexpr field_error duplicate_host{status::bad_request, "duplicate Host"};
constexpr field_error invalid_host{status::bad_request, "invalid Host"};
constexpr field_error missing_host{status::bad_request, "missing Host"};
constexpr field_error duplicate_length{status::bad_request, "duplicate Content-Length"};
constexpr field_error invalid_length{status::bad_request, "invalid Content-Length"};
constexpr field_error length_over_limit{status::payload_too_large, "Content-Length over limit"};
constexpr field_error invalid_codings{status::bad_request, "invalid Transfer-Encoding"};
constexpr field_error codings_in_http10{status::bad_request, "Transfer-Encoding in HTTP/1.0"};
constexpr field_error length_and_codings{status::bad_request, "Content-Length with Transfer-Encoding"};
constexpr field_error chunked_twice{status::bad_request, "chunked applied more than once"};
constexpr field_error chunked_not_final{status::bad_request, "final transfer coding is not chunked"};
constexpr field_error unknown_coding{status::not_implemented, "unsupported transfer coding"};
constexpr field_error invalid_connection{status::bad_request, "invalid Connection"};

// Compares a field name (a token) with a lowercase name of letters and '-' of the same
// length. OR-ing 0x20 maps 'A'-'Z' onto 'a'-'z' and keeps '-'; the only other byte it maps
// onto one of those is CR (0x0D | 0x20 == '-'), which a token never holds.
bool name_is(std::string_view token, std::string_view lower) {
    for (std::size_t i = 0; i < lower.size(); ++i) {
        if ((token[i] | 0x20) != lower[i]) {
            return false;
        }
    }
    return true;
}

} // namespace

// Dispatched by name length first: most fields of a request match no length here.
const field_error* head_fields::on_field(std::string_view name, std::string_view value) {
    switch (name.size()) {
    case 4:
        return name_is(name, "host") ? on_host(value) : nullptr;
    case 6:
        if (name_is(name, "expect")) {
            _expect_continue |= iequals(value, "100-continue");
        }
        return nullptr;
    case 10:
        if (name_is(name, "connection") && !add_connection_options(value, _connection)) {
            return &invalid_connection;
        }
        return nullptr;
    case 14:
        return name_is(name, "content-length") ? on_content_length(value) : nullptr;
    case 17:
        if (name_is(name, "transfer-encoding")) {
            add_transfer_codings(value, _codings);
            if (_codings.malformed) {
                return &invalid_codings;
            }
        }
        return nullptr;
    default:
        return nullptr;
    }
}

// RFC 9112 §3.2: more than one Host line, or an invalid Host value, is a 400.
const field_error* head_fields::on_host(std::string_view value) {
    if (_host_seen) {
        return &duplicate_host;
    }
    if (!valid_authority(value, host_rule::may_be_empty, port_rule::optional)) {
        return &invalid_host;
    }
    _host_seen = true;
    _host = value;
    return nullptr;
}

// RFC 9110 §8.6, RFC 9112 §6.3: one decimal number. We refuse repeats even when equal
// (the RFC permits that), as any disagreement on framing is a smuggling vector.
const field_error* head_fields::on_content_length(std::string_view value) {
    if (_content_length_seen) {
        return &duplicate_length;
    }
    const auto length = parse_content_length(value);
    if (!length) {
        return &invalid_length;
    }
    _content_length_seen = true;
    _content_length = *length;
    return nullptr;
}

const field_error* head_fields::finish(request& out, const limits& lim, std::string_view target_authority) const {
    const bool http10 = out.version == version::http10;
    if (!http10 && !_host_seen) {
        return &missing_host;
    }
    if (_codings.present) {
        if (const field_error* e = frame_chunked(out, http10)) {
            return e;
        }
    } else if (_content_length_seen) {
        if (_content_length > lim.max_body_bytes) {
            return &length_over_limit;
        }
        out.framing = body_framing::content_length;
        out.content_length = _content_length;
    }
    // RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
    out.keep_alive = !_connection.close && (!http10 || _connection.keep_alive);
    // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
    out.expect_continue = _expect_continue && !http10;
    // RFC 9112 §3.2.2: with absolute-form, the target's authority overrides Host.
    out.host = target_authority.empty() ? _host : target_authority;
    return nullptr;
}

// RFC 9112 §6.1, §6.3: Transfer-Encoding frames the body only when it can be trusted.
const field_error* head_fields::frame_chunked(request& out, bool http10) const {
    if (http10) {
        return &codings_in_http10;
    }
    if (_content_length_seen) {
        return &length_and_codings;
    }
    if (_codings.chunked_count > 1) {
        return &chunked_twice;
    }
    if (!_codings.last_is_chunked) {
        return &chunked_not_final;
    }
    if (_codings.other_coding) {
        return &unknown_coding;
    }
    out.framing = body_framing::chunked;
    out.content_length = 0;
    return nullptr;
}

} // namespace rpslab::http
