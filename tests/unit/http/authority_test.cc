// The authority and field-value helpers on their own: tables of inputs and verdicts.
#include "http/authority.h"
#include "http/field_values.h"
#include "http/request.h"

#include <gtest/gtest.h>

namespace rpslab::http::test {
namespace {

TEST(valid_ipv6, accepts_rfc3986_forms) {
    for (const char* s : {"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "fe80::1:2",
                          "2001:DB8::ff00:42:8329", "::ffff:192.0.2.1", "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4"}) {
        EXPECT_TRUE(valid_ipv6(s)) << s;
    }
}

TEST(valid_ipv6, rejects_the_rest) {
    for (const char* s :
         {"", ":", ":1", "1:", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::", "1.2.3.4",
          "::1.2.3", "::256.1.1.1", "::01.1.1.1", "1:2:3:4:5:6:7:1.2.3.4", "::1%eth0", "1:2:3:4:5:6:7:8::"}) {
        EXPECT_FALSE(valid_ipv6(s)) << s;
    }
}

TEST(valid_authority, host_rules) {
    EXPECT_TRUE(valid_authority("", host_rule::may_be_empty, port_rule::optional));
    EXPECT_FALSE(valid_authority("", host_rule::required, port_rule::optional));
    EXPECT_TRUE(valid_authority("a.b-c_d~e!$&'()*+,;=:8080", host_rule::required, port_rule::optional));
    EXPECT_TRUE(valid_authority("[::1]", host_rule::required, port_rule::optional));
    EXPECT_TRUE(valid_authority("[v7.a:b]:1", host_rule::required, port_rule::required));
    EXPECT_FALSE(valid_authority("[v7.]", host_rule::required, port_rule::optional));
    EXPECT_FALSE(valid_authority("[vz.a]", host_rule::required, port_rule::optional));
    EXPECT_FALSE(valid_authority("[::1]80", host_rule::required, port_rule::optional));
    EXPECT_FALSE(valid_authority("a", host_rule::required, port_rule::required));
    EXPECT_FALSE(valid_authority("a:", host_rule::required, port_rule::required));
    EXPECT_TRUE(valid_authority("a:", host_rule::required, port_rule::optional));
    EXPECT_FALSE(valid_authority(":80", host_rule::required, port_rule::optional));
    EXPECT_TRUE(valid_authority(":80", host_rule::may_be_empty, port_rule::optional));
    EXPECT_FALSE(valid_authority("a%zz", host_rule::required, port_rule::optional));
    EXPECT_FALSE(valid_authority("a%2", host_rule::required, port_rule::optional));
    EXPECT_TRUE(valid_authority("a%2F", host_rule::required, port_rule::optional));
    EXPECT_FALSE(valid_authority("a@b", host_rule::required, port_rule::optional));
    EXPECT_FALSE(valid_authority("a:-1", host_rule::required, port_rule::optional));
}

TEST(parse_content_length, exact_values) {
    EXPECT_EQ(parse_content_length("0"), 0U);
    EXPECT_EQ(parse_content_length("00012"), 12U);
    EXPECT_EQ(parse_content_length("9223372036854775807"), 9223372036854775807ULL);
    for (const char* s : {"", " 1", "1 ", "-1", "+1", "1,1", "0x1", "9223372036854775808", "18446744073709551616",
                          "184467440737095516160"}) {
        EXPECT_FALSE(parse_content_length(s).has_value()) << s;
    }
}

TEST(add_transfer_codings, combines_lines_in_order) {
    transfer_codings tc;
    add_transfer_codings("gzip", tc);
    EXPECT_FALSE(tc.last_is_chunked);
    add_transfer_codings("chunked", tc);
    EXPECT_TRUE(tc.present);
    EXPECT_FALSE(tc.malformed);
    EXPECT_TRUE(tc.last_is_chunked);
    EXPECT_TRUE(tc.other_coding);
    EXPECT_EQ(tc.chunked_count, 1U);
}

TEST(add_transfer_codings, syntax) {
    for (const char* s : {"chunked", "Chunked", "gzip , chunked", "x;a=b ; c=\"d,e\\\"\" ,chunked", "a;b = c"}) {
        transfer_codings tc;
        add_transfer_codings(s, tc);
        EXPECT_FALSE(tc.malformed) << s;
    }
    for (const char* s : {"", ",", "chunked,", ",chunked", "chunked,,gzip", "chunked;", "x;a", "x;a=", "x;a=\"b",
                          "chunked;a=b", "chu nked", "\"chunked\"", "x;=b"}) {
        transfer_codings tc;
        add_transfer_codings(s, tc);
        EXPECT_TRUE(tc.malformed) << s;
    }
}

TEST(add_connection_options, tokens) {
    connection_options o;
    EXPECT_TRUE(add_connection_options("Keep-Alive, Upgrade", o));
    EXPECT_TRUE(o.keep_alive);
    EXPECT_FALSE(o.close);
    EXPECT_TRUE(add_connection_options(" ,CLOSE,", o));
    EXPECT_TRUE(o.close);
    connection_options bad;
    EXPECT_FALSE(add_connection_options("close x", bad));
    EXPECT_FALSE(add_connection_options("\"close\"", bad));
    EXPECT_TRUE(add_connection_options("closed", bad));
    EXPECT_FALSE(bad.close);
}

TEST(iequals, ascii_only) {
    EXPECT_TRUE(iequals("Content-Length", "content-length"));
    EXPECT_FALSE(iequals("abc", "abd"));
    EXPECT_FALSE(iequals("ab", "abc"));
    EXPECT_FALSE(iequals("\r", "-")); // 0x0D | 0x20 == '-': a naive OR trick would say equal
    EXPECT_FALSE(iequals("@", "`"));
    EXPECT_TRUE(iequals("", ""));
}

TEST(find_header, first_match_case_insensitive) {
    const header_field fields[] = {{"Host", "a"}, {"X-A", "1"}, {"x-a", "2"}};
    request req;
    req.headers = fields;
    EXPECT_EQ(find_header(req, "x-A"), "1");
    EXPECT_EQ(find_header(req, "host"), "a");
    EXPECT_EQ(find_header(req, "missing"), "");
}

} // namespace
} // namespace rpslab::http::test
