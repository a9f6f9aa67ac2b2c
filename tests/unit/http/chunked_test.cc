// Replays every row of the chunked table (chunked_cases.cc) whole, at every split point,
// byte by byte and in fixed piece sizes; each way both in place in one buffer (as a
// connection decodes its read buffer) and with every piece right before a guard page.
#include "http/chunked.h"
#include "unit/http/chunked_cases.h"
#include "unit/http/guarded_buffer.h"

#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace rpslab::http::test {
namespace {

using rpslab::test::guarded_buffer;

struct outcome {
    parse_status state = parse_status::incomplete;
    status error = status::none;
    std::string_view reason;
    std::size_t consumed = 0; // over all pieces
    std::string decoded;
    std::uint64_t body_bytes = 0;
    bool rest_intact = true; // the bytes after the body are as they were
};

// Checks one feed() against what the contract promises for any input.
void check_step(const chunked_result& r, std::size_t piece, std::size_t out, std::size_t pos) {
    EXPECT_LE(r.consumed, piece);
    EXPECT_LE(out + r.written, pos + r.consumed) << "output overtook input";
    if (r.state == parse_status::incomplete) {
        EXPECT_EQ(r.consumed, piece);
        EXPECT_EQ(r.error, status::none);
    }
}

void finish(outcome& o, const chunked_result& r) {
    o.state = r.state;
    o.error = r.error;
    o.reason = r.reason;
}

// The input cut at `cuts` (ascending offsets) and decoded in place in one buffer.
outcome run_in_place(const chunked_case& c, const std::vector<std::size_t>& cuts) {
    guarded_buffer buffer(c.input.size());
    const std::span<char> in = buffer.place(c.input);
    chunked_decoder decoder(c.lim);
    outcome o;
    std::size_t pos = 0;
    std::size_t out = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t end = i < cuts.size() ? cuts[i] : in.size();
        const chunked_result r = decoder.feed(in.subspan(pos, end - pos), in.data() + out);
        check_step(r, end - pos, out, pos);
        pos += r.consumed;
        out += r.written;
        if (r.state != parse_status::incomplete) {
            finish(o, r);
            break;
        }
    }
    o.consumed = pos;
    o.decoded.assign(in.data(), out);
    o.body_bytes = decoder.body_bytes();
    if (o.state == parse_status::complete) {
        o.rest_intact = std::memcmp(in.data() + pos, c.input.data() + pos, in.size() - pos) == 0;
    }
    return o;
}

// The same cuts, but every piece is copied to end right at the guard page and decoded in
// place there: a read past any piece faults.
outcome run_guarded(const chunked_case& c, const std::vector<std::size_t>& cuts) {
    guarded_buffer buffer(c.input.size());
    chunked_decoder decoder(c.lim);
    outcome o;
    std::size_t pos = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t end = i < cuts.size() ? cuts[i] : c.input.size();
        const std::span<char> piece = buffer.place(c.input.substr(pos, end - pos));
        const chunked_result r = decoder.feed(piece, piece.data());
        check_step(r, piece.size(), 0, 0);
        o.decoded.append(piece.data(), r.written);
        pos += r.consumed;
        if (r.state != parse_status::incomplete) {
            finish(o, r);
            break;
        }
    }
    o.consumed = pos;
    o.body_bytes = decoder.body_bytes();
    return o;
}

void expect_outcome(const chunked_case& c, const outcome& o, const std::string& how) {
    if (c.error == status::none) {
        ASSERT_EQ(o.state, parse_status::complete) << how << ": " << o.reason;
        EXPECT_EQ(o.consumed, c.input.size() - c.trailing_bytes) << how;
        EXPECT_EQ(o.decoded, c.decoded) << how;
        EXPECT_EQ(o.body_bytes, c.decoded.size()) << how;
        EXPECT_TRUE(o.rest_intact) << how;
    } else {
        ASSERT_EQ(o.state, parse_status::error) << how;
        EXPECT_EQ(code(o.error), code(c.error)) << how << ": " << o.reason;
        EXPECT_EQ(o.reason, c.reason) << how;
    }
}

void expect_both_ways(const chunked_case& c, const std::vector<std::size_t>& cuts, const std::string& how) {
    expect_outcome(c, run_in_place(c, cuts), how + " in place");
    expect_outcome(c, run_guarded(c, cuts), how + " guarded");
}

class chunked_table : public ::testing::TestWithParam<chunked_case> {};

