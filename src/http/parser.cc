#include "http/parser.h"

#include "http/authority.h"
#include "http/chars.h"
#include "http/head_fields.h"

#include <algorithm>

namespace rpslab::http {
namespace {

using chars::is_ows;

// After the method, a request line holds at least SP, a one-byte target, SP and the 8 bytes
// of "HTTP/x.y" (RFC 9112 §3); after the target, SP and "HTTP/x.y". These let a too-long
// line be refused with 414 as soon as its bytes prove it, before its end arrives.
constexpr std::size_t min_line_after_method = 11;
constexpr std::size_t min_line_after_target = 9;

method method_of(std::string_view m) {
    // Methods are case-sensitive (RFC 9110 §9.1): "get" is an unknown method.
    switch (m.size()) {
    case 3:
        return m == "GET" ? method::get : m == "PUT" ? method::put : method::other;
    case 4:
        return m == "HEAD" ? method::head : m == "POST" ? method::post : method::other;
    case 5:
        return m == "PATCH" ? method::patch : m == "TRACE" ? method::trace : method::other;
    case 6:
        return m == "DELETE" ? method::delete_ : method::other;
    case 7:
        return m == "OPTIONS" ? method::options : m == "CONNECT" ? method::connect : method::other;
    default:
        return method::other;
    }
}

std::string_view separator_error(char c) {
    switch (c) {
    case '\n':
        return "bare LF in head";
    case '\r':
        return "malformed request line";
    case '\t':
        return "request line parts not separated by one SP";
    default:
        return "";
    }
}

// Parses one head over [begin, end), the caller having cut `end` at lim.max_header_bytes.
// Every step returns true to go on, or false once _result holds the outcome (incomplete or
// an error). Steps look at bytes left to right and fail on the first byte that proves an
// error, so a prefix of an input never reports a different error than the whole.
class head_parser {
public:
    head_parser(const char* begin, const char* end, const limits& lim, std::span<header_field> fields, request& out)
        : _begin(begin), _p(begin), _end(end), _lim(lim), _fields(fields), _out(out) {}

    parse_result run() {
        // Only the fields a request may leave unset; the rest are written on every
        // complete parse (cheaper than clearing the whole struct per request).
        _out.path = {};
        _out.query = {};
        _out.framing = body_framing::none;
        _out.content_length = 0;
        if (request_line() && field_lines() && finish()) {
            const auto head_bytes = static_cast<std::size_t>(_p - _begin);
            _out.head_bytes = head_bytes;
            return {parse_status::complete, head_bytes, status::none, {}};
        }
        return _result;
    }

private:
    bool incomplete() {
        _result = {};
        return false;
    }
    bool fail(status s, std::string_view reason) {
        _result = {parse_status::error, 0, s, reason};
        return false;
    }
    bool bad(std::string_view reason) { return fail(status::bad_request, reason); }
    bool have(std::size_t n) const { return static_cast<std::size_t>(_end - _p) >= n; }

    // Where a scan of the request line must stop: at the end of the input, or at the first
    // byte that would make the line longer than the limit, given that at least
    // `bytes_after` more must follow it. Hoisting the check keeps the loops to one compare.
    const char* line_stop(const char* line, std::size_t bytes_after) const {
        const std::size_t max = _lim.max_request_line_bytes;
        const auto used = static_cast<std::size_t>(_p - line);
        const std::size_t allowed = max > bytes_after + used ? max - bytes_after - used : 0;
        return _p + std::min(allowed, static_cast<std::size_t>(_end - _p));
    }

    bool request_line() {
        if (!skip_leading_empty_line()) {
            return false;
        }
        const char* const line = _p;
        return method_token(line) && request_target(line) && http_version() && target_form();
    }

    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request
    // line; we ignore exactly one, a stream of them is not a client talking HTTP.
    bool skip_leading_empty_line() {
        if (!have(1)) {
            return incomplete();
        }
        if (*_p == '\n') {
            return bad("bare LF in head");
        }
        if (*_p == '\r') {
            if (!have(2)) {
                return incomplete();
            }
            if (_p[1] != '\n') {
                return bad("bare CR in head");
            }
            _p += 2;
        }
        return true;
    }

    bool method_token(const char* line) {
        _p = chars::skip(_p, line_stop(line, min_line_after_method), chars::tchar_bit);
        if (_p == _end) {
            return incomplete();
        }
        const char c = *_p;
        if (c != ' ') {
            if (chars::is_tchar(c)) {
                return fail(status::uri_too_long, "request line too long");
            }
            if (_p == line && c == '\r') {
                return bad("more than one empty line before request line");
            }
            const std::string_view why = separator_error(c);
            return bad(why.empty() ? "invalid byte in method" : why);
        }
        if (_p == line) {
            return bad("empty method");
        }
        _out.method_text = {line, _p};
        _out.method = method_of(_out.method_text);
        ++_p;
        return true;
    }

