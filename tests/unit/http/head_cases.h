// The request-head table: one named row per case, valid and hostile, with the exact
// outcome expected. parser_test.cc replays every row whole and byte by byte.
#pragma once

#include "http/limits.h"
#include "http/request.h"
#include "http/status.h"
#include "unit/http/status_names.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::http::test {

struct head_case {
    std::string_view name;
    std::string_view input;
    status error = status::none;  // status::none: the head must parse
    std::string_view reason = {}; // for errors: the exact reason

    // For valid rows: the fields of the parsed request.
    http::method method = method::get;
    std::string_view path = "/";
    std::string_view query = {};
    std::string_view host = "a";
    http::version version = version::http11;
    body_framing framing = body_framing::none;
    std::uint64_t content_length = 0;
    bool keep_alive = true;
    bool expect_continue = false;
    std::size_t fields = 1;           // header count
    std::size_t trailing_bytes = 0;   // bytes after the head (a body), not part of it
    std::string_view check_name = {}; // when set: find_header(check_name) must be check_value
    std::string_view check_value = {};

    std::size_t field_capacity = 256; // size of the fields array handed to the parser
    limits lim = {};
};

// Every row; the views point into static storage.
std::span<const head_case> head_cases();

// The parts of the table, one file each.
std::vector<head_case> valid_head_rows();         // head_cases.cc
std::vector<head_case> request_line_error_rows(); // head_error_cases.cc
std::vector<head_case> field_error_rows();        // head_error_cases.cc
std::vector<head_case> framing_error_rows();      // framing_cases.cc

// Inputs at and just past the default limits (16 KiB line, 64 KiB head, 128 fields).
struct generated_heads {
    std::string line_at_limit, line_over_limit, head_at_limit, head_over_limit, fields_at_limit, fields_over_limit;
};
const generated_heads& generated();

inline constexpr std::uint64_t max_u64 = ~std::uint64_t{0};

// An error row: the input, the status and the exact reason.
inline head_case bad(std::string_view name, std::string_view input, status s, std::string_view reason,
                     limits lim = {}) {
    head_case c{.name = name, .input = input, .error = s, .reason = reason};
    c.lim = lim;
    return c;
}

} // namespace rpslab::http::test
