#include "http/response.h"

#include <charconv>
#include <cstring>

namespace rpslab::http {

namespace {

// Upper bound of everything but the variable strings below (about 230 bytes with every
// optional field present).
constexpr std::size_t fixed_head_bytes = 256;

class head_writer {
public:
    explicit head_writer(char* p) : _p(p) {}
    head_writer& text(std::string_view s) {
        if (s.empty()) {
            return *this; // an empty view may have a null data(): memcpy must not see it
        }
        std::memcpy(_p, s.data(), s.size());
        _p += s.size();
        return *this;
    }
    head_writer& number(std::size_t v) {
        _p = std::to_chars(_p, _p + 20, v).ptr;
        return *this;
    }
    head_writer& field(std::string_view name, std::string_view value) {
        return text(name).text(": ").text(value).text("\r\n");
    }
    char* end() const { return _p; }

private:
    char* _p;
};

} // namespace

void write_response(core::output_queue& out, const response& r, const response_context& ctx) {
    const bool with_body = !ctx.head_request;
    const bool inline_body = with_body && (r.storage == body_storage::scratch || r.body.size() <= copy_threshold);
    std::size_t need = fixed_head_bytes + r.content_type.size() + r.content_encoding.size() + r.allow.size() +
                       ctx.date.size() + (inline_body ? r.body.size() : 0);
    char* start = out.reserve(need);
    head_writer w(start);
    std::string_view reason = reason_phrase(r.status);
    w.text("HTTP/1.1 ").number(static_cast<std::size_t>(code(r.status))).text(" ").text(reason).text("\r\n");
    w.text("Server: rpslab\r\n").field("Date", ctx.date);
    if (!r.content_type.empty()) {
        w.field("Content-Type", r.content_type);
    }
    if (!r.content_encoding.empty()) {
        w.field("Content-Encoding", r.content_encoding);
    }
    if (r.vary_accept_encoding) {
        w.text("Vary: Accept-Encoding\r\n");
    }
    if (!r.allow.empty()) {
        w.field("Allow", r.allow);
    }
    if (r.retry_after_s != 0) {
        w.text("Retry-After: ").number(r.retry_after_s).text("\r\n");
    }
    if (!ctx.keep_alive) {
        w.text("Connection: close\r\n");
    } else if (ctx.http10) {
        w.text("Connection: keep-alive\r\n");
    }
    w.text("Content-Length: ").number(r.body.size()).text("\r\n\r\n");
    if (inline_body) {
        w.text(r.body);
    }
    out.commit(static_cast<std::size_t>(w.end() - start));
    if (with_body && !inline_body) {
        out.append_ref(r.body);
    }
}

void write_continue(core::output_queue& out) {
    out.append_copy("HTTP/1.1 100 Continue\r\n\r\n");
}

} // namespace rpslab::http
