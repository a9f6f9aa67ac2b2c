#include "http/authority.h"

#include "http/chars.h"

#include <cstddef>

namespace rpslab::http {
namespace {

// dec-octet "." dec-octet "." dec-octet "." dec-octet, without leading zeros (RFC 3986 §3.2.2).
bool valid_ipv4(std::string_view s) {
    std::size_t i = 0;
    for (int octet = 0; octet < 4; ++octet) {
        if (octet > 0) {
            if (i == s.size() || s[i] != '.') {
                return false;
            }
            ++i;
        }
        const std::size_t start = i;
        unsigned value = 0;
        while (i < s.size() && chars::is_digit(s[i]) && i - start < 3) {
            value = value * 10 + static_cast<unsigned>(s[i] - '0');
            ++i;
        }
        const std::size_t digits = i - start;
        if (digits == 0 || value > 255 || (digits > 1 && s[start] == '0')) {
            return false;
        }
    }
    return i == s.size();
}

// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
bool valid_ipvfuture(std::string_view s) {
    if (s.size() < 4 || (s[0] != 'v' && s[0] != 'V')) {
        return false;
    }
    std::size_t i = 1;
    while (i < s.size() && chars::is_hex(s[i])) {
        ++i;
    }
    if (i == 1 || i == s.size() || s[i] != '.') {
        return false;
    }
    ++i;
    if (i == s.size()) {
        return false;
    }
    for (; i < s.size(); ++i) {
        if (!chars::is_reg_name(s[i]) && s[i] != ':') {
            return false;
        }
    }
    return true;
}

} // namespace

bool valid_ipv6(std::string_view s) {
    std::size_t i = 0;
    int groups = 0;
    bool elided = false;
    if (s.starts_with("::")) {
        elided = true;
        i = 2;
    } else if (s.starts_with(":")) {
        return false;
    }
    while (i < s.size()) {
        const std::size_t start = i;
        while (i < s.size() && chars::is_hex(s[i]) && i - start < 4) {
            ++i;
        }
        if (i < s.size() && s[i] == '.') {
            // ls32 may end in an IPv4 address, which stands for two groups.
            if (!valid_ipv4(s.substr(start))) {
                return false;
            }
            groups += 2;
            i = s.size();
            break;
        }
        if (i == start) {
            return false;
        }
        ++groups;
        if (i == s.size()) {
            break;
        }
        if (s[i] != ':') {
            return false;
        }
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (elided) {
                return false;
            }
            elided = true;
            ++i;
        } else if (i == s.size()) {
            return false;
        }
    }
    return elided ? groups <= 7 : groups == 8;
}

bool valid_authority(std::string_view text, host_rule host, port_rule port) {
    // One pass, no memchr: this runs on the Host field of every request.
    std::size_t i = 0;
    if (!text.empty() && text[0] == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) {
            return false;
        }
        const std::string_view literal = text.substr(1, close - 1);
        if (!valid_ipv6(literal) && !valid_ipvfuture(literal)) {
            return false;
        }
        i = close + 1;
    } else {
        // reg-name = *( unreserved / pct-encoded / sub-delims ), up to the port's colon;
        // IPv4 dotted quads are reg-names too.
        for (;;) {
            i = static_cast<std::size_t>(chars::skip(text.data() + i, text.data() + text.size(), chars::reg_name_bit) -
                                         text.data());
            if (i == text.size() || text[i] != '%') {
                break;
            }
            if (i + 2 >= text.size() || !chars::is_hex(text[i + 1]) || !chars::is_hex(text[i + 2])) {
                return false;
            }
            i += 3;
        }
        if (i < text.size() && text[i] != ':') {
            return false;
        }
    }
    if (host == host_rule::required && i == 0) {
        return false;
    }
    if (i == text.size()) {
        return port == port_rule::optional;
    }
    if (text[i] != ':' || (i + 1 == text.size() && port == port_rule::required)) {
        return false;
    }
    for (++i; i < text.size(); ++i) {
        if (!chars::is_digit(text[i])) {
            return false;
        }
    }
    return true;
}

} // namespace rpslab::http
