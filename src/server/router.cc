#include "server/router.h"

namespace rpslab::server {

namespace {

enum class allowed : std::uint8_t { get_head, post };

constexpr std::string_view allow_text(allowed a) {
    return a == allowed::get_head ? "GET, HEAD" : "POST";
}

bool permits(allowed a, http::method m) {
    if (a == allowed::get_head) {
        return m == http::method::get || m == http::method::head;
    }
    return m == http::method::post;
}

http::response not_allowed(allowed a, app::workload_context& work) {
    http::response r = work.error(http::status::method_not_allowed, "");
    r.allow = allow_text(a);
    return r;
}

} // namespace

http::response route(const http::request& req, metrics::path path, std::string_view body, app::workload_context& work) {
    // RFC 9110 §9.1: a method the server does not recognise at all is 501, before any path.
    if (req.method == http::method::other) {
        return work.error(http::status::not_implemented, "unknown method");
    }
    using handler = http::response (app::workload_context::*)(const http::request&);
    handler get_handler = nullptr;
    switch (path) {
    case metrics::path::simple:
        get_handler = &app::workload_context::simple;
        break;
    case metrics::path::read:
        get_handler = &app::workload_context::read;
        break;
    case metrics::path::list:
        get_handler = &app::workload_context::list;
        break;
    case metrics::path::compute:
        get_handler = &app::workload_context::compute;
        break;
    case metrics::path::healthz:
        get_handler = &app::workload_context::healthz;
        break;
    case metrics::path::work:
        // GET and HEAD never get here: the connection hands them to the pool.
        return not_allowed(allowed::get_head, work);
    case metrics::path::echo:
        if (!permits(allowed::post, req.method)) {
            return not_allowed(allowed::post, work);
        }
        return work.echo(req, body);
    case metrics::path::metrics: // GET and HEAD are the worker's; other methods: as unknown
    case metrics::path::other:
    case metrics::path::count_:
        return work.error(http::status::not_found, "");
    }
    if (!permits(allowed::get_head, req.method)) {
        return not_allowed(allowed::get_head, work);
    }
    return (work.*get_handler)(req);
}

} // namespace rpslab::server
