// The life of one worker process in processes mode, after fork: pin, build the worker,
// serve, and talk to the supervisor over the control channel. Never returns.
#pragma once

#include "app/workloads.h"
#include "core/fd.h"
#include "server/config.h"
#include "server/worker.h"

#include <cstddef>
#include <span>

namespace rpslab::server {

// `all` holds every slot's counters (shared memory); the worker writes all[slot] only.
[[noreturn]] void run_worker_process(const serve_config& config, const app::dataset& data, std::size_t slot,
                                     int listen_fd, core::unique_fd control, std::span<worker_counters> all,
                                     bool crash_at_start);

} // namespace rpslab::server
