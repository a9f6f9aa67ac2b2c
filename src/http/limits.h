// Limits on what a request may make the server hold; each is a `rpslab serve` flag.
// Defaults (DESIGN.md "Bad input") are generous for every real client and bound memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rpslab::http {

struct limits {
    std::size_t max_request_line_bytes = 16 * 1024;  // request line without CRLF; over it: 414
    std::size_t max_header_bytes = 64 * 1024;        // whole head: request line + fields + CRLFs; over it: 431
    std::size_t max_header_count = 128;              // fields in the head, and in a chunked trailer; over it: 431
    std::uint64_t max_body_bytes = 16 * 1024 * 1024; // decoded body; over it: 413
};

} // namespace rpslab::http
