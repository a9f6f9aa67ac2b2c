// libFuzzer target for a whole server connection (src/server): the input is everything one
// client sends. A real worker (its event loop, pooled connections, router and workloads,
// built once) accepts the client on a Unix socket; the input arrives in pieces whose sizes
// derive from the input, then the client shuts down its write side and reads until the
// server closes. The worker is driven through its public event loop on this thread, so a
// run is deterministic and needs no change to src/server.
//
// What the client must see, or the target traps:
// - only well-formed HTTP/1.1 responses (status line, `name: value` fields, exactly one
//   Content-Length, no Transfer-Encoding), 100 Continue aside;
// - exactly one final response per request that the parser and the chunked decoder
//   (run here on the same bytes, as a model) find complete before the first error,
//   in order, with no body for HEAD;
// - for a malformed request, one error response with the model's status and
//   Connection: close, and nothing after it; likewise nothing after a response to a
//   request that asked to close;
// - the connection closed by the server once the client half-closed (never a reset, never
//   a wait for a timer).
// ASan, UBSan and LeakSanitizer catch the rest.
#include "app/workloads.h"
#include "core/fd.h"
#include "http/chunked.h"
#include "http/parser.h"
#include "input_split.h"
#include "server/config.h"
#include "server/worker.h"

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace rpslab;

// The limits of the parser target, so short inputs reach every 413/414/431 edge; a small
// output bound, so that a few /read answers already exercise backpressure.
constexpr http::limits fuzz_limits{
    .max_request_line_bytes = 128,
    .max_header_bytes = 1024,
    .max_header_count = 12,
    .max_body_bytes = 2048,
};
constexpr std::size_t fuzz_pending_output_bytes = 64 * 1024;
// Pump turns in a row without any event, byte or close: the server waits for something
// only a timer would bring, which after the client's end of input is a hang.
constexpr int max_idle_turns = 3;

[[noreturn]] void fail(const char* what, std::size_t at = 0) {
    std::fprintf(stderr, "connection_fuzz: %s (at output byte %zu)\n", what, at);
    __builtin_trap();
}

void check(bool ok, const char* what, std::size_t at = 0) {
    if (!ok) {
        fail(what, at);
    }
}

// One worker for the whole run, serving a listening Unix socket in the abstract namespace.
struct fixture {
    server::serve_config config;
    app::dataset data = app::dataset::build(42);
    server::worker_counters counters;
    core::unique_fd listener;
    sockaddr_un address{};
    socklen_t address_bytes = 0;
    std::unique_ptr<server::worker> worker;

    fixture() {
        config.workers = 1;
        config.limits = fuzz_limits;
        config.max_pending_output_bytes = fuzz_pending_output_bytes;
        address.sun_family = AF_UNIX;
        const int n = std::snprintf(address.sun_path + 1, sizeof address.sun_path - 1, "rpslab-connection-fuzz-%d",
                                    static_cast<int>(::getpid()));
        address_bytes = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + static_cast<std::size_t>(n));
        listener.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!listener || ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), address_bytes) != 0 ||
            ::listen(listener.get(), 16) != 0) {
            std::perror("connection_fuzz: listening socket");
            std::abort();
        }
        worker = std::make_unique<server::worker>(config, data, 0, listener.get(), counters);
    }
};

fixture& the_fixture() {
    static fixture f;
    return f;
}

// What the client should get for one request, from the model.
struct expected {
    http::status error = http::status::none; // a parse error: the last response
    bool head = false;                       // no body whatever Content-Length says
    bool close = false;                      // Connection: close and the last response
};

