// What `rpslab load` sends, prepared once before the run: the parsed URL, the address to
// connect to, and the request bytes (every request of a run is the same bytes, so they
// are rendered once and a pipelined batch is one slice of a pre-repeated buffer).
#pragma once

#include "core/socket.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::load {

struct url {
    std::string host; // as written, for the Host field
    std::uint16_t port = 80;
    std::string path_query; // "/simple?x=1"; "/" when empty
};

// Parses "http://HOST[:PORT][/PATH[?QUERY]]" (http only: TLS is out of scope) with HOST a
// name, IPv4 or [IPv6]. Throws std::invalid_argument naming the problem.
url parse_url(std::string_view text);

struct request_spec {
    std::string method = "GET";
    std::vector<std::string> headers; // "Name: value", as given with -H
    std::string body;
};

// The request as bytes: request line, Host (unless given with -H), the -H fields,
// Content-Length when there is a body (or the method is POST/PUT/PATCH), then the body.
// Throws std::invalid_argument for a header that is not "Name: value".
std::string render_request(const url& u, const request_spec& spec);

// "/read/{0..499}.json": each request names a number drawn uniformly from the range, so a
// static server is asked for random files the way rpslab's /read picks a random product.
// Returns `picks` paths drawn from a PRNG seeded with `seed` (the same run, the same
// sequence), or just `path` when it holds no range. At most one range; A <= B. Throws
// std::invalid_argument naming the problem.
std::vector<std::string> expand_path_range(std::string_view path, std::size_t picks, std::uint64_t seed);

// The requests of a run as one buffer: the cycle of distinct requests (one, or the picks of
// a path range), then its start again, long enough that any `window` consecutive requests
// starting inside the first cycle are one contiguous slice.
class request_batch {
public:
    request_batch(const std::vector<std::string>& cycle, std::size_t window);
    std::size_t cycle_size() const { return _count; }
    std::size_t cycle_bytes() const { return _offsets[_count]; }
    // Where request `i` (< cycle_size()) starts, and the bytes of the `k` (<= window) from it.
    std::size_t offset_of(std::size_t i) const { return _offsets[i]; }
    std::size_t bytes_of(std::size_t i, std::size_t k) const { return _offsets[i + k] - _offsets[i]; }
    const char* data() const { return _bytes.data(); }
    bool is_head() const { return _is_head; }

private:
    std::string _bytes;
    std::vector<std::size_t> _offsets; // start of every request in _bytes, and the end
    std::size_t _count;
    bool _is_head;
};

// Resolves `u` to an address to connect to (numeric hosts and "localhost" only: the
// generator must not depend on DNS during a run). Throws std::invalid_argument.
core::endpoint resolve(const url& u);

} // namespace rpslab::load
