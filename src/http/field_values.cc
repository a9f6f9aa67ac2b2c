#include "http/field_values.h"

#include "http/chars.h"
#include "http/request.h"

#include <cstddef>

namespace rpslab::http {
namespace {

// A cursor over one field value; every helper stops at the first byte it does not accept.
struct scanner {
    std::string_view s;
    std::size_t i = 0;

    bool at_end() const { return i == s.size(); }
    char peek() const { return s[i]; }
    void skip_ows() {
        while (i < s.size() && chars::is_ows(s[i])) {
            ++i;
        }
    }
    std::string_view token() {
        const std::size_t start = i;
        while (i < s.size() && chars::is_tchar(s[i])) {
            ++i;
        }
        return s.substr(start, i - start);
    }
    // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4)
    bool quoted_string() {
        if (at_end() || s[i] != '"') {
            return false;
        }
        for (++i; i < s.size(); ++i) {
            const char c = s[i];
            if (c == '"') {
                ++i;
                return true;
            }
            if (c == '\\') {
                if (++i == s.size() || !chars::is_quoted_pair_byte(s[i])) {
                    return false;
                }
            } else if (!chars::is_qdtext(c)) {
                return false;
            }
        }
        return false;
    }
};

// *( OWS ";" OWS token BWS "=" BWS ( token / quoted-string ) ); true when well formed.
bool skip_parameters(scanner& sc, bool& any) {
    for (;;) {
        sc.skip_ows();
        if (sc.at_end() || sc.peek() != ';') {
            return true;
        }
        ++sc.i;
        any = true;
        sc.skip_ows();
        if (sc.token().empty()) {
            return false;
        }
        sc.skip_ows();
        if (sc.at_end() || sc.peek() != '=') {
            return false;
        }
        ++sc.i;
        sc.skip_ows();
        if (!sc.at_end() && sc.peek() == '"') {
            if (!sc.quoted_string()) {
                return false;
            }
        } else if (sc.token().empty()) {
            return false;
        }
    }
}

} // namespace

std::optional<std::uint64_t> parse_content_length(std::string_view value) {
    constexpr std::uint64_t max = (std::uint64_t{1} << 63) - 1;
    if (value.empty()) {
        return std::nullopt;
    }
    std::uint64_t n = 0;
    for (char c : value) {
        if (!chars::is_digit(c)) {
            return std::nullopt;
        }
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (n > (max - digit) / 10) {
            return std::nullopt;
        }
        n = n * 10 + digit;
    }
    return n;
}

void add_transfer_codings(std::string_view value, transfer_codings& codings) {
    codings.present = true;
    scanner sc{value};
    // We reject empty list elements instead of skipping them (RFC 9110 §5.6.1 allows
    // either for a recipient that rejects): on the field that decides framing, any
    // leniency a front end does not share is a smuggling vector.
    for (;;) {
        sc.skip_ows();
        const std::string_view coding = sc.token();
        if (coding.empty()) {
            codings.malformed = true;
            return;
        }
        bool has_parameters = false;
        if (!skip_parameters(sc, has_parameters)) {
            codings.malformed = true;
            return;
        }
        const bool chunked = iequals(coding, "chunked");
        if (chunked && has_parameters) {
            // chunked defines no parameters (RFC 9112 §7.1); a reader that ignores them
            // and one that does not would frame the body differently.
            codings.malformed = true;
            return;
        }
        codings.chunked_count += chunked ? 1 : 0;
        codings.other_coding |= !chunked;
        codings.last_is_chunked = chunked;
        if (sc.at_end()) {
            return;
        }
        if (sc.peek() != ',') {
            codings.malformed = true;
            return;
        }
        ++sc.i;
    }
}

bool add_connection_options(std::string_view value, connection_options& options) {
    scanner sc{value};
    for (;;) {
        sc.skip_ows();
        const std::string_view option = sc.token();
        sc.skip_ows();
        if (!sc.at_end() && sc.peek() != ',') {
            return false;
        }
        if (option.size() == 5 && iequals(option, "close")) {
            options.close = true;
        } else if (option.size() == 10 && iequals(option, "keep-alive")) {
            options.keep_alive = true;
        }
        if (sc.at_end()) {
            return true;
        }
        ++sc.i;
    }
}

} // namespace rpslab::http
