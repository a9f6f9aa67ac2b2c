#include "http/chunked.h"

#include "http/chars.h"

#include <algorithm>
#include <cstring>

namespace rpslab::http {

// The errors a step can report. Constant data, so a step returns a pointer in a register
// rather than a status and a string per byte.
struct chunked_fault {
    status code;
    std::string_view reason;
};

namespace {

constexpr chunked_fault bad_size{status::bad_request, "invalid chunk size"};
constexpr chunked_fault size_too_long{status::bad_request, "chunk size too long"};
constexpr chunked_fault body_over_limit{status::payload_too_large, "chunked body over limit"};
constexpr chunked_fault bad_extension{status::bad_request, "invalid chunk extension"};
constexpr chunked_fault extensions_over_limit{status::payload_too_large, "chunk extensions over limit"};
constexpr chunked_fault bad_data_end{status::bad_request, "chunk data not followed by CRLF"};
constexpr chunked_fault bare_lf{status::bad_request, "bare LF in chunked body"};
constexpr chunked_fault bare_cr{status::bad_request, "bare CR in chunked body"};
constexpr chunked_fault trailer_obs_fold{status::bad_request, "obs-fold in trailer section"};
constexpr chunked_fault space_before_colon{status::bad_request, "whitespace before colon"};
constexpr chunked_fault bad_trailer_name{status::bad_request, "invalid byte in trailer field name"};
constexpr chunked_fault bad_trailer_value{status::bad_request, "invalid byte in trailer field value"};
constexpr chunked_fault trailer_too_large{status::request_header_fields_too_large, "trailer section too large"};
constexpr chunked_fault too_many_trailers{status::request_header_fields_too_large, "too many trailer fields"};
constexpr chunked_fault fed_after_end{status::bad_request, "chunked body fed after its end"};

// picohttpparser's bound: 16 hex digits hold any 64-bit size, so a longer chunk-size
// (even one padded with zeros) is refused instead of tracked for overflow.
constexpr std::uint8_t max_size_digits = 16;

} // namespace

void chunked_decoder::reset() {
    _body_bytes = 0;
    _chunk_remaining = 0;
    _extension_bytes = 0;
    _trailer_fields = 0;
    _trailer_bytes = 0;
    _size_digits = 0;
    _state = state::size_start;
}

chunked_result chunked_decoder::feed(std::span<const char> in, char* out) {
    chunked_result result;
    if (_state == state::done || _state == state::failed) {
        result.state = parse_status::error;
        result.error = fed_after_end.code;
        result.reason = fed_after_end.reason;
        return result;
    }
    const char* const begin = in.data();
    const char* const end = begin + in.size();
    const char* p = begin;
    while (p != end) {
        if (_state == state::data) {
            // The one bulk step: chunk data moves down over the framing already dropped.
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(_chunk_remaining, end - p));
            char* const dst = out + result.written;
            if (dst != p) {
                std::memmove(dst, p, n);
            }
            p += n;
            result.written += n;
            _body_bytes += n;
            _chunk_remaining -= n;
            if (_chunk_remaining == 0) {
                _state = state::data_cr;
            }
            continue;
        }
        if (_state == state::data_cr && end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            p += 2; // the CRLF after chunk data nearly always arrives whole
            _state = state::size_start;
            continue;
        }
        if (_state == state::size_start) {
            if (const char* after = whole_size_line(p, end)) {
                p = after;
                continue;
            }
        }
        if (const chunked_fault* f = on_framing_byte(*p)) {
            _state = state::failed;
            result.state = parse_status::error;
            result.consumed = static_cast<std::size_t>(p - begin);
            result.error = f->code;
            result.reason = f->reason;
            return result;
        }
        ++p;
        if (_state == state::done) {
            result.state = parse_status::complete;
            result.consumed = static_cast<std::size_t>(p - begin);
            return result;
        }
    }
    result.consumed = in.size();
    return result;
}

// The common chunk line, "1a2b\r\n" arrived whole and within limits, in one step; returns
// where the data starts, or nullptr to leave anything else (extensions, a split line,
// an error) to the byte-at-a-time path, which then starts from the same byte.
const char* chunked_decoder::whole_size_line(const char* p, const char* end) {
    const char* q = p;
    std::uint64_t size = 0;
    while (q != end && chars::is_hex(*q) && q - p < max_size_digits) {
        size = size * 16 + chars::hex_value(*q);
        ++q;
    }
    if (q == p || end - q < 2 || q[0] != '\r' || q[1] != '\n' || size > _lim->max_body_bytes - _body_bytes) {
        return nullptr;
    }
    _chunk_remaining = size;
    _state = size == 0 ? state::trailer_line_start : state::data;
    return q + 2;
}

const chunked_fault* chunked_decoder::on_framing_byte(char c) {
    switch (_state) {
    case state::size_start:
    case state::size:
        return on_size_byte(c);
    case state::size_lf:
    case state::data_cr:
    case state::data_lf:
        return on_line_end_byte(c);
    case state::trailer_line_start:
    case state::trailer_name:
    case state::trailer_value:
    case state::trailer_lf:
    case state::final_lf:
        return on_trailer_byte(c);
    case state::data:
    case state::done:
    case state::failed:
        return &fed_after_end; // unreachable: feed() handles these states itself
    default:
        return on_extension_byte(c);
    }
}

