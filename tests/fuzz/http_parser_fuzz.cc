// libFuzzer target for the request-head parser and the chunked decoder (src/http).
// Each input is parsed as a head with small limits; a chunked body after it is decoded in
// place in pseudo-random splits derived from the input and compared with a one-call
// decode; a request after that body is parsed too. Any broken invariant traps.
#include "http/chunked.h"
#include "http/parser.h"
#include "input_split.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace {

using namespace rpslab::http;

// Small limits, so that short inputs reach every 413/414/431 edge.
constexpr limits fuzz_limits{
    .max_request_line_bytes = 128,
    .max_header_bytes = 1024,
    .max_header_count = 12,
    .max_body_bytes = 2048,
};
constexpr std::size_t field_capacity = 16;

void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

bool inside(std::string_view v, std::span<const char> within) {
    if (v.empty() && v.data() == nullptr) {
        return true;
    }
    const auto begin = reinterpret_cast<std::uintptr_t>(within.data());
    const auto at = reinterpret_cast<std::uintptr_t>(v.data());
    return at >= begin && at + v.size() <= begin + within.size();
}

bool head_status_allowed(status s) {
    return s == status::bad_request || s == status::payload_too_large || s == status::uri_too_long ||
           s == status::request_header_fields_too_large || s == status::not_implemented ||
           s == status::http_version_not_supported;
}

bool body_status_allowed(status s) {
    return s == status::bad_request || s == status::payload_too_large || s == status::request_header_fields_too_large;
}

void check_views(const request& req, std::span<const char> head) {
    check(req.head_bytes == head.size());
    for (std::string_view v : {req.method_text, req.target, req.path, req.query, req.host}) {
        check(inside(v, head));
    }
    check(!req.method_text.empty() && !req.target.empty());
    check(req.headers.size() <= fuzz_limits.max_header_count);
    for (const header_field& f : req.headers) {
        check(inside(f.name, head) && inside(f.value, head) && !f.name.empty());
    }
    check(req.framing != body_framing::content_length || req.content_length <= fuzz_limits.max_body_bytes);
}

struct decode_outcome {
    parse_status state;
    status error;
    std::size_t consumed;
    std::size_t written;
};

// Decodes `body` in place in one call: the reference for the split decode.
decode_outcome decode_whole(std::span<const char> body, char* scratch) {
    std::memcpy(scratch, body.data(), body.size());
    chunked_decoder decoder(fuzz_limits);
    const chunked_result r = decoder.feed({scratch, body.size()}, scratch);
    check(r.consumed <= body.size() && r.written <= r.consumed);
    check(decoder.body_bytes() == r.written);
    return {r.state, r.error, r.consumed, r.written};
}

std::span<const char> check_head(std::span<const char> input, bool& chunked);

// Decodes the chunked body at the start of `body` in place, in pseudo-random pieces.
void check_chunked(std::span<const char> body, std::uint64_t seed, bool parse_next) {
    const std::size_t n = body.size();
    // Exact-size heap copies: ASan reports any read past the body.
    const std::unique_ptr<char[]> buf(new char[n == 0 ? 1 : n]);
    const std::unique_ptr<char[]> reference(new char[n == 0 ? 1 : n]);
    std::memcpy(buf.get(), body.data(), n);
    const decode_outcome whole = decode_whole(body, reference.get());

    chunked_decoder decoder(fuzz_limits);
    // Mostly tiny pieces (state machine edges), sometimes large ones (bulk copies).
    rpslab::fuzz::input_split splits{seed, 8, 7};
    std::size_t pos = 0;
    std::size_t out = 0;
    chunked_result r;
    while (pos < n) {
        const std::size_t piece = splits.next(n - pos);
        r = decoder.feed({buf.get() + pos, piece}, buf.get() + out);
        check(r.consumed <= piece);
        check(out + r.written <= pos + r.consumed); // output never overtakes input
        pos += r.consumed;
        out += r.written;
        check(decoder.body_bytes() == out && out <= fuzz_limits.max_body_bytes);
        if (r.state != parse_status::incomplete) {
            break;
        }
        check(r.consumed == piece && r.error == status::none);
    }
    check(r.state == whole.state && r.error == whole.error);
    if (r.state == parse_status::error) {
        check(body_status_allowed(r.error) && !r.reason.empty());
        check(decoder.feed({buf.get(), n}, buf.get()).state == parse_status::error); // needs reset()
    }
    // Splits change nothing: same stopping byte, same decoded bytes.
    check(pos == whole.consumed && out == whole.written);
    check(std::memcmp(buf.get(), reference.get(), out) == 0);
    if (r.state == parse_status::complete) {
        // The next pipelined request is left as it was.
        check(std::memcmp(buf.get() + pos, body.data() + pos, n - pos) == 0);
        if (parse_next) {
            bool chunked = false;
            check_head(body.subspan(pos), chunked);
        }
    }
}

// Parses one head and checks every invariant; returns what follows the head when it is
// complete (empty otherwise) and whether its body is chunked.
std::span<const char> check_head(std::span<const char> input, bool& chunked) {
    std::array<header_field, field_capacity> fields;
    request req;
    const parse_result r = parse_request(input, fuzz_limits, fields, req);
    check(r.consumed <= input.size());
    chunked = false;
    switch (r.state) {
    case parse_status::incomplete:
        check(r.error == status::none && r.consumed == 0);
        check(input.size() <= fuzz_limits.max_header_bytes); // never asks to buffer past the limit
        return {};
    case parse_status::error: {
        check(head_status_allowed(r.error) && !r.reason.empty());
        // A prefix is still a valid beginning, or already shows the very same error.
        const std::size_t k = static_cast<std::size_t>(rpslab::fuzz::seed_of(input) % (input.size() + 1));
        request other;
        const parse_result p = parse_request(input.first(k), fuzz_limits, fields, other);
        check(p.state != parse_status::complete);
        check(p.state == parse_status::incomplete || (p.error == r.error && p.reason == r.reason));
        return {};
    }
    case parse_status::complete:
        break;
    }
    check(r.error == status::none && r.consumed > 0);
    check_views(req, input.first(r.consumed));
    // The head alone parses the same; one byte less is incomplete.
    request again;
    check(parse_request(input.first(r.consumed), fuzz_limits, fields, again).consumed == r.consumed);
    check(parse_request(input.first(r.consumed - 1), fuzz_limits, fields, again).state == parse_status::incomplete);
    chunked = req.framing == body_framing::chunked;
    return input.subspan(r.consumed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const char> input(reinterpret_cast<const char*>(data), size);
    bool chunked = false;
    const std::span<const char> rest = check_head(input, chunked);
    if (chunked) {
        check_chunked(rest, rpslab::fuzz::seed_of(input), true);
    }
    return 0;
}
