// Byte classes of the HTTP grammar (RFC 9110 §5.6, RFC 9112, RFC 3986 §2), as one constant
// 256-entry table shared by the request parser and the chunked decoder. Constant data: any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rpslab::http::chars {

enum : std::uint8_t {
    tchar_bit = 1 << 0,    // token characters (RFC 9110 §5.6.2)
    visible_bit = 1 << 1,  // VCHAR 0x21-0x7E: what a request-target may hold (RFC 9112 §3.2)
    value_bit = 1 << 2,    // field-value bytes: VCHAR, obs-text, SP, HTAB (RFC 9110 §5.5)
    hex_bit = 1 << 3,      // HEXDIG
    reg_name_bit = 1 << 4, // unreserved / sub-delims (RFC 3986 §3.2.2), '%' handled apart
    qdtext_bit = 1 << 5,   // quoted-string text: HTAB, SP, VCHAR except '"' and '\', obs-text (RFC 9110 §5.6.4)
    path_bit = 1 << 6,     // request-target bytes before the query: VCHAR except '?'
};

namespace detail {

constexpr std::array<std::uint8_t, 256> make_table() {
    std::array<std::uint8_t, 256> t{};
    constexpr std::string_view tchar_marks = "!#$%&'*+-.^_`|~";
    constexpr std::string_view sub_delims = "!$&'()*+,;=";
    constexpr std::string_view unreserved_marks = "-._~";
    for (int c = 0; c < 256; ++c) {
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        const bool visible = c >= 0x21 && c <= 0x7E;
        std::uint8_t bits = 0;
        if (alpha || digit || tchar_marks.find(static_cast<char>(c)) != std::string_view::npos) {
            bits |= tchar_bit;
        }
        if (visible) {
            bits |= visible_bit;
        }
        if (visible || c >= 0x80 || c == ' ' || c == '\t') {
            bits |= value_bit;
        }
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
            bits |= hex_bit;
        }
        if (alpha || digit || sub_delims.find(static_cast<char>(c)) != std::string_view::npos ||
            unreserved_marks.find(static_cast<char>(c)) != std::string_view::npos) {
            bits |= reg_name_bit;
        }
        if ((visible && c != '"' && c != '\\') || c >= 0x80 || c == ' ' || c == '\t') {
            bits |= qdtext_bit;
        }
        if (visible && c != '?') {
            bits |= path_bit;
        }
        t[static_cast<std::size_t>(c)] = bits;
    }
    return t;
}

inline constexpr std::array<std::uint8_t, 256> table = make_table();

} // namespace detail

constexpr bool has(char c, std::uint8_t bit) {
    return (detail::table[static_cast<unsigned char>(c)] & bit) != 0;
}

// The first byte in [p, end) that is not of class `bit`, or `end`. Unrolled so that long
// runs (field values, targets) pay one bounds check per 4 bytes instead of one per byte.
inline const char* skip(const char* p, const char* end, std::uint8_t bit) {
    while (end - p >= 4) {
        if (!has(p[0], bit)) {
            return p;
        }
        if (!has(p[1], bit)) {
            return p + 1;
        }
        if (!has(p[2], bit)) {
            return p + 2;
        }
        if (!has(p[3], bit)) {
            return p + 3;
        }
        p += 4;
    }
    while (p != end && has(*p, bit)) {
        ++p;
    }
    return p;
}

constexpr bool is_tchar(char c) {
    return has(c, tchar_bit);
}
constexpr bool is_visible(char c) {
    return has(c, visible_bit);
}
constexpr bool is_value(char c) {
    return has(c, value_bit);
}
constexpr bool is_hex(char c) {
    return has(c, hex_bit);
}
constexpr bool is_reg_name(char c) {
    return has(c, reg_name_bit);
}
constexpr bool is_qdtext(char c) {
    return has(c, qdtext_bit);
}
constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
constexpr bool is_ows(char c) {
    return c == ' ' || c == '\t';
}

// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ): the escaped byte may be any value byte.
constexpr bool is_quoted_pair_byte(char c) {
    return is_value(c);
}

constexpr unsigned hex_value(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= '9') {
        return u - '0';
    }
    return (u | 0x20U) - 'a' + 10;
}

constexpr char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

} // namespace rpslab::http::chars
