// Maps a request to its workload, and answers 404, 405 (with Allow) and 501 itself.
#pragma once

#include "app/workloads.h"
#include "http/request.h"
#include "http/response.h"
#include "metrics/worker_metrics.h"

#include <string_view>

namespace rpslab::server {

// The response to `req` (whose body, already de-chunked, is `body`), whose path the caller
// classified once with metrics::path_of (it counts the request under the same path).
// Views in the result are valid until the next call with the same context.
http::response route(const http::request& req, metrics::path path, std::string_view body, app::workload_context& work);

} // namespace rpslab::server
