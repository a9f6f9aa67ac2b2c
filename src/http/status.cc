#include "http/status.h"

namespace rpslab::http {

std::string_view reason_phrase(status s) {
    switch (s) {
    case status::none:
        return "None";
    case status::continue_:
        return "Continue";
    case status::ok:
        return "OK";
    case status::accepted:
        return "Accepted";
    case status::no_content:
        return "No Content";
    case status::bad_request:
        return "Bad Request";
    case status::not_found:
        return "Not Found";
    case status::method_not_allowed:
        return "Method Not Allowed";
    case status::request_timeout:
        return "Request Timeout";
    case status::conflict:
        return "Conflict";
    case status::payload_too_large:
        return "Content Too Large";
    case status::uri_too_long:
        return "URI Too Long";
    case status::request_header_fields_too_large:
        return "Request Header Fields Too Large";
    case status::internal_server_error:
        return "Internal Server Error";
    case status::not_implemented:
        return "Not Implemented";
    case status::service_unavailable:
        return "Service Unavailable";
    case status::http_version_not_supported:
        return "HTTP Version Not Supported";
    }
    return "Unknown";
}

} // namespace rpslab::http