TEST_P(chunked_table, whole) {
    expect_both_ways(GetParam(), {}, "whole");
}

TEST_P(chunked_table, every_split_point) {
    const chunked_case& c = GetParam();
    for (std::size_t k = 0; k <= c.input.size(); ++k) {
        expect_both_ways(c, {k}, "split at " + std::to_string(k));
        if (HasFatalFailure()) {
            return;
        }
    }
}

TEST_P(chunked_table, byte_by_byte) {
    const chunked_case& c = GetParam();
    std::vector<std::size_t> cuts;
    for (std::size_t k = 1; k < c.input.size(); ++k) {
        cuts.push_back(k);
    }
    expect_both_ways(c, cuts, "byte by byte");
}

TEST_P(chunked_table, fixed_piece_sizes) {
    const chunked_case& c = GetParam();
    for (std::size_t size : {2, 3, 5, 7, 13, 64}) {
        std::vector<std::size_t> cuts;
        for (std::size_t k = size; k < c.input.size(); k += size) {
            cuts.push_back(k);
        }
        expect_both_ways(c, cuts, "pieces of " + std::to_string(size));
    }
}

std::string chunked_row_name(const ::testing::TestParamInfo<chunked_case>& info) {
    return std::string(info.param.name);
}

INSTANTIATE_TEST_SUITE_P(rows, chunked_table, ::testing::ValuesIn(chunked_cases().begin(), chunked_cases().end()),
                         chunked_row_name);

TEST(chunked_decoder, decodes_into_a_separate_buffer) {
    const limits lim;
    chunked_decoder decoder(lim);
    const std::string_view in = "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    std::vector<char> out(16, '#');
    const chunked_result r = decoder.feed(in, out.data());
    ASSERT_EQ(r.state, parse_status::complete);
    EXPECT_EQ(r.consumed, in.size());
    EXPECT_EQ(std::string_view(out.data(), r.written), "abcde");
    EXPECT_EQ(out[5], '#');
}

TEST(chunked_decoder, feed_after_complete_needs_reset) {
    const limits lim;
    chunked_decoder decoder(lim);
    std::string body = "1\r\nx\r\n0\r\n\r\n";
    ASSERT_EQ(decoder.feed(body, body.data()).state, parse_status::complete);
    std::string more = "1\r\ny\r\n0\r\n\r\n";
    const chunked_result after = decoder.feed(more, more.data());
    EXPECT_EQ(after.state, parse_status::error);
    EXPECT_EQ(after.written, 0U);
    decoder.reset();
    EXPECT_EQ(decoder.body_bytes(), 0U);
    const chunked_result again = decoder.feed(more, more.data());
    EXPECT_EQ(again.state, parse_status::complete);
    EXPECT_EQ(std::string_view(more.data(), again.written), "y");
    EXPECT_EQ(decoder.body_bytes(), 1U);
}

TEST(chunked_decoder, feed_after_error_needs_reset) {
    const limits lim;
    chunked_decoder decoder(lim);
    std::string body = "z\r\n";
    ASSERT_EQ(decoder.feed(body, body.data()).state, parse_status::error);
    std::string good = "0\r\n\r\n";
    EXPECT_EQ(decoder.feed(good, good.data()).state, parse_status::error);
    decoder.reset();
    EXPECT_EQ(decoder.feed(good, good.data()).state, parse_status::complete);
}

TEST(chunked_decoder, reset_clears_limits_already_used) {
    const limits lim{.max_header_bytes = 8, .max_header_count = 1, .max_body_bytes = 4};
    chunked_decoder decoder(lim);
    const std::string body = "4;abcdef\r\nabcd\r\n0\r\nT: 1\r\n\r\n";
    std::string first = body;
    ASSERT_EQ(decoder.feed(first, first.data()).state, parse_status::complete);
    decoder.reset();
    std::string same = body;
    const chunked_result r = decoder.feed(same, same.data());
    EXPECT_EQ(r.state, parse_status::complete) << r.reason;
}

TEST(chunked_decoder, empty_feed_is_incomplete) {
    const limits lim;
    chunked_decoder decoder(lim);
    const chunked_result r = decoder.feed({}, nullptr);
    EXPECT_EQ(r.state, parse_status::incomplete);
    EXPECT_EQ(r.consumed, 0U);
    EXPECT_EQ(r.written, 0U);
}

TEST(chunked_table_shape, has_enough_rows) {
    EXPECT_GE(chunked_cases().size(), 70U);
}

} // namespace
} // namespace rpslab::http::test
