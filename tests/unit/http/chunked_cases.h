// The chunked-body table: one named row per case, with the decoded body or the error
// expected. chunked_test.cc replays every row whole, at every split point and byte by byte.
#pragma once

#include "http/limits.h"
#include "http/status.h"

#include <cstddef>
#include <span>
#include <string_view>

namespace rpslab::http::test {

struct chunked_case {
    std::string_view name;
    std::string_view input;       // the body as sent, possibly followed by the next request
    status error = status::none;  // status::none: the body must decode
    std::string_view reason = {}; // for errors: the exact reason
    std::string_view decoded = {};
    std::size_t trailing_bytes = 0; // bytes after the body (the next request), left untouched
    limits lim = {};
};

std::span<const chunked_case> chunked_cases();

} // namespace rpslab::http::test
