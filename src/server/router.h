// Maps a request to its workload, and answers 404, 405 (with Allow) and 501 itself.
#pragma once

#include "app/workloads.h"
#include "http/request.h"
#include "http/response.h"

#include <string_view>

namespace rpslab::server {

// The response to `req` (whose body, already de-chunked, is `body`). Views in the
// result are valid until the next call with the same context.
http::response route(const http::request& req, std::string_view body, app::workload_context& work);

} // namespace rpslab::server
