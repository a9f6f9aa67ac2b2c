// What `rpslab load` sends, prepared once before the run: the parsed URL, the address to
// connect to, and the request bytes (every request of a run is the same bytes, so they
// are rendered once and a pipelined batch is one slice of a pre-repeated buffer).
#pragma once

#include "core/socket.h"

#include <cstddef>
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

// `request` repeated `copies` times: a pipelined batch of k requests is its first k*size bytes.
class request_batch {
public:
    request_batch(std::string request, std::size_t copies);
    std::string_view first(std::size_t k) const { return {_bytes.data(), k * _size}; }
    std::size_t request_bytes() const { return _size; }
    bool is_head() const { return _is_head; }

private:
    std::string _bytes;
    std::size_t _size;
    bool _is_head;
};

// Resolves `u` to an address to connect to (numeric hosts and "localhost" only: the
// generator must not depend on DNS during a run). Throws std::invalid_argument.
core::endpoint resolve(const url& u);

} // namespace rpslab::load
