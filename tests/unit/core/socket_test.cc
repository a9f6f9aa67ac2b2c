#include "core/error.h"
#include "core/event_loop.h"
#include "core/socket.h"

#include <gtest/gtest.h>
#include <stdexcept>
#include <sys/socket.h>

using namespace rpslab::core;

TEST(endpoint, parses_v4_v6_and_localhost) {
    EXPECT_EQ(parse_endpoint("127.0.0.1:8080").to_string(), "127.0.0.1:8080");
    EXPECT_EQ(parse_endpoint("localhost:0").to_string(), "127.0.0.1:0");
    EXPECT_EQ(parse_endpoint("[::1]:443").to_string(), "[::1]:443");
}

TEST(endpoint, rejects_bad_text) {
    for (const char* bad :
         {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:8x", "nohost:80", "[::1:80", "1.2.3:80"}) {
        EXPECT_THROW(parse_endpoint(bad), std::invalid_argument) << bad;
    }
}

TEST(claim_port, picks_a_port_and_refuses_one_in_use) {
    endpoint ep = claim_port(parse_endpoint("127.0.0.1:0"));
    ASSERT_NE(ep.port(), 0);
    unique_fd a = listen_reuseport(ep, 16);
    unique_fd b = listen_reuseport(ep, 16); // our own slots share the port on purpose
    try {
        claim_port(ep);
        FAIL() << "a port with listeners must be refused";
    } catch (const sys_error& e) {
        EXPECT_EQ(e.code(), EADDRINUSE);
        EXPECT_NE(std::string(e.what()).find("address already in use: 127.0.0.1:"), std::string::npos);
    }
}

namespace {
struct counting_handler : event_handler {
    int calls = 0;
    std::uint32_t last = 0;
    void on_events(std::uint32_t events) override {
        ++calls;
        last = events;
    }
};
} // namespace

TEST(event_loop, dispatches_readiness_and_forgets) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    unique_fd left(sv[0]), right(sv[1]);
    event_loop loop;
    counting_handler h;
    ASSERT_TRUE(loop.add(left.get(), EPOLLIN, &h));
    EXPECT_EQ(loop.wait(0), 0);
    ASSERT_EQ(::write(right.get(), "x", 1), 1);
    ASSERT_EQ(loop.wait(1000), 1);
    loop.dispatch();
    EXPECT_EQ(h.calls, 1);
    EXPECT_TRUE(h.last & EPOLLIN);
    ASSERT_EQ(loop.wait(1000), 1); // level-triggered: still readable
    loop.forget(&h);
    loop.dispatch();
    EXPECT_EQ(h.calls, 1) << "a forgotten handler gets no events already fetched";
}
