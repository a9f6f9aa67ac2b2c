// Syntax of the authority a request names: the Host field value and the authority of an
// absolute-form or authority-form request-target (RFC 9110 §7.2, §4.2; RFC 3986 §3.2.2-§3.2.3).
// Pure functions over a view; no allocation.
#pragma once

#include <cstdint>
#include <string_view>

namespace rpslab::http {

enum class host_rule : std::uint8_t {
    may_be_empty, // Host with an origin-form target: reg-name may be empty (RFC 3986 §3.2.2)
    required,     // an "http"/"https" URI or a CONNECT target must name a host (RFC 9110 §4.2.1, §9.3.6)
};

enum class port_rule : std::uint8_t {
    optional, // uri-host [ ":" port ], port = *DIGIT
    required, // uri-host ":" 1*DIGIT, for CONNECT (RFC 9110 §9.3.6)
};

// True when `text` is uri-host [ ":" port ]: a reg-name (unreserved, sub-delims and
// %-escapes; IPv4 dotted quads are reg-names too), or an IP-literal in brackets (IPv6 or
// IPvFuture), then an optional port of digits only. Userinfo ("user@") is never accepted.
bool valid_authority(std::string_view text, host_rule host, port_rule port);

// True when `text` is an IPv6address of RFC 3986 §3.2.2 (no brackets, no zone id).
bool valid_ipv6(std::string_view text);

} // namespace rpslab::http
