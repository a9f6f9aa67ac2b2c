#include "load/pacer.h"
#include "load/target.h"

#include <gtest/gtest.h>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

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
    request_batch b({"GET / HTTP/1.1\r\n\r\n"}, 4);
    EXPECT_EQ(b.cycle_size(), 1u);
    EXPECT_EQ(b.cycle_bytes(), 18u);
    EXPECT_EQ(b.bytes_of(0, 4), 72u);
    EXPECT_EQ(std::string_view(b.data(), 36), "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    EXPECT_FALSE(b.is_head());
    EXPECT_TRUE(request_batch({"HEAD / HTTP/1.1\r\n\r\n"}, 1).is_head());
    EXPECT_THROW(request_batch({}, 1), std::invalid_argument);
}

TEST(request_batch, a_window_past_the_cycle_end_is_contiguous) {
    request_batch b({"A1", "B22", "C333"}, 3);
    EXPECT_EQ(b.cycle_bytes(), 9u);
    EXPECT_EQ(b.offset_of(2), 5u);
    // From C333, three requests: C333 A1 B22, one slice of the buffer.
    EXPECT_EQ(std::string_view(b.data() + b.offset_of(2), b.bytes_of(2, 3)), "C333A1B22");
}

TEST(expand_path_range, picks_numbers_in_the_range_reproducibly) {
    EXPECT_EQ(expand_path_range("/simple", 10, 1), std::vector<std::string>{"/simple"});
    auto picks = expand_path_range("/read/{0..4}.json", 1000, 42);
    ASSERT_EQ(picks.size(), 1000u);
    std::set<std::string> seen(picks.begin(), picks.end());
    EXPECT_EQ(seen,
              (std::set<std::string>{"/read/0.json", "/read/1.json", "/read/2.json", "/read/3.json", "/read/4.json"}));
    EXPECT_EQ(picks, expand_path_range("/read/{0..4}.json", 1000, 42));
    EXPECT_NE(picks, expand_path_range("/read/{0..4}.json", 1000, 43));
    // Braces that are not a range are sent as they are (a query may hold JSON).
    EXPECT_EQ(expand_path_range("/q?f={a}", 3, 1), std::vector<std::string>{"/q?f={a}"});
    EXPECT_EQ(expand_path_range("/r/{1-2}", 3, 1), std::vector<std::string>{"/r/{1-2}"});
    for (const char* bad : {"/r/{5..4}", "/r/{a..4}", "/r/{1..}", "/{1..2}/{3..4}", "/r/{0..18446744073709551615}"}) {
        EXPECT_THROW(expand_path_range(bad, 1, 1), std::invalid_argument) << bad;
    }
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