    // request-target: visible ASCII only (RFC 9112 §3.2); SP ends it, so a second SP, a
    // tab, a CTL or a byte >= 0x7F is a malformed request line.
    bool request_target(const char* line) {
        const char* const start = _p;
        const char* const stop = line_stop(line, min_line_after_target);
        _p = chars::skip(_p, stop, chars::path_bit);
        _query_mark = nullptr;
        if (_p != stop && *_p == '?') {
            _query_mark = _p;
            _p = chars::skip(_p + 1, stop, chars::visible_bit);
        }
        if (_p == _end) {
            return incomplete();
        }
        const char c = *_p;
        if (c != ' ') {
            if (chars::is_visible(c)) {
                return fail(status::uri_too_long, "request target too long");
            }
            const std::string_view why = separator_error(c);
            return bad(why.empty() ? "invalid byte in request target" : why);
        }
        if (_p == start) {
            return bad("request line parts not separated by one SP");
        }
        _out.target = {start, _p};
        ++_p;
        return true;
    }

    // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3), then CRLF.
    bool http_version() {
        static constexpr std::string_view shape = "HTTP/1.1\r\n";
        const std::size_t available = std::min<std::size_t>(static_cast<std::size_t>(_end - _p), shape.size());
        if (available == shape.size() && std::string_view(_p, available) == shape) {
            _out.version = version::http11; // what nearly every request says: one compare
            _p += shape.size();
            return true;
        }
        for (std::size_t i = 0; i < available; ++i) {
            const char c = _p[i];
            const bool ok = (i == 5 || i == 7) ? chars::is_digit(c) : c == shape[i];
            if (!ok) {
                if (i < 8) {
                    return bad("malformed HTTP version");
                }
                if (i == 9) {
                    return bad("bare CR in head");
                }
                return bad(c == '\n' ? "bare LF in head" : "malformed request line");
            }
        }
        if (available < shape.size()) {
            return incomplete();
        }
        // RFC 9110 §6.2: a 1.x minor version we do not know is answered as the highest we
        // support; another major version is not ours to speak (this includes the HTTP/2
        // preface "PRI * HTTP/2.0", and HTTP/0.9 and HTTP/3 spelled in 1.x syntax).
        if (_p[5] != '1') {
            return fail(status::http_version_not_supported, "unsupported HTTP version");
        }
        _out.version = _p[7] == '0' ? version::http10 : version::http11;
        _p += shape.size();
        return true;
    }

    bool target_form() {
        const std::string_view t = _out.target;
        if (_out.method == method::connect) {
            // RFC 9112 §3.2.3: CONNECT takes authority-form (uri-host ":" port) only.
            if (!valid_authority(t, host_rule::required, port_rule::required)) {
                return bad("CONNECT target is not host:port");
            }
            return true;
        }
        if (t[0] == '/') {
            // origin-form = absolute-path [ "?" query ] (RFC 9112 §3.2.1)
            const char* const q = _query_mark;
            _out.path = q == nullptr ? t : std::string_view(t.data(), q);
            _out.query = q == nullptr ? std::string_view{} : std::string_view(q + 1, t.data() + t.size());
            return true;
        }
        if (t == "*") {
            if (_out.method != method::options) {
                return bad("asterisk-form target is only for OPTIONS");
            }
            _out.path = t;
            return true;
        }
        return absolute_form(t);
    }

    // RFC 9112 §3.2.2: absolute-form; we serve http and https URIs, which must name a
    // host and carry no userinfo (RFC 9110 §4.2.1, §4.2.4).
    bool absolute_form(std::string_view t) {
        std::size_t scheme_bytes = 0;
        if (t.size() >= 7 && iequals(t.substr(0, 7), "http://")) {
            scheme_bytes = 7;
        } else if (t.size() >= 8 && iequals(t.substr(0, 8), "https://")) {
            scheme_bytes = 8;
        } else {
            return bad("invalid request target");
        }
        const std::size_t authority_end = std::min(t.find_first_of("/?", scheme_bytes), t.size());
        const std::string_view authority = t.substr(scheme_bytes, authority_end - scheme_bytes);
        if (!valid_authority(authority, host_rule::required, port_rule::optional)) {
            return bad("invalid authority in absolute-form target");
        }
        _target_authority = authority;
        const std::string_view rest = t.substr(authority_end);
        if (rest.empty() || rest[0] == '?') {
            // An empty path means "/" (RFC 9110 §4.2.3). The view points at the last '/'
            // of "://" so that every view stays inside the input (parser.h).
            _out.path = t.substr(scheme_bytes - 1, 1);
            _out.query = rest.empty() ? rest : rest.substr(1);
            return true;
        }
        const std::size_t q = rest.find('?');
        _out.path = rest.substr(0, q);
        _out.query = q == std::string_view::npos ? std::string_view{} : rest.substr(q + 1);
        return true;
    }

