// The load generator's HTTP/1.1 response parser: an incremental state machine that
// frames responses (Content-Length, chunked, close-delimited, or no body for HEAD, 204,
// 304 and 1xx) and counts body bytes without buffering them, so a 450 KB body costs no
// more memory than a 16-byte one. Bodies are never decompressed: gzip bodies count as bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace rpslab::load {

enum class response_state : std::uint8_t {
    complete,   // one whole response ended; `consumed` bytes belong to it (from this call)
    incomplete, // all of the input was used (or the head is not complete yet); feed more
    error,      // not a valid HTTP/1.x response; the connection cannot be trusted any more
};

struct response_result {
    response_state state = response_state::incomplete;
    std::size_t consumed = 0;
    std::string_view error; // static text when state == error
};

class response_parser {
public:
    // Heads longer than this are an error (a generator that buffered without bound could be
    // made the ceiling by a hostile server).
    static constexpr std::size_t max_head_bytes = 64 * 1024;

    // The request this response answers was a HEAD: no body whatever the fields say.
    void expect_no_body(bool head_request) { _head_request = head_request; }

    // Consumes response bytes from `in`. While the head is incomplete it consumes nothing
    // (the caller keeps the bytes and calls again with more); body bytes are consumed as
    // they come. After `complete`, call reset() before the next response.
    response_result feed(std::span<const char> in);

    // The peer closed the connection: completes a close-delimited body, else false.
    bool on_eof();

    void reset();

    int status() const { return _status; }
    bool keep_alive() const { return _keep_alive; }
    bool informational() const { return _status >= 100 && _status < 200; } // 1xx: not the final response
    std::uint64_t body_bytes() const { return _body_bytes; }
    std::size_t head_bytes() const { return _head_bytes; }

private:
    enum class phase : std::uint8_t {
        head,
        fixed_body,
        chunk_size,
        chunk_ext,
        chunk_data,
        chunk_data_end,
        trailer,
        until_close,
        done
    };

    response_result parse_head(std::span<const char> in);
    response_result parse_chunked(std::span<const char> in);

    phase _phase = phase::head;
    int _status = 0;
    bool _keep_alive = true;
    bool _head_request = false;
    std::uint64_t _remaining = 0; // of a fixed body or of the current chunk
    std::uint64_t _body_bytes = 0;
    std::size_t _head_bytes = 0;
    std::size_t _line_bytes = 0; // chunk-size / trailer line length so far
    bool _size_digits = false;
    bool _saw_cr = false;
    bool _trailer_line_empty = true;
};

} // namespace rpslab::load
