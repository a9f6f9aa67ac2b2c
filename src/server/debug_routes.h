// The endpoints of the debug listener: what each request to it is answered, from the
// parsed request, the server's debug target and the listener's state. Called on the
// listener's request threads; a CPU profile or /debug/wait blocks its thread for the
// duration asked.
#pragma once

#include "http/request.h"
#include "http/status.h"
#include "server/debug_target.h"

#include <atomic>
#include <string>

namespace rpslab::server {

struct debug_response {
    http::status status = http::status::ok;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::string headers; // extra header lines, each ending in CRLF
};

// Bounds of ?seconds= (a profile or a wait longer than 5 minutes is a mistake).
inline constexpr std::int64_t max_debug_seconds = 300;

// `collecting` is the listener's one-collection-at-a-time flag (a second profile is
// refused with 409); `cancel` is set when the server stops.
debug_response handle_debug_request(const http::request& req, debug_target& target, std::atomic<bool>& collecting,
                                    const std::atomic<bool>& cancel);

} // namespace rpslab::server