// The requests the server must answer, found by the same parser and chunked decoder on the
// whole input at once (the server reads it in pieces: the verdicts must not differ).
void model(std::span<const char> in, std::vector<expected>& out) {
    out.clear();
    std::array<http::header_field, 16> fields{};
    std::vector<char> body;
    std::size_t pos = 0;
    while (pos < in.size()) {
        const std::span<const char> rest = in.subspan(pos);
        http::request req;
        const http::parse_result r = http::parse_request(rest, fuzz_limits, fields, req);
        if (r.state == http::parse_status::incomplete) {
            return; // cut short by the end of input: closed without an answer
        }
        if (r.state == http::parse_status::error) {
            out.push_back({r.error, false, true});
            return;
        }
        std::size_t total = r.consumed;
        if (req.framing == http::body_framing::content_length) {
            if (rest.size() - total < req.content_length) {
                return;
            }
            total += static_cast<std::size_t>(req.content_length);
        } else if (req.framing == http::body_framing::chunked) {
            body.assign(rest.begin() + static_cast<std::ptrdiff_t>(total), rest.end());
            http::chunked_decoder decoder(fuzz_limits);
            const http::chunked_result cr = decoder.feed(body, body.data());
            if (cr.state == http::parse_status::error) {
                out.push_back({cr.error, false, true});
                return;
            }
            if (cr.state == http::parse_status::incomplete) {
                return;
            }
            total += cr.consumed;
        }
        out.push_back({http::status::none, req.method == http::method::head, !req.keep_alive});
        if (!req.keep_alive) {
            return;
        }
        pos += total;
    }
}

bool is_tchar(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool ieq(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if ((a[i] | 0x20) != (b[i] | 0x20)) {
            return false;
        }
    }
    return true;
}

// One response head, checked strictly.
struct response_head {
    int status = 0;
    std::size_t head_bytes = 0;
    std::uint64_t content_length = 0;
    bool close = false;
};

response_head parse_head(std::string_view out, std::size_t at) {
    const std::size_t end = out.find("\r\n\r\n", at);
    check(end != std::string_view::npos, "truncated response head", at);
    const std::string_view head = out.substr(at, end + 2 - at); // every line with its CRLF
    response_head h;
    h.head_bytes = end + 4 - at;
    check(head.size() >= 14 && head.substr(0, 9) == "HTTP/1.1 ", "bad status line", at);
    for (std::size_t i = 9; i < 12; ++i) {
        check(head[i] >= '0' && head[i] <= '9', "bad status code", at);
        h.status = h.status * 10 + (head[i] - '0');
    }
    check(h.status >= 100 && head[12] == ' ', "bad status line", at);
    std::size_t line = head.find("\r\n");
    for (std::size_t i = 13; i < line; ++i) {
        check(head[i] >= 0x20 && head[i] < 0x7f, "bad reason phrase", at);
    }
    int lengths = 0;
    for (std::size_t p = line + 2; p < head.size();) {
        const std::size_t eol = head.find("\r\n", p);
        const std::string_view field = head.substr(p, eol - p);
        const std::size_t colon = field.find(": ");
        check(colon != std::string_view::npos && colon > 0, "field line without ': '", at);
        const std::string_view name = field.substr(0, colon);
        const std::string_view value = field.substr(colon + 2);
        for (char c : name) {
            check(is_tchar(c), "bad field name", at);
        }
        for (char c : value) {
            // field-vchar / SP / HTAB (RFC 9110 §5.5): /echo returns the request's
            // Content-Type, which may hold obs-text.
            const auto u = static_cast<unsigned char>(c);
            check(u == '\t' || (u >= 0x20 && u != 0x7f), "bad field value", at);
        }
        if (ieq(name, "content-length")) {
            ++lengths;
            check(!value.empty() && value.size() <= 12, "bad Content-Length", at);
            for (char c : value) {
                check(c >= '0' && c <= '9', "bad Content-Length", at);
                h.content_length = h.content_length * 10 + static_cast<std::uint64_t>(c - '0');
            }
        } else if (ieq(name, "transfer-encoding")) {
            fail("Transfer-Encoding in a response", at);
        } else if (ieq(name, "connection")) {
            h.close = value.find("close") != std::string_view::npos;
        }
        p = eol + 2;
    }
    check(h.status < 200 || lengths == 1, "not exactly one Content-Length", at);
    return h;
}

bool is_error_status(int s) {
    return s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505;
}

