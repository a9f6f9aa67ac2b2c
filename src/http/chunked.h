// Incremental, in-place decoder for the chunked transfer coding (RFC 9112 §7.1):
// chunk sizes, extensions and the trailer section are checked and dropped, chunk data
// is moved down so that the decoded body ends up contiguous. One per connection.
#pragma once

#include "http/limits.h"
#include "http/parser.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace rpslab::http {

struct chunked_result {
    parse_status state = parse_status::incomplete;
    std::size_t consumed = 0; // bytes of `in` used by this call (all of it unless complete or error)
    std::size_t written = 0;  // decoded body bytes written to `out` by this call
    // 400 (syntax), 413 (decoded body over lim.max_body_bytes, or chunk extensions over
    // lim.max_header_bytes) or 431 (trailer section over lim.max_header_count/max_header_bytes)
    status error = status::none;
    std::string_view reason;
};

struct chunked_fault; // an error status and its reason, constant data (chunked.cc)

class chunked_decoder {
public:
    explicit chunked_decoder(const limits& lim) : _lim(&lim) {}

    // Decodes the next bytes of a chunked body. `out` may alias `in`: it must point at or
    // before in.data() (decoding only moves bytes down), and the caller keeps the
    // decoded bytes written so far. Calls after `complete` or `error` need reset().
    // When `complete`, `consumed` ends right after the final CRLF of the trailer section,
    // so the bytes after it are the next pipelined request.
    chunked_result feed(std::span<const char> in, char* out);

    // Back to the start of a new body.
    void reset();

    std::uint64_t body_bytes() const { return _body_bytes; } // decoded so far

private:
    // Where the decoder stands in the chunked-body grammar (RFC 9112 §7.1).
    enum class state : std::uint8_t {
        size_start,         // first HEXDIG of a chunk-size
        size,               // more HEXDIG, or the start of chunk-ext, or CR
        ext_semicolon,      // BWS seen: only more BWS or ";" may follow
        ext_name_start,     // after ";": BWS, then the first byte of ext-name
        ext_name,           // in ext-name
        ext_after_name,     // BWS after ext-name: "=" or ";" must follow
        ext_value_start,    // after "=": BWS, then a token or a quoted-string
        ext_token,          // in a token ext-val
        ext_quoted,         // in a quoted-string ext-val
        ext_quoted_pair,    // after "\" in a quoted-string
        ext_after_quote,    // after the closing DQUOTE
        size_lf,            // CR of the chunk line seen
        data,               // _chunk_remaining bytes of chunk-data to go
        data_cr,            // chunk-data done: CR must follow
        data_lf,            // LF must follow
        trailer_line_start, // a trailer field line, or the CR of the final CRLF
        trailer_name,       // in a trailer field-name
        trailer_value,      // in a trailer field-value
        trailer_lf,         // CR of a trailer line seen
        final_lf,           // CR of the final CRLF seen
        done,               // complete: reset() before the next body
        failed,             // error: reset() before the next body
    };
    const char* whole_size_line(const char* p, const char* end);
    // Each step takes one framing byte; it returns nullptr to go on, or the error.
    const chunked_fault* on_framing_byte(char c);
    const chunked_fault* on_size_byte(char c);
    const chunked_fault* on_extension_byte(char c);
    const chunked_fault* on_line_end_byte(char c);
    const chunked_fault* on_trailer_byte(char c);

    const limits* _lim;
    std::uint64_t _body_bytes = 0;
    std::uint64_t _chunk_remaining = 0; // while reading a chunk-size: its value so far
    std::uint64_t _extension_bytes = 0; // chunk-ext bytes in this body, bounded like a head
    std::size_t _trailer_fields = 0;
    std::size_t _trailer_bytes = 0;
    std::uint8_t _size_digits = 0;
    state _state = state::size_start;
};

} // namespace rpslab::http
