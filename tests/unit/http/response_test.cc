#include "http/accept_encoding.h"
#include "http/date_cache.h"
#include "http/response.h"

#include <gtest/gtest.h>
#include <string>

using namespace rpslab;
using namespace rpslab::http;

namespace {

std::string bytes_of(core::output_queue& q) {
    iovec iov[16];
    int n = q.gather(iov, 16);
    std::string out;
    for (int i = 0; i < n; ++i) {
        out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    }
    return out;
}

constexpr std::string_view date = "Sun, 06 Nov 1994 08:49:37 GMT";

} // namespace

TEST(write_response, simple_keep_alive) {
    core::output_queue q;
    response r;
    r.content_type = "application/json";
    r.body = R"({"message":"hi"})";
    write_response(q, r, {false, false, true, date});
    EXPECT_EQ(bytes_of(q), "HTTP/1.1 200 OK\r\nServer: rpslab\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                           "Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"message\":\"hi\"}");
}

TEST(write_response, head_has_length_but_no_body) {
    core::output_queue q;
    response r;
    r.body = std::string_view("12345");
    write_response(q, r, {true, false, true, date});
    std::string out = bytes_of(q);
    EXPECT_NE(out.find("Content-Length: 5\r\n\r\n"), std::string::npos);
    EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(write_response, close_http10_and_405_fields) {
    core::output_queue q;
    response r;
    r.status = status::method_not_allowed;
    r.allow = "GET, HEAD";
    write_response(q, r, {false, true, false, date});
    std::string out = bytes_of(q);
    EXPECT_EQ(out.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u);
    EXPECT_NE(out.find("Allow: GET, HEAD\r\n"), std::string::npos);
    EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
    EXPECT_NE(out.find("Content-Length: 0\r\n"), std::string::npos);
    core::output_queue q10;
    write_response(q10, response{}, {false, true, true, date});
    EXPECT_NE(bytes_of(q10).find("Connection: keep-alive\r\n"), std::string::npos);
}

TEST(write_response, large_borrowed_body_is_referenced_not_copied) {
    static const std::string big(100000, 'p');
    core::output_queue q;
    response r;
    r.body = big;
    r.content_encoding = "gzip";
    r.vary_accept_encoding = true;
    write_response(q, r, {false, false, true, date});
    iovec iov[4];
    ASSERT_EQ(q.gather(iov, 4), 2);
    EXPECT_EQ(iov[1].iov_base, big.data());
    std::string head(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len);
    EXPECT_NE(head.find("Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"), std::string::npos);
}

TEST(date_cache, formats_imf_fixdate) {
    char out[date_cache::length + 1] = {};
    format_imf_fixdate(784111777, out);
    EXPECT_EQ(std::string(out), "Sun, 06 Nov 1994 08:49:37 GMT");
    format_imf_fixdate(951782400, out); // a leap day
    EXPECT_EQ(std::string(out), "Tue, 29 Feb 2000 00:00:00 GMT");
    date_cache c;
    c.update(784111777);
    EXPECT_EQ(c.value(), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(accepts_gzip, negotiation_rules) {
    EXPECT_TRUE(accepts_gzip("gzip"));
    EXPECT_TRUE(accepts_gzip("deflate, gzip;q=0.5, br"));
    EXPECT_TRUE(accepts_gzip("GZIP"));
    EXPECT_TRUE(accepts_gzip("x-gzip"));
    EXPECT_TRUE(accepts_gzip("*"));
    EXPECT_FALSE(accepts_gzip(""));
    EXPECT_FALSE(accepts_gzip("identity"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0"));
    EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
    EXPECT_FALSE(accepts_gzip("*, gzip;q=0")) << "an explicit gzip;q=0 beats *";
    EXPECT_FALSE(accepts_gzip("*;q=0"));
    EXPECT_FALSE(accepts_gzip("gzipx"));
}

TEST(query_param, finds_exact_names) {
    bool found = false;
    EXPECT_EQ(query_param("id=3&rows=9", "rows", found), "9");
    EXPECT_TRUE(found);
    EXPECT_EQ(query_param("xid=3", "id", found), "");
    EXPECT_FALSE(found);
    EXPECT_EQ(query_param("id", "id", found), "");
    EXPECT_TRUE(found);
    EXPECT_EQ(query_param("", "id", found), "");
    EXPECT_FALSE(found);
}
