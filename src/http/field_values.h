// Syntax of the field values that decide framing and connection reuse: Content-Length,
// Transfer-Encoding and Connection (RFC 9110 §5.6, §7.6.1, §8.6; RFC 9112 §6-§7).
// Pure functions over one field value; no allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rpslab::http {

// Content-Length = 1*DIGIT (RFC 9110 §8.6). nullopt for anything else: a sign, inner
// whitespace, a list ("5, 5") or a value >= 2^63, which no real body reaches and which
// would overflow signed offsets downstream.
std::optional<std::uint64_t> parse_content_length(std::string_view value);

// Transfer-Encoding codings gathered over every Transfer-Encoding field line, in order
// (RFC 9110 §5.3: lines of a list field combine as one comma-separated list).
struct transfer_codings {
    bool present = false;
    bool malformed = false; // an empty element, a non-token, bad parameters, or parameters on chunked
    bool last_is_chunked = false;
    unsigned chunked_count = 0;
    bool other_coding = false; // gzip, deflate, identity, x-anything: codings we do not decode
};

// Adds the codings of one Transfer-Encoding field value (RFC 9112 §7:
// transfer-coding = token *( OWS ";" OWS token BWS "=" BWS ( token / quoted-string ) )).
void add_transfer_codings(std::string_view value, transfer_codings& codings);

struct connection_options {
    bool close = false;
    bool keep_alive = false;
};

// Adds the options of one Connection field value (RFC 9110 §7.6.1: #connection-option,
// case-insensitive tokens; empty elements are ignored per §5.6.1). False when an element
// is not a token.
bool add_connection_options(std::string_view value, connection_options& options);

} // namespace rpslab::http
