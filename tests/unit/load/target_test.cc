#include "load/pacer.h"
#include "load/target.h"

#include <gtest/gtest.h>
#include <stdexcept>

using namespace rpslab::load;

TEST(parse_url, forms) {
    url u = parse_url("http://127.0.0.1:8080/simple?x=1");
    EXPECT_EQ(u.host, "127.0.0.1");
    EXPECT_EQ(u.port, 8080);
    EXPECT_EQ(u.path_query, "/simple?x=1");
    EXPECT_EQ(parse_url("http://localhost").path_query, "/");
    EXPECT_EQ(parse_url("http://localhost").port, 80);
    EXPECT_EQ(parse_url("http://[::1]:81/a").host, "[::1]");
    EXPECT_EQ(parse_url("http://h?q").path_query, "/?q");
    for (const char* bad : {"https://x/", "ftp://x", "http://", "http://:80/", "http://h:0/", "http://h:99999/",
                            "http://h:8x/", "http://[::1/", "http://h/a b"}) {
        EXPECT_THROW(parse_url(bad), std::invalid_argument) << bad;
    }
}

TEST(render_request, get_post_and_headers) {
    url u = parse_url("http://127.0.0.1:8080/simple");
    EXPECT_EQ(render_request(u, {}), "GET /simple HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
    request_spec post{"POST", {"Content-Type: text/plain", "host: other"}, "hello"};
    EXPECT_EQ(render_request(u, post), "POST /simple HTTP/1.1\r\nContent-Type: text/plain\r\nhost: other\r\n"
                                       "Content-Length: 5\r\n\r\nhello");
    EXPECT_THROW(render_request(u, {"GET", {"NoColon"}, ""}), std::invalid_argument);
    EXPECT_THROW(render_request(u, {"GET", {"Bad Name: x"}, ""}), std::invalid_argument);
}

TEST(request_batch, slices) {
    request_batch b("GET / HTTP/1.1\r\n\r\n", 4);
    EXPECT_EQ(b.request_bytes(), 18u);
    EXPECT_EQ(b.first(2), "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    EXPECT_FALSE(b.is_head());
    EXPECT_TRUE(request_batch("HEAD / HTTP/1.1\r\n\r\n", 1).is_head());
}

TEST(pacer, schedule) {
    pacer p(1000.0, 5'000'000); // 1000/s: one every millisecond from t=5 ms
    EXPECT_EQ(p.intended_ns(0), 5'000'000);
    EXPECT_EQ(p.intended_ns(3), 8'000'000);
    EXPECT_EQ(p.due(4'999'999), 0u);
    EXPECT_EQ(p.due(5'000'000), 1u);
    EXPECT_EQ(p.due(7'999'999), 3u);
    EXPECT_EQ(p.due(8'000'000), 4u);
    pacer fast(2'000'000.0, 0); // 2 M/s: 500 ns apart; one second holds exactly 2 M
    EXPECT_EQ(fast.due(999'999'999), 2'000'000u);
}
