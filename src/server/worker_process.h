// The life of one worker process in processes mode, after fork: pin, build the worker,
// serve, and talk to the supervisor over the control channel. Never returns.
#pragma once

#include "app/workloads.h"
#include "core/fd.h"
#include "server/config.h"
#include "server/worker.h"

#include <cstddef>

namespace rpslab::server {

[[noreturn]] void run_worker_process(const serve_config& config, const app::dataset& data, std::size_t slot,
                                     int listen_fd, core::unique_fd control, worker_counters& counters,
                                     bool crash_at_start);

} // namespace rpslab::server
