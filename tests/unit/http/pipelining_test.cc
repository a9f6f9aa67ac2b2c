// Pipelined requests on one connection: a small model of the server's read path (parse
// every head in the buffer, skip or decode its body in place, go on) receives each stream
// whole, split at every point, and byte by byte; what it sees must never change.
#include "http/chunked.h"
#include "http/parser.h"
#include "unit/http/guarded_buffer.h"

#include <algorithm>
#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace rpslab::http::test {
namespace {

using rpslab::test::guarded_buffer;

struct event {
    std::string path = {}; // empty for an error
    std::string body = {};
    int error = 0;

    bool operator==(const event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const event& e) {
    return os << "{" << e.path << ", " << e.body.size() << " body bytes, " << e.error << "}";
}

// The read path of a connection that never compacts its buffer: bodies are decoded in
// place, exactly as the server does. Every pass runs on a copy that ends at a guard page.
class connection_model {
public:
    explicit connection_model(std::size_t capacity) : _guarded(capacity), _decoder(_lim) {}

    void receive(std::string_view bytes) {
        _buffer.append(bytes);
        const std::span<char> buf = _guarded.place(_buffer);
        run(buf);
        std::memcpy(_buffer.data(), buf.data(), buf.size()); // keep what was decoded in place
    }

    const std::vector<event>& events() const { return _events; }

private:
    enum class phase { head, length_body, chunked_body, closed };

    void run(std::span<char> buf) {
        for (;;) {
            switch (_phase) {
            case phase::head:
                if (!on_head(buf)) {
                    return;
                }
                break;
            case phase::length_body: {
                const auto take = std::min<std::uint64_t>(_remaining, buf.size() - _pos);
                _current.body.append(buf.data() + _pos, take);
                _pos += take;
                _remaining -= take;
                if (_remaining > 0) {
                    return;
                }
                emit();
                break;
            }
            case phase::chunked_body:
                if (!on_chunked(buf)) {
                    return;
                }
                break;
            case phase::closed:
                return;
            }
        }
    }

    bool on_head(std::span<char> buf) {
        request req;
        const parse_result r = parse_request(buf.subspan(_pos), _lim, _fields, req);
        if (r.state == parse_status::incomplete) {
            return false;
        }
        if (r.state == parse_status::error) {
            _events.push_back({.error = code(r.error)});
            _phase = phase::closed;
            return false;
        }
        _current = {.path = std::string(req.path)};
        _pos += r.consumed;
        if (req.framing == body_framing::content_length && req.content_length > 0) {
            _phase = phase::length_body;
            _remaining = req.content_length;
        } else if (req.framing == body_framing::chunked) {
            _phase = phase::chunked_body;
            _decoder.reset();
            _out = _pos;
        } else {
            emit();
        }
        return true;
    }

    bool on_chunked(std::span<char> buf) {
        const chunked_result r = _decoder.feed(buf.subspan(_pos), buf.data() + _out);
        _current.body.append(buf.data() + _out, r.written);
        _out += r.written;
        _pos += r.consumed;
        if (r.state == parse_status::incomplete) {
            return false;
        }
        if (r.state == parse_status::error) {
            _events.push_back({.error = code(r.error)});
            _phase = phase::closed;
            return false;
        }
        emit();
        return true;
    }

    void emit() {
        _events.push_back(_current);
        _phase = phase::head;
    }

