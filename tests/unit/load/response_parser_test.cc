#include "load/response_parser.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

using namespace rpslab::load;

namespace {

struct parsed {
    int status = 0;
    bool keep_alive = false;
    std::uint64_t body = 0;
};

struct outcome {
    std::vector<parsed> responses;
    bool error = false;
    std::size_t leftover = 0; // bytes never consumed
};

// Feeds `wire` in pieces of `chunk` bytes (0: whole), keeping unconsumed head bytes, as a
// client connection does; collects every complete final response.
outcome run(const std::string& wire, std::size_t chunk, bool head_request = false, bool eof = false) {
    outcome out;
    response_parser p;
    p.expect_no_body(head_request);
    std::string buffer;
    std::size_t fed = 0;
    while (fed < wire.size() || !buffer.empty()) {
        std::size_t n = chunk == 0 ? wire.size() - fed : std::min(chunk, wire.size() - fed);
        buffer.append(wire, fed, n);
        fed += n;
        bool progress = true;
        while (!buffer.empty() && progress) {
            response_result r = p.feed({buffer.data(), buffer.size()});
            buffer.erase(0, r.consumed);
            if (r.state == response_state::error) {
                out.error = true;
                return out;
            }
            if (r.state == response_state::complete) {
                if (!p.informational()) {
                    out.responses.push_back({p.status(), p.keep_alive(), p.body_bytes()});
                }
                p.reset();
                p.expect_no_body(head_request);
            } else {
                progress = r.consumed > 0;
            }
        }
        if (fed == wire.size()) {
            break;
        }
    }
    if (eof && p.on_eof()) {
        out.responses.push_back({p.status(), p.keep_alive(), p.body_bytes()});
    }
    out.leftover = buffer.size();
    return out;
}

void expect_everywhere(const std::string& wire, const std::vector<parsed>& want, bool head_request = false,
                       bool eof = false) {
    for (std::size_t chunk :
         {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{64}}) {
        outcome o = run(wire, chunk, head_request, eof);
        ASSERT_FALSE(o.error) << "chunk " << chunk;
        ASSERT_EQ(o.responses.size(), want.size()) << "chunk " << chunk;
        for (std::size_t i = 0; i < want.size(); ++i) {
            EXPECT_EQ(o.responses[i].status, want[i].status) << "chunk " << chunk << " response " << i;
            EXPECT_EQ(o.responses[i].keep_alive, want[i].keep_alive) << "chunk " << chunk << " response " << i;
            EXPECT_EQ(o.responses[i].body, want[i].body) << "chunk " << chunk << " response " << i;
        }
    }
}

const std::string simple = "HTTP/1.1 200 OK\r\nServer: rpslab\r\nContent-Length: 16\r\n\r\n{\"message\":\"hi\"}";

} // namespace

TEST(response_parser, content_length_pipelined) {
    expect_everywhere(simple + simple + simple, {{200, true, 16}, {200, true, 16}, {200, true, 16}});
}

TEST(response_parser, chunked_with_extensions_and_trailers) {
    std::string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5;name=value\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\n" +
                       simple;
    expect_everywhere(wire, {{200, true, 31}, {200, true, 16}});
}

TEST(response_parser, no_body_cases) {
    expect_everywhere("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n" + simple,
                      {{204, true, 0}, {200, true, 16}});
    expect_everywhere("HTTP/1.1 304 Not Modified\r\n\r\n" + simple, {{304, true, 0}, {200, true, 16}});
    expect_everywhere("HTTP/1.1 100 Continue\r\n\r\n" + simple, {{200, true, 16}});
    expect_everywhere(simple.substr(0, simple.size() - 16) + simple.substr(0, simple.size() - 16),
                      {{200, true, 0}, {200, true, 0}}, /*head_request=*/true);
}

TEST(response_parser, connection_close_and_http10) {
    expect_everywhere("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                      {{503, false, 0}});
    expect_everywhere("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", {{200, false, 2}});
    expect_everywhere("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", {{200, true, 2}});
}

TEST(response_parser, close_delimited_body_ends_at_eof) {
    expect_everywhere("HTTP/1.1 200 OK\r\n\r\nuntil the end", {{200, false, 13}}, false, /*eof=*/true);
}

TEST(response_parser, large_body_is_counted_not_buffered) {
    std::string body(450000, 'x');
    std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 450000\r\n\r\n" + body;
    outcome o = run(wire, 4096);
    ASSERT_EQ(o.responses.size(), 1u);
    EXPECT_EQ(o.responses[0].body, 450000u);
}

TEST(response_parser, rejects_garbage) {
    for (const char* bad :
         {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTX/1.1 200 OK\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n"}) {
        EXPECT_TRUE(run(bad, 0).error) << bad;
        EXPECT_TRUE(run(bad, 1).error) << bad << " byte by byte";
    }
}

TEST(response_parser, oversized_head_is_an_error) {
    std::string wire = "HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a');
    response_parser p;
    EXPECT_EQ(p.feed({wire.data(), wire.size()}).state, response_state::error);
}