void check_output(std::string_view out, const std::vector<expected>& want) {
    std::size_t at = 0;
    for (const expected& e : want) {
        response_head h = parse_head(out, at);
        while (h.status == 100) { // an interim answer to Expect: 100-continue
            check(h.head_bytes == std::string_view("HTTP/1.1 100 Continue\r\n\r\n").size(), "bad 100 Continue", at);
            at += h.head_bytes;
            h = parse_head(out, at);
        }
        check(h.status >= 200 && h.status <= 599, "bad final status", at);
        const std::uint64_t body = e.head ? 0 : h.content_length;
        check(out.size() - at - h.head_bytes >= body, "truncated response body", at);
        if (e.error != http::status::none) {
            check(h.status == static_cast<int>(e.error), "error status differs from the parser's", at);
            check(is_error_status(h.status), "unexpected error status", at);
        }
        check(h.close == (e.close || e.error != http::status::none), "Connection: close differs from the request's",
              at);
        at += h.head_bytes + static_cast<std::size_t>(body);
    }
    // A request cut short by the end of input may have been told to go on with its body.
    constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
    while (out.substr(at, go_on.size()) == go_on) {
        at += go_on.size();
    }
    check(at == out.size(), "bytes after the last expected response", at);
}

class client {
public:
    explicit client(fixture& f) : _f(f) {
        _fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        check(static_cast<bool>(_fd), "client socket");
        check(::connect(_fd.get(), reinterpret_cast<const sockaddr*>(&_f.address), _f.address_bytes) == 0,
              "client connect");
    }

    // Runs the worker's loop once without blocking, then takes what arrived. True if
    // anything happened.
    bool pump() {
        bool progress = _f.worker->loop().wait(0) > 0;
        _f.worker->loop().dispatch();
        while (!_eof) {
            char buf[64 * 1024];
            const ssize_t n = ::recv(_fd.get(), buf, sizeof buf, 0);
            if (n > 0) {
                _out.append(buf, static_cast<std::size_t>(n));
                progress = true;
            } else if (n == 0) {
                _eof = progress = true;
            } else if (errno == EINTR) {
                continue;
            } else {
                check(errno == EAGAIN, "connection reset by the server");
                break;
            }
        }
        return progress;
    }

    // Sends all of `bytes`, pumping whenever the socket is full. False once the server
    // has closed its side: it will read nothing more.
    bool send_all(std::span<const char> bytes) {
        int idle = 0;
        while (!bytes.empty()) {
            const ssize_t n = ::send(_fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n > 0) {
                bytes = bytes.subspan(static_cast<std::size_t>(n));
                idle = 0;
                continue;
            }
            check(n < 0 && (errno == EAGAIN || errno == EINTR), "send to the server failed");
            idle = pump() ? 0 : idle + 1;
            check(idle < max_idle_turns, "server stopped reading without a reason");
            if (_eof) {
                return false;
            }
        }
        return true;
    }

    // Half-closes and reads until the server closes.
    void finish() {
        ::shutdown(_fd.get(), SHUT_WR);
        for (int idle = 0; !_eof;) {
            idle = pump() ? 0 : idle + 1;
            check(idle < max_idle_turns, "server neither answers nor closes after the client's end of input",
                  _out.size());
        }
        _fd.reset();
        while (pump()) {
        }
    }

    bool eof() const { return _eof; }
    std::string_view output() const { return _out; }

private:
    fixture& _f;
    core::unique_fd _fd;
    std::string _out;
    bool _eof = false;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fixture& f = the_fixture();
    std::vector<char> input(reinterpret_cast<const char*>(data), reinterpret_cast<const char*>(data) + size);
    // /work runs on pool threads for up to seconds by design: out of this target's reach.
    for (std::size_t at = 0;
         (at = std::string_view(input.data(), input.size()).find("/work", at)) != std::string_view::npos;) {
        input[at + 1] = 'W';
    }
    const std::span<const char> in(input);
    static std::vector<expected> want;
    model(in, want);

    client c(f);
    // Mostly small pieces (requests split anywhere), sometimes everything left at once.
    fuzz::input_split pieces{fuzz::seed_of(in), 16, 3};
    for (std::size_t at = 0; at < in.size() && !c.eof();) {
        const std::size_t n = pieces.next(in.size() - at);
        if (!c.send_all(in.subspan(at, n))) {
            break;
        }
        at += n;
        c.pump();
    }
    c.finish();
    check_output(c.output(), want);
    return 0;
}
