// Small helpers that append JSON text to a std::string, for the data built once at
// start-up (products). The per-request /compute path writes into a fixed buffer instead.
#pragma once

#include "app/decimal.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace rpslab::app::json {

// Appends `text` as a JSON string (RFC 8259 section 7): quotes, backslashes and control
// characters escaped; the generated data is ASCII, so nothing else needs care.
inline void append_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            out += "\\u00";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
}

// Appends `"key":`.
inline void append_key(std::string& out, std::string_view key) {
    append_string(out, key);
    out += ':';
}

inline void append_uint(std::string& out, std::uint64_t value) {
    char digits[20];
    out.append(digits, write_u64(digits, value));
}

// Appends units / 10^decimals with exactly `decimals` digits after the point, e.g.
// (12999, 2) -> 129.99: prices and ratings are integers until they are printed.
inline void append_fixed(std::string& out, std::uint64_t units, unsigned decimals) {
    std::uint64_t scale = 1;
    for (unsigned i = 0; i < decimals; ++i) {
        scale *= 10;
    }
    append_uint(out, units / scale);
    out += '.';
    std::uint64_t fraction = units % scale;
    for (std::uint64_t digit = scale / 10; digit > 0; digit /= 10) {
        out += static_cast<char>('0' + fraction / digit);
        fraction %= digit;
    }
}

} // namespace rpslab::app::json
