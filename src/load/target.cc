#include "load/target.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace rpslab::load {

namespace {

std::invalid_argument bad_url(std::string_view text, const char* why) {
    return std::invalid_argument("bad URL '" + std::string(text) + "': " + why);
}

bool is_field_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool has_field(const request_spec& spec, std::string_view name) {
    for (const std::string& h : spec.headers) {
        if (h.size() > name.size() && h[name.size()] == ':') {
            bool same = true;
            for (std::size_t i = 0; i < name.size() && same; ++i) {
                same = (h[i] | 0x20) == (name[i] | 0x20);
            }
            if (same) {
                return true;
            }
        }
    }
    return false;
}

} // namespace

url parse_url(std::string_view text) {
    constexpr std::string_view scheme = "http://";
    if (text.substr(0, scheme.size()) != scheme) {
        throw bad_url(text, text.substr(0, 8) == "https://" ? "https is not supported (plain HTTP/1.1 only)"
                                                            : "must start with http://");
    }
    std::string_view rest = text.substr(scheme.size());
    auto slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    url u;
    u.path_query = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (u.path_query.front() == '?') {
        u.path_query.insert(u.path_query.begin(), '/');
    }
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            throw bad_url(text, "unclosed [ in the host");
        }
        u.host = std::string(authority.substr(0, close + 1));
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') {
                throw bad_url(text, "expected : after ]");
            }
            port_text = authority.substr(close + 2);
        }
    } else {
        auto colon = authority.find(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
        }
    }
    if (u.host.empty()) {
        throw bad_url(text, "no host");
    }
    if (!port_text.empty()) {
        unsigned port = 0;
        auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
            throw bad_url(text, "port must be 1..65535");
        }
        u.port = static_cast<std::uint16_t>(port);
    }
    for (char c : u.path_query) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            throw bad_url(text, "spaces and control characters must be percent-encoded");
        }
    }
    return u;
}

std::string render_request(const url& u, const request_spec& spec) {
    std::string r = spec.method + " " + u.path_query + " HTTP/1.1\r\n";
    if (!has_field(spec, "host")) {
        r += "Host: " + u.host + (u.port == 80 ? "" : ":" + std::to_string(u.port)) + "\r\n";
    }
    for (const std::string& h : spec.headers) {
        auto colon = h.find(':');
        if (colon == std::string::npos || colon == 0 ||
            !std::all_of(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(colon), is_field_name_char) ||
            h.find_first_of("\r\n") != std::string::npos) {
            throw std::invalid_argument("bad header '" + h + "': expected 'Name: value'");
        }
        r += h + "\r\n";
    }
    const bool wants_length =
        !spec.body.empty() || spec.method == "POST" || spec.method == "PUT" || spec.method == "PATCH";
    if (wants_length && !has_field(spec, "content-length")) {
        r += "Content-Length: " + std::to_string(spec.body.size()) + "\r\n";
    }
    r += "\r\n";
    r += spec.body;
    return r;
}

std::vector<std::string> expand_path_range(std::string_view path, std::size_t picks, std::uint64_t seed) {
    auto open = path.find('{');
    auto dots = path.find("..", open);
    auto close = path.find('}', open);
    // Only "{A..B}" is a range: a query may hold other braces, sent as they are.
    if (open == std::string_view::npos || dots == std::string_view::npos || close == std::string_view::npos ||
        dots > close) {
        return {std::string(path)};
    }
    std::uint64_t lo = 0, hi = 0;
    auto number = [&](std::string_view t, std::uint64_t& out) {
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
        return !t.empty() && ec == std::errc() && end == t.data() + t.size();
    };
    if (!number(path.substr(open + 1, dots - open - 1), lo) || !number(path.substr(dots + 2, close - dots - 2), hi) ||
        lo > hi || hi - lo >= (1ULL << 32)) {
        throw std::invalid_argument("path range: expected {A..B} with whole numbers A <= B, at most 2^32 apart, in '" +
                                    std::string(path) + "'");
    }
    auto again = path.find('{', close);
    if (again != std::string_view::npos && path.find("..", again) != std::string_view::npos) {
        throw std::invalid_argument("path range: one {A..B} per URL in '" + std::string(path) + "'");
    }
    std::vector<std::string> out;
    out.reserve(picks);
    std::uint64_t state = seed;
    for (std::size_t i = 0; i < picks; ++i) {
        // splitmix64: a fixed, portable sequence; modulo bias is negligible for small ranges.
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        out.push_back(std::string(path.substr(0, open)) + std::to_string(lo + z % (hi - lo + 1)) +
                      std::string(path.substr(close + 1)));
    }
    return out;
}

request_batch::request_batch(const std::vector<std::string>& cycle, std::size_t window)
    : _count(cycle.size()), _is_head(!cycle.empty() && cycle[0].compare(0, 5, "HEAD ") == 0) {
    if (cycle.empty()) {
        throw std::invalid_argument("no request to send");
    }
    _offsets.push_back(0);
    for (std::size_t i = 0; i < _count + window; ++i) {
        _bytes += cycle[i % _count];
        _offsets.push_back(_bytes.size());
    }
}

core::endpoint resolve(const url& u) {
    std::string host = u.host;
    if (host == "localhost") {
        host = "127.0.0.1";
    }
    core::endpoint ep = core::parse_endpoint(host + ":" + std::to_string(u.port));
    return ep;
}

} // namespace rpslab::load
