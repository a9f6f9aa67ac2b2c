#include "unit/http/chunked_cases.h"

#include "unit/http/status_names.h"

#include <string>
#include <vector>

namespace rpslab::http::test {
namespace {

using namespace std::literals;

constexpr std::string_view bad_size = "invalid chunk size";
constexpr std::string_view bad_ext = "invalid chunk extension";
constexpr std::string_view bad_data_end = "chunk data not followed by CRLF";
constexpr std::string_view bare_lf = "bare LF in chunked body";
constexpr std::string_view bare_cr = "bare CR in chunked body";

chunked_case bad_chunk(std::string_view name, std::string_view input, status s, std::string_view reason,
                       limits lim = {}) {
    return {.name = name, .input = input, .error = s, .reason = reason, .lim = lim};
}

struct generated_bodies {
    std::string large_chunk, large_decoded, small_chunks, small_decoded;

    generated_bodies() {
        for (int i = 0; i < 1000; ++i) {
            large_decoded += static_cast<char>('a' + i % 26);
        }
        large_chunk = "3e8\r\n" + large_decoded + "\r\n0\r\n\r\n";
        for (int i = 0; i < 100; ++i) {
            const char c = static_cast<char>('0' + i % 10);
            small_chunks += "1\r\n"s + c + "\r\n";
            small_decoded += c;
        }
        small_chunks += "0\r\n\r\n";
    }
};

std::vector<chunked_case> valid_rows(const generated_bodies& g) {
    return {
        {.name = "single_chunk", .input = "5\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "two_chunks", .input = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"sv, .decoded = "hello world"},
        {.name = "empty_body", .input = "0\r\n\r\n"sv, .decoded = ""},
        {.name = "hex_uppercase", .input = "A\r\n0123456789\r\n0\r\n\r\n"sv, .decoded = "0123456789"},
        {.name = "hex_lowercase", .input = "a\r\n0123456789\r\n0\r\n\r\n"sv, .decoded = "0123456789"},
        {.name = "hex_mixed_case",
         .input = "1B\r\nabcdefghijklmnopqrstuvwxyz!\r\n0\r\n\r\n"sv,
         .decoded = "abcdefghijklmnopqrstuvwxyz!"},
        {.name = "leading_zeros", .input = "0005\r\nhello\r\n000\r\n\r\n"sv, .decoded = "hello"},
        {.name = "sixteen_digit_size", .input = "0000000000000005\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "ext_name", .input = "5;foo\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "ext_name_value", .input = "5;foo=bar\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "ext_quoted_value", .input = "5;a=\"x y;z\\\"q\\\\\"\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "ext_quoted_empty", .input = "5;a=\"\"\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "ext_quoted_obs_text", .input = "5;a=\"caf\xc3\xa9\"\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "ext_several", .input = "5;a=1;b;c=\"x\"\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "ext_with_bws", .input = "5 ; a = 1 ;b\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "ext_with_tab_bws", .input = "5\t;\ta\t=\t\"v\"\t;b\r\nhello\r\n0\r\n\r\n"sv, .decoded = "hello"},
        {.name = "ext_on_last_chunk", .input = "5\r\nhello\r\n0;x=y\r\n\r\n"sv, .decoded = "hello"},
        {.name = "trailer_one", .input = "5\r\nhello\r\n0\r\nX-Trailer: v\r\n\r\n"sv, .decoded = "hello"},
        {.name = "trailer_two", .input = "5\r\nhello\r\n0\r\nA: 1\r\nB:2 \t\r\n\r\n"sv, .decoded = "hello"},
        {.name = "trailer_empty_value", .input = "0\r\nX:\r\n\r\n"sv, .decoded = ""},
        {.name = "trailer_obs_text_value", .input = "0\r\nX: caf\xc3\xa9\r\n\r\n"sv, .decoded = ""},
        {.name = "next_request_left_intact",
         .input = "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"sv,
         .decoded = "hello",
         .trailing_bytes = 27},
        {.name = "next_bytes_look_like_chunks", .input = "0\r\n\r\n5\r\nhello"sv, .decoded = "", .trailing_bytes = 8},
        {.name = "trailer_then_next_request",
         .input = "1\r\nx\r\n0\r\nT: 1\r\n\r\nGET /"sv,
         .decoded = "x",
         .trailing_bytes = 5},
        {.name = "body_at_limit",
         .input = "a\r\n0123456789\r\n0\r\n\r\n"sv,
         .decoded = "0123456789",
         .lim = {.max_body_bytes = 10}},
        {.name = "body_at_limit_two_chunks",
         .input = "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n"sv,
         .decoded = "0123456789",
         .lim = {.max_body_bytes = 10}},
        {.name = "trailers_at_count_limit",
         .input = "0\r\nA: 1\r\nB: 2\r\n\r\n"sv,
         .decoded = "",
         .lim = {.max_header_count = 2}},
        {.name = "trailer_bytes_at_limit",
         .input = "0\r\nX: 012345678\r\n\r\n"sv,
         .decoded = "",
         .lim = {.max_header_bytes = 16}},
        {.name = "ext_bytes_at_limit",
         .input = "1;abcdefg\r\nx\r\n0\r\n\r\n"sv,
         .decoded = "x",
         .lim = {.max_header_bytes = 8}},
        {.name = "crlf_inside_data", .input = "4\r\n\r\n\r\n\r\n0\r\n\r\n"sv, .decoded = "\r\n\r\n"},
        {.name = "binary_data", .input = "4\r\n\0\xff\n\r\r\n0\r\n\r\n"sv, .decoded = "\0\xff\n\r"sv},
        {.name = "large_chunk", .input = g.large_chunk, .decoded = g.large_decoded},
        {.name = "many_one_byte_chunks", .input = g.small_chunks, .decoded = g.small_decoded},
    };
}

std::vector<chunked_case> error_rows() {
    return {
        bad_chunk("missing_size", "\r\n0\r\n\r\n"sv, s400, bad_size),
        bad_chunk("size_not_hex", "g\r\nhello\r\n0\r\n\r\n"sv, s400, bad_size),
        bad_chunk("size_0x_prefix", "0x5\r\nhello\r\n0\r\n\r\n"sv, s400, bad_size),
        bad_chunk("size_negative", "-5\r\nhello\r\n0\r\n\r\n"sv, s400, bad_size),
        bad_chunk("size_plus_sign", "+5\r\nhello\r\n0\r\n\r\n"sv, s400, bad_size),
        bad_chunk("size_leading_space", " 5\r\nhello\r\n0\r\n\r\n"sv, s400, bad_size),
        bad_chunk("size_trailing_space", "5 \r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("size_bare_lf", "5\nhello\r\n0\r\n\r\n"sv, s400, bare_lf),
        bad_chunk("size_bare_cr", "5\rhello\r\n0\r\n\r\n"sv, s400, bare_cr),
        bad_chunk("size_17_digits", "00000000000000005\r\nhello\r\n0\r\n\r\n"sv, s400, "chunk size too long"),
        bad_chunk("size_overflow", "FFFFFFFFFFFFFFFFF\r\n"sv, s400, "chunk size too long", {.max_body_bytes = ~0ULL}),
        bad_chunk("size_over_default_limit", "1000001\r\n"sv, s413, "chunked body over limit"),
        bad_chunk("size_over_limit_before_data", "FFFFFFFF\r\nabc"sv, s413, "chunked body over limit"),
        bad_chunk("sum_over_limit", "6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n"sv, s413, "chunked body over limit",
                  {.max_body_bytes = 10}),
        bad_chunk("data_longer_than_size", "5\r\nhelloX\r\n0\r\n\r\n"sv, s400, bad_data_end),
        bad_chunk("data_shorter_than_size", "5\r\nhell\r\n0\r\n\r\n"sv, s400, bad_data_end),
        bad_chunk("data_then_bare_lf", "5\r\nhello\n0\r\n\r\n"sv, s400, bad_data_end),
        bad_chunk("data_then_bare_cr", "5\r\nhello\r0\r\n\r\n"sv, s400, bad_data_end),
        bad_chunk("ext_empty_name", "5;\r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_name_invalid_byte", "5;a(b\r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_equals_without_value", "5;a=\r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_unterminated_quote", "5;a=\"x\r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_bws_before_crlf", "5;a \r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_value_bws_before_crlf", "5;a=b\t\r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_ctl_in_value", "5;a=b\x01\r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_double_semicolon", "5;;a\r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_quoted_pair_ctl", "5;a=\"\\\x01\"\r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_token_after_quote", "5;a=\"x\"y\r\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_bare_lf", "5;a\nhello\r\n0\r\n\r\n"sv, s400, bad_ext),
        bad_chunk("ext_over_limit", "5;abcdefghij\r\nhello\r\n0\r\n\r\n"sv, s413, "chunk extensions over limit",
                  {.max_header_bytes = 8}),
        bad_chunk("last_chunk_bare_lf", "0\n\r\n"sv, s400, bare_lf),
        bad_chunk("final_bare_lf", "0\r\n\n"sv, s400, bare_lf),
        bad_chunk("final_bare_cr", "0\r\n\rX"sv, s400, bare_cr),
        bad_chunk("trailer_obs_fold", "0\r\nX: a\r\n b\r\n\r\n"sv, s400, "obs-fold in trailer section"),
        bad_chunk("trailer_leading_whitespace", "0\r\n X: a\r\n\r\n"sv, s400, "obs-fold in trailer section"),
        bad_chunk("trailer_whitespace_before_colon", "0\r\nX : a\r\n\r\n"sv, s400, "whitespace before colon"),
        bad_chunk("trailer_without_colon", "0\r\nX\r\n\r\n"sv, s400, "invalid byte in trailer field name"),
        bad_chunk("trailer_empty_name", "0\r\n: a\r\n\r\n"sv, s400, "invalid byte in trailer field name"),
        bad_chunk("trailer_bare_lf", "0\r\nX: a\n\r\n"sv, s400, bare_lf),
        bad_chunk("trailer_bare_cr", "0\r\nX: a\rY: b\r\n\r\n"sv, s400, bare_cr),
        bad_chunk("trailer_value_nul", "0\r\nX: a\0b\r\n\r\n"sv, s400, "invalid byte in trailer field value"),
        bad_chunk("too_many_trailers", "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"sv, s431, "too many trailer fields",
                  {.max_header_count = 2}),
        bad_chunk("trailer_section_too_large", "0\r\nX: 0123456789\r\n\r\n"sv, s431, "trailer section too large",
                  {.max_header_bytes = 16}),
        bad_chunk("smuggle_missing_final_crlf", "0\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n"sv, s400,
                  "whitespace before colon"),
        bad_chunk("smuggle_lf_only_chunks", "5\nhello\n0\n\n"sv, s400, bare_lf),
    };
}

std::vector<chunked_case> all_rows() {
    static const generated_bodies g;
    std::vector<chunked_case> rows = valid_rows(g);
    for (const chunked_case& c : error_rows()) {
        rows.push_back(c);
    }
    return rows;
}

} // namespace

std::span<const chunked_case> chunked_cases() {
    static const std::vector<chunked_case> rows = all_rows();
    return rows;
}

} // namespace rpslab::http::test