// chunk-size = 1*HEXDIG, then chunk-ext or CRLF (RFC 9112 §7.1).
const chunked_fault* chunked_decoder::on_size_byte(char c) {
    if (chars::is_hex(c)) {
        if (++_size_digits > max_size_digits) {
            return &size_too_long;
        }
        _chunk_remaining = _chunk_remaining * 16 + chars::hex_value(c);
        // 413 as soon as the declared size proves the body too large, before its data.
        if (_chunk_remaining > _lim->max_body_bytes - _body_bytes) {
            return &body_over_limit;
        }
        _state = state::size;
        return nullptr;
    }
    if (_state == state::size) {
        if (c == '\r') {
            _state = state::size_lf;
            return nullptr;
        }
        if (c == ';' || chars::is_ows(c)) {
            _state = state::ext_semicolon;
            return on_extension_byte(c);
        }
    }
    return c == '\n' ? &bare_lf : &bad_size;
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token /
// quoted-string (RFC 9112 §7.1.1). Extensions are checked and dropped; their total size is
// bounded like a head so a peer cannot stream them forever (§7.1.1 asks for a limit).
const chunked_fault* chunked_decoder::on_extension_byte(char c) {
    const bool line_end_allowed =
        _state == state::ext_name || _state == state::ext_token || _state == state::ext_after_quote;
    if (c == '\r' && line_end_allowed) {
        _state = state::size_lf;
        return nullptr;
    }
    if (++_extension_bytes > _lim->max_header_bytes) {
        return &extensions_over_limit;
    }
    const bool ows = chars::is_ows(c);
    const bool semicolon_allowed = _state != state::ext_name_start && _state != state::ext_value_start &&
                                   _state != state::ext_quoted && _state != state::ext_quoted_pair;
    if (c == ';' && semicolon_allowed) {
        _state = state::ext_name_start;
        return nullptr;
    }
    switch (_state) {
    case state::ext_semicolon:
        return ows ? nullptr : &bad_extension;
    case state::ext_name_start:
    case state::ext_name:
        if (chars::is_tchar(c)) {
            _state = state::ext_name;
            return nullptr;
        }
        if (_state == state::ext_name && (ows || c == '=')) {
            _state = ows ? state::ext_after_name : state::ext_value_start;
            return nullptr;
        }
        return ows ? nullptr : &bad_extension;
    case state::ext_after_name:
        if (c == '=') {
            _state = state::ext_value_start;
            return nullptr;
        }
        return ows ? nullptr : &bad_extension;
    case state::ext_value_start:
        if (chars::is_tchar(c) || c == '"') {
            _state = c == '"' ? state::ext_quoted : state::ext_token;
            return nullptr;
        }
        return ows ? nullptr : &bad_extension;
    case state::ext_token:
    case state::ext_after_quote:
        if (ows) {
            _state = state::ext_semicolon;
            return nullptr;
        }
        return (_state == state::ext_token && chars::is_tchar(c)) ? nullptr : &bad_extension;
    case state::ext_quoted:
        if (c == '"' || c == '\\') {
            _state = c == '"' ? state::ext_after_quote : state::ext_quoted_pair;
            return nullptr;
        }
        return chars::is_qdtext(c) ? nullptr : &bad_extension;
    case state::ext_quoted_pair:
        _state = state::ext_quoted;
        return chars::is_quoted_pair_byte(c) ? nullptr : &bad_extension;
    default:
        return &bad_extension;
    }
}

// The LF of a chunk line, and the CRLF after chunk data. Strictly CRLF: a bare CR or LF,
// or data longer than its size, is a 400.
const chunked_fault* chunked_decoder::on_line_end_byte(char c) {
    switch (_state) {
    case state::size_lf:
        if (c != '\n') {
            return &bare_cr;
        }
        _size_digits = 0;
        _state = _chunk_remaining == 0 ? state::trailer_line_start : state::data;
        return nullptr;
    case state::data_cr:
        if (c != '\r') {
            return &bad_data_end;
        }
        _state = state::data_lf;
        return nullptr;
    default: // data_lf
        if (c != '\n') {
            return &bad_data_end;
        }
        _state = state::size_start;
        return nullptr;
    }
}

// trailer-section = *( field-line CRLF ) CRLF, with the head's field syntax (RFC 9112
// §7.1.2) and the head's limits, the final CRLF included as in a head. Trailer fields are
// dropped: none of them may change framing.
const chunked_fault* chunked_decoder::on_trailer_byte(char c) {
    if (++_trailer_bytes > _lim->max_header_bytes) {
        return &trailer_too_large;
    }
    switch (_state) {
    case state::trailer_line_start:
        if (c == '\r') {
            _state = state::final_lf;
            return nullptr;
        }
        if (!chars::is_tchar(c)) {
            return chars::is_ows(c) ? &trailer_obs_fold : c == '\n' ? &bare_lf : &bad_trailer_name;
        }
        if (++_trailer_fields > _lim->max_header_count) {
            return &too_many_trailers;
        }
        _state = state::trailer_name;
        return nullptr;
    case state::trailer_name:
        if (c == ':') {
            _state = state::trailer_value;
            return nullptr;
        }
        if (chars::is_tchar(c)) {
            return nullptr;
        }
        return chars::is_ows(c) ? &space_before_colon : &bad_trailer_name;
    case state::trailer_value:
        if (c == '\r') {
            _state = state::trailer_lf;
            return nullptr;
        }
        if (chars::is_value(c)) {
            return nullptr;
        }
        return c == '\n' ? &bare_lf : &bad_trailer_value;
    default: // trailer_lf, final_lf
        if (c != '\n') {
            return &bare_cr;
        }
        _state = _state == state::final_lf ? state::done : state::trailer_line_start;
        return nullptr;
    }
}

} // namespace rpslab::http
