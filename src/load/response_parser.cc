#include "load/response_parser.h"

#include "http/request.h"

#include <cstring>

namespace rpslab::load {

namespace {

constexpr response_result fail(std::string_view why) {
    return {response_state::error, 0, why};
}

// Whether the comma-separated list `value` holds `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        auto comma = value.find(',');
        if (http::iequals(http::trim_ows(value.substr(0, comma)), token)) {
            return true;
        }
        value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    }
    return false;
}

// The last coding of a Transfer-Encoding list.
std::string_view last_coding(std::string_view value) {
    auto comma = value.rfind(',');
    return http::trim_ows(comma == std::string_view::npos ? value : value.substr(comma + 1));
}

bool parse_length(std::string_view text, std::uint64_t& out) {
    if (text.empty() || text.size() > 18) {
        return false;
    }
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = v;
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = static_cast<char>(c | 0x20); // ASCII letters to lower case
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

} // namespace

void response_parser::reset() {
    _phase = phase::head;
    _status = 0;
    _keep_alive = true;
    _remaining = _body_bytes = 0;
    _head_bytes = _line_bytes = 0;
    _size_digits = _saw_cr = false;
    _trailer_line_empty = true;
}

response_result response_parser::feed(std::span<const char> in) {
    std::size_t used = 0;
    if (_phase == phase::head) {
        response_result head = parse_head(in);
        if (head.state != response_state::complete) {
            return head;
        }
        used = head.consumed;
    }
    std::span<const char> rest = in.subspan(used);
    switch (_phase) {
    case phase::done:
        return {response_state::complete, used, {}};
    case phase::until_close:
        _body_bytes += rest.size();
        return {response_state::incomplete, in.size(), {}};
    case phase::fixed_body: {
        std::uint64_t take = std::min<std::uint64_t>(_remaining, rest.size());
        _remaining -= take;
        _body_bytes += take;
        used += static_cast<std::size_t>(take);
        if (_remaining == 0) {
            _phase = phase::done;
            return {response_state::complete, used, {}};
        }
        return {response_state::incomplete, used, {}};
    }
    default: {
        response_result r = parse_chunked(rest);
        r.consumed += used;
        return r;
    }
    }
}

// One pass over the head: each line is found with memchr, and only the three fields that
// frame a response (their names are 10, 14 and 17 bytes long) are compared at all.
response_result response_parser::parse_head(std::span<const char> in) {
    const char* const begin = in.data();
    const char* const end = begin + in.size();
    const char* eol = static_cast<const char*>(std::memchr(begin, '\n', in.size()));
    if (eol == nullptr) {
        return in.size() > max_head_bytes ? fail("response head over 64 KiB")
                                          : response_result{response_state::incomplete, 0, {}};
    }
    // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4)
    std::string_view status_line(begin, static_cast<std::size_t>(eol - begin));
    if (status_line.size() < 13 || status_line.back() != '\r' || status_line.compare(0, 7, "HTTP/1.") != 0 ||
        (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ' ||
        (status_line[12] != ' ' && status_line[12] != '\r')) {
        return fail("malformed status line");
    }
    int status = 0;
    for (int i = 9; i < 12; ++i) {
        if (status_line[i] < '0' || status_line[i] > '9') {
            return fail("malformed status code");
        }
        status = status * 10 + (status_line[i] - '0');
    }
    bool keep_alive = status_line[7] == '1';
    bool chunked = false;
    bool has_length = false;
    std::uint64_t length = 0;
    for (const char* line = eol + 1;;) {
        eol = static_cast<const char*>(std::memchr(line, '\n', static_cast<std::size_t>(end - line)));
        if (eol == nullptr) {
            return static_cast<std::size_t>(end - begin) > max_head_bytes
                       ? fail("response head over 64 KiB")
                       : response_result{response_state::incomplete, 0, {}};
        }
        if (eol == line || eol[-1] != '\r') {
            return fail("bare LF in the response head");
        }
        std::string_view field(line, static_cast<std::size_t>(eol - 1 - line));
        line = eol + 1;
        if (field.empty()) {
            break; // the empty line that ends the head
        }
        auto colon = field.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return fail("malformed header field");
        }
        std::string_view name = field.substr(0, colon);
        if (name.size() != 10 && name.size() != 14 && name.size() != 17) {
            continue;
        }
        std::string_view value = http::trim_ows(field.substr(colon + 1));
        if (http::iequals(name, "content-length")) {
            std::uint64_t v = 0;
            if (!parse_length(value, v) || (has_length && v != length)) {
                return fail("bad Content-Length");
            }
            has_length = true;
            length = v;
        } else if (http::iequals(name, "transfer-encoding")) {
            chunked = http::iequals(last_coding(value), "chunked");
        } else if (http::iequals(name, "connection")) {
            if (has_token(value, "close")) {
                keep_alive = false;
            } else if (has_token(value, "keep-alive")) {
                keep_alive = true;
            }
        }
    }
    _head_bytes = static_cast<std::size_t>(eol + 1 - begin);
    _status = status;
    _keep_alive = keep_alive;
    // RFC 9112 §6.3: these never have a body, whatever the fields say.
    if (_head_request || informational() || status == 204 || status == 304) {
        _phase = phase::done;
    } else if (chunked) {
        _phase = phase::chunk_size;
    } else if (has_length) {
        _remaining = length;
        _phase = length == 0 ? phase::done : phase::fixed_body;
    } else {
        _phase = phase::until_close;
        _keep_alive = false;
    }
    return {response_state::complete, _head_bytes, {}};
}

