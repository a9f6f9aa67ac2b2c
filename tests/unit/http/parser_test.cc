// Replays every row of the head table (head_cases.cc) whole, whole with a second request
// after it, and at every prefix length (which covers whatever piece sizes a socket
// delivers, since the parser keeps no state between calls), each input placed right
// before a guard page.
#include "http/parser.h"
#include "unit/http/guarded_buffer.h"
#include "unit/http/head_cases.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace rpslab::http::test {
namespace {

using rpslab::test::guarded_buffer;
using rpslab::test::inside;

// Lengths to try as prefixes: all of them for short inputs; for the generated 16-64 KiB
// inputs, both ends in full and a stride through the middle (each parse is O(n)).
std::vector<std::size_t> prefix_lengths(std::size_t n) {
    std::vector<std::size_t> lengths;
    if (n <= 2048) {
        for (std::size_t k = 0; k <= n; ++k) {
            lengths.push_back(k);
        }
        return lengths;
    }
    for (std::size_t k = 0; k < 512; ++k) {
        lengths.push_back(k);
    }
    for (std::size_t k = 512; k < n - 512; k += 61) {
        lengths.push_back(k);
    }
    for (std::size_t k = n - 512; k <= n; ++k) {
        lengths.push_back(k);
    }
    return lengths;
}

std::size_t head_length(const head_case& c) {
    return c.input.size() - c.trailing_bytes;
}

void expect_request(const head_case& c, std::span<const char> in, const parse_result& r, const request& req,
                    std::span<const header_field> fields) {
    const std::size_t head = head_length(c);
    ASSERT_EQ(r.state, parse_status::complete) << r.reason;
    EXPECT_EQ(r.consumed, head);
    EXPECT_EQ(r.error, status::none);
    EXPECT_TRUE(r.reason.empty());
    EXPECT_EQ(req.head_bytes, head);
    EXPECT_EQ(req.method, c.method);
    EXPECT_EQ(req.path, c.path);
    EXPECT_EQ(req.query, c.query);
    EXPECT_EQ(req.host, c.host);
    EXPECT_EQ(req.version, c.version);
    EXPECT_EQ(req.framing, c.framing);
    EXPECT_EQ(req.content_length, c.content_length);
    EXPECT_EQ(req.keep_alive, c.keep_alive);
    EXPECT_EQ(req.expect_continue, c.expect_continue);
    ASSERT_EQ(req.headers.size(), c.fields);
    if (c.fields > 0) {
        EXPECT_EQ(req.headers.data(), fields.data());
    }
    if (!c.check_name.empty()) {
        EXPECT_EQ(find_header(req, c.check_name), c.check_value);
    }
    // Every view points into the head itself, never past it (RFC text in parser.h).
    const std::span<const char> head_span = in.first(head);
    for (std::string_view v : {req.method_text, req.target, req.path, req.query, req.host}) {
        EXPECT_TRUE(inside(v, head_span)) << v;
    }
    for (const header_field& f : req.headers) {
        EXPECT_TRUE(inside(f.name, head_span)) << f.name;
        EXPECT_TRUE(inside(f.value, head_span)) << f.value;
        EXPECT_FALSE(f.name.empty());
    }
    const std::string_view text(in.data(), head);
    EXPECT_EQ(req.method_text, text.substr(text.starts_with("\r\n") ? 2 : 0, req.method_text.size()));
}

void expect_error(const head_case& c, const parse_result& r) {
    ASSERT_EQ(r.state, parse_status::error) << "expected " << code(c.error);
    EXPECT_EQ(code(r.error), code(c.error)) << r.reason;
    EXPECT_EQ(r.reason, c.reason);
}

class head_table : public ::testing::TestWithParam<head_case> {};

TEST_P(head_table, whole) {
    const head_case& c = GetParam();
    guarded_buffer buffer(c.input.size());
    const std::span<const char> in = buffer.place(c.input);
    std::vector<header_field> fields(c.field_capacity);
    request req;
    const parse_result r = parse_request(in, c.lim, fields, req);
    if (c.error == status::none) {
        expect_request(c, in, r, req, fields);
    } else {
        expect_error(c, r);
    }
}

// Bytes after the input (the next pipelined request) never change the outcome.
TEST_P(head_table, whole_with_next_request) {
    const head_case& c = GetParam();
    const std::string input = std::string(c.input) + "GET /next HTTP/1.1\r\nHost: n\r\n\r\n";
    guarded_buffer buffer(input.size());
    const std::span<const char> in = buffer.place(input);
    std::vector<header_field> fields(c.field_capacity);
    request req;
    const parse_result r = parse_request(in, c.lim, fields, req);
    if (c.error == status::none) {
        expect_request(c, in, r, req, fields);
    } else {
        expect_error(c, r);
    }
}

// Bytes arriving one at a time: every strict prefix of a valid head is incomplete; for a
// hostile input, once the bytes prove the error, every longer prefix reports that same
// error, and the whole input does.
TEST_P(head_table, every_prefix) {
    const head_case& c = GetParam();
    guarded_buffer buffer(c.input.size());
    std::vector<header_field> fields(c.field_capacity);
    bool error_seen = false;
    for (std::size_t k : prefix_lengths(c.input.size())) {
        const std::span<const char> in = buffer.place(c.input.substr(0, k));
        request req;
        const parse_result r = parse_request(in, c.lim, fields, req);
        if (c.error == status::none) {
            if (k < head_length(c)) {
                ASSERT_EQ(r.state, parse_status::incomplete) << "prefix " << k << ": " << r.reason;
                ASSERT_EQ(r.error, status::none);
            } else {
                ASSERT_EQ(r.state, parse_status::complete) << "prefix " << k << ": " << r.reason;
                ASSERT_EQ(r.consumed, head_length(c));
            }
            continue;
        }
        ASSERT_NE(r.state, parse_status::complete) << "prefix " << k;
        if (r.state == parse_status::error) {
            error_seen = true;
            ASSERT_EQ(code(r.error), code(c.error)) << "prefix " << k << ": " << r.reason;
            ASSERT_EQ(r.reason, c.reason) << "prefix " << k;
        } else {
            ASSERT_FALSE(error_seen) << "prefix " << k << " went back to incomplete";
        }
    }
    if (c.error != status::none) {
        EXPECT_TRUE(error_seen);
    }
}

std::string head_row_name(const ::testing::TestParamInfo<head_case>& info) {
    return std::string(info.param.name);
}

INSTANTIATE_TEST_SUITE_P(rows, head_table, ::testing::ValuesIn(head_cases().begin(), head_cases().end()),
                         head_row_name);

TEST(head_table_shape, has_enough_distinct_rows) {
    EXPECT_GE(head_cases().size(), 80U);
    std::size_t errors = 0;
    for (const head_case& c : head_cases()) {
        errors += c.error != status::none ? 1 : 0;
        if (c.error != status::none) {
            EXPECT_FALSE(c.reason.empty()) << c.name;
        }
    }
    EXPECT_GE(errors, 40U);
}

TEST(parse_request, empty_input_is_incomplete) {
    std::vector<header_field> fields(4);
    request req;
    const parse_result r = parse_request({}, limits{}, fields, req);
    EXPECT_EQ(r.state, parse_status::incomplete);
    EXPECT_EQ(r.consumed, 0U);
}

TEST(parse_request, leaves_nothing_of_a_previous_request) {
    std::vector<header_field> fields(4);
    request req;
    const std::string_view first = "POST /a?b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(parse_request(first, limits{}, fields, req).state, parse_status::complete);
    const std::string_view second = "GET / HTTP/1.1\r\nHost: y\r\n\r\n";
    ASSERT_EQ(parse_request(second, limits{}, fields, req).state, parse_status::complete);
    EXPECT_EQ(req.method, method::get);
    EXPECT_EQ(req.query, "");
    EXPECT_EQ(req.framing, body_framing::none);
    EXPECT_EQ(req.content_length, 0U);
    EXPECT_TRUE(req.keep_alive);
    EXPECT_EQ(req.headers.size(), 1U);
}

TEST(parse_request, zero_limits_refuse_everything) {
    std::vector<header_field> fields(4);
    request req;
    const limits none{.max_request_line_bytes = 0, .max_header_bytes = 0, .max_header_count = 0, .max_body_bytes = 0};
    const parse_result r = parse_request(std::string_view("GET / HTTP/1.1\r\n"), none, fields, req);
    EXPECT_EQ(r.state, parse_status::error);
    EXPECT_EQ(r.error, status::request_header_fields_too_large);
}

} // namespace
} // namespace rpslab::http::test