    bool field_lines() {
        const std::size_t max_fields = std::min(_fields.size(), _lim.max_header_count);
        for (;;) {
            if (!have(1)) {
                return incomplete();
            }
            const char c = *_p;
            if (c == '\r') {
                if (!have(2)) {
                    return incomplete();
                }
                if (_p[1] != '\n') {
                    return bad("bare CR in head");
                }
                _p += 2;
                return true;
            }
            if (!chars::is_tchar(c)) {
                return bad(field_start_error(c));
            }
            if (_field_count == max_fields) {
                return fail(status::request_header_fields_too_large, "too many header fields");
            }
            if (!field_line()) {
                return false;
            }
        }
    }

    std::string_view field_start_error(char c) const {
        if (is_ows(c)) {
            // RFC 9112 §5.2: obs-fold is rejected; §2.2: whitespace before the first field
            // line is rejected too (a smuggling vector when a proxy ignores that line).
            return _field_count == 0 ? "whitespace before first field line" : "obs-fold in field line";
        }
        if (c == '\n') {
            return "bare LF in head";
        }
        return c == ':' ? "empty field name" : "invalid byte in field name";
    }

    // field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). The caller saw a tchar.
    bool field_line() {
        const char* const name = _p;
        _p = chars::skip(_p + 1, _end, chars::tchar_bit);
        if (_p == _end) {
            return incomplete();
        }
        if (*_p != ':') {
            // RFC 9112 §5.1: whitespace between the name and the colon MUST be rejected.
            return bad(is_ows(*_p)                    ? "whitespace before colon"
                       : (*_p == '\r' || *_p == '\n') ? "field line without colon"
                                                      : "invalid byte in field name");
        }
        const std::string_view field_name{name, _p};
        ++_p;
        while (_p != _end && is_ows(*_p)) {
            ++_p;
        }
        const char* const value = _p;
        _p = chars::skip(_p, _end, chars::value_bit);
        if (!have(1)) {
            return incomplete();
        }
        if (*_p != '\r') {
            return bad(*_p == '\n' ? "bare LF in head" : "invalid byte in field value");
        }
        if (!have(2)) {
            return incomplete();
        }
        if (_p[1] != '\n') {
            return bad("bare CR in head");
        }
        const char* value_end = _p;
        while (value_end != value && is_ows(value_end[-1])) {
            --value_end;
        }
        _p += 2;
        const std::string_view field_value{value, value_end};
        _fields[_field_count++] = {field_name, field_value};
        if (const field_error* e = _meaning.on_field(field_name, field_value)) {
            return fail(e->code, e->reason);
        }
        return true;
    }

    // Rules that need the whole head (head_fields.cc), then the views of the request.
    bool finish() {
        if (const field_error* e = _meaning.finish(_out, _lim, _target_authority)) {
            return fail(e->code, e->reason);
        }
        _out.headers = _fields.first(_field_count);
        return true;
    }

    const char* const _begin;
    const char* _p;
    const char* const _end;
    const limits& _lim;
    std::span<header_field> _fields;
    request& _out;
    parse_result _result;
    std::size_t _field_count = 0;
    std::string_view _target_authority;
    const char* _query_mark = nullptr; // the first '?' of the target
    head_fields _meaning;
};

} // namespace

parse_result parse_request(std::span<const char> input, const limits& lim, std::span<header_field> fields,
                           request& out) {
    // Parse only the first max_header_bytes: a head that has not ended there is a 431,
    // whatever follows, and a caller never needs to buffer more than that.
    const std::size_t window = std::min(input.size(), lim.max_header_bytes);
    head_parser parser{input.data(), input.data() + window, lim, fields, out};
    const parse_result result = parser.run();
    if (result.state == parse_status::incomplete && input.size() > lim.max_header_bytes) {
        return {parse_status::error, 0, status::request_header_fields_too_large, "header section too large"};
    }
    return result;
}

} // namespace rpslab::http