response_result response_parser::parse_chunked(std::span<const char> in) {
    std::size_t i = 0;
    while (i < in.size()) {
        if (_phase == phase::chunk_data) {
            std::uint64_t take = std::min<std::uint64_t>(_remaining, in.size() - i);
            _remaining -= take;
            _body_bytes += take;
            i += static_cast<std::size_t>(take);
            if (_remaining == 0) {
                _phase = phase::chunk_data_end;
                _saw_cr = false;
            }
            continue;
        }
        const char c = in[i++];
        if (++_line_bytes > max_head_bytes) {
            return fail("chunk line over 64 KiB");
        }
        if (_saw_cr) {
            if (c != '\n') {
                return fail("CR without LF in chunked framing");
            }
            _saw_cr = false;
            _line_bytes = 0;
            if (_phase == phase::chunk_data_end) {
                _phase = phase::chunk_size;
                _remaining = 0;
                _size_digits = false;
            } else if (_phase == phase::trailer) {
                if (_trailer_line_empty) {
                    _phase = phase::done;
                    return {response_state::complete, i, {}};
                }
                _trailer_line_empty = true;
            } else if (!_size_digits) {
                return fail("chunk size missing");
            } else if (_remaining == 0) {
                _phase = phase::trailer;
                _trailer_line_empty = true;
            } else {
                _phase = phase::chunk_data;
            }
            continue;
        }
        if (c == '\r') {
            _saw_cr = true;
            continue;
        }
        switch (_phase) {
        case phase::chunk_size: {
            int h = hex_value(c);
            if (h >= 0) {
                if (_remaining >> 59 != 0) {
                    return fail("chunk size overflows");
                }
                _remaining = _remaining * 16 + static_cast<std::uint64_t>(h);
                _size_digits = true;
            } else if (c == ';' || c == ' ' || c == '\t') {
                _phase = phase::chunk_ext;
            } else {
                return fail("bad chunk size");
            }
            break;
        }
        case phase::chunk_ext:
            break; // extensions are ignored
        case phase::trailer:
            _trailer_line_empty = false;
            break;
        default:
            return fail("bytes after chunk data");
        }
    }
    return {response_state::incomplete, i, {}};
}

bool response_parser::on_eof() {
    if (_phase == phase::until_close) {
        _phase = phase::done;
        return true;
    }
    return false;
}

} // namespace rpslab::load