    limits _lim;
    guarded_buffer _guarded;
    chunked_decoder _decoder;
    std::string _buffer;
    std::vector<header_field> _fields = std::vector<header_field>(32);
    std::vector<event> _events;
    event _current;
    phase _phase = phase::head;
    std::size_t _pos = 0;
    std::size_t _out = 0;
    std::uint64_t _remaining = 0;
};

struct pipeline_case {
    std::string_view name;
    std::string stream;
    std::vector<event> events;
};

const std::string get_a = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
const std::string get_b = "GET /b?q=1 HTTP/1.1\r\nHost: x\r\n\r\n";

std::vector<pipeline_case> pipeline_cases() {
    std::string sixteen;
    std::vector<event> sixteen_events;
    for (int i = 0; i < 16; ++i) {
        sixteen += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: localhost:8080\r\n\r\n";
        sixteen_events.push_back({.path = "/" + std::to_string(i)});
    }
    const std::string chunked_head = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    return {
        {"two_gets", get_a + get_b, {{.path = "/a"}, {.path = "/b"}}},
        {"sixteen_gets", sixteen, sixteen_events},
        {"content_length_body_then_get",
         "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + get_b,
         {{.path = "/echo", .body = "hello"}, {.path = "/b"}}},
        {"body_holding_a_request_line",
         "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(get_a.size()) + "\r\n\r\n" + get_a +
             get_b,
         {{.path = "/echo", .body = get_a}, {.path = "/b"}}},
        {"chunked_body_then_get",
         chunked_head + "4;x=1\r\nWiki\r\n5\r\npedia\r\n0\r\nT: v\r\n\r\n" + get_b,
         {{.path = "/echo", .body = "Wikipedia"}, {.path = "/b"}}},
        {"two_chunked_bodies",
         chunked_head + "3\r\nabc\r\n0\r\n\r\n" + chunked_head + "2\r\nde\r\n0\r\n\r\n",
         {{.path = "/echo", .body = "abc"}, {.path = "/echo", .body = "de"}}},
        {"empty_line_between_requests", get_a + "\r\n" + get_b, {{.path = "/a"}, {.path = "/b"}}},
        {"http10_then_get", "GET /a HTTP/1.0\r\n\r\n" + get_b, {{.path = "/a"}, {.path = "/b"}}},
        {"get_then_bare_lf", get_a + "GET /b HTTP/1.1\nHost: x\r\n\r\n" + get_a, {{.path = "/a"}, {.error = 400}}},
        {"get_then_cl_te_smuggle",
         get_a + "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
             get_b,
         {{.path = "/a"}, {.error = 400}}},
        {"get_then_http2", get_a + "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {{.path = "/a"}, {.error = 505}}},
        {"chunked_missing_final_crlf", chunked_head + "1\r\nx\r\n0\r\n" + get_b, {{.error = 400}}},
        {"chunked_then_bad_chunk", get_a + chunked_head + "2\r\nabc\r\n0\r\n\r\n", {{.path = "/a"}, {.error = 400}}},
    };
}

std::vector<event> receive_in_pieces(const pipeline_case& c, const std::vector<std::size_t>& cuts) {
    connection_model model(c.stream.size());
    std::size_t pos = 0;
    for (std::size_t cut : cuts) {
        model.receive(std::string_view(c.stream).substr(pos, cut - pos));
        pos = cut;
    }
    model.receive(std::string_view(c.stream).substr(pos));
    return model.events();
}

class pipelining : public ::testing::TestWithParam<pipeline_case> {};

TEST_P(pipelining, whole) {
    EXPECT_EQ(receive_in_pieces(GetParam(), {}), GetParam().events);
}

TEST_P(pipelining, every_split_point) {
    const pipeline_case& c = GetParam();
    for (std::size_t k = 0; k <= c.stream.size(); ++k) {
        ASSERT_EQ(receive_in_pieces(c, {k}), c.events) << "split at " << k;
    }
}

TEST_P(pipelining, byte_by_byte) {
    const pipeline_case& c = GetParam();
    std::vector<std::size_t> cuts;
    for (std::size_t k = 1; k < c.stream.size(); ++k) {
        cuts.push_back(k);
    }
    EXPECT_EQ(receive_in_pieces(c, cuts), c.events);
}

std::string pipeline_name(const ::testing::TestParamInfo<pipeline_case>& info) {
    return std::string(info.param.name);
}

INSTANTIATE_TEST_SUITE_P(streams, pipelining, ::testing::ValuesIn(pipeline_cases()), pipeline_name);

} // namespace
} // namespace rpslab::http::test
