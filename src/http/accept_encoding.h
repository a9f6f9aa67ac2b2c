// Content negotiation for the gzip variants (RFC 9110 §12.5.3 Accept-Encoding).
#pragma once

#include <string_view>

namespace rpslab::http {

// True when an Accept-Encoding field value lets us send gzip: "gzip" (or "x-gzip") with a
// non-zero q, or "*" with a non-zero q while gzip is not listed. An empty value is false.
bool accepts_gzip(std::string_view accept_encoding);

// The value of `name` in an application/x-www-form-urlencoded query ("id=3&x=1"), without
// decoding; `found` says whether the parameter was present at all.
std::string_view query_param(std::string_view query, std::string_view name, bool& found);

} // namespace rpslab::http
