// The supervisor of threads mode: owns the listeners for the whole run (one SO_REUSEPORT
// socket per worker slot), starts one pinned worker thread per slot, and turns SIGTERM
// or SIGINT into a drain that answers every request already received.
#pragma once

#include "server/config.h"

namespace rpslab::server {

// Serves until SIGTERM/SIGINT and the drain that follows; returns the process exit status
// (0 after a clean drain). Throws std::exception for start-up failures (port in use, bad
// configuration), before anything was served.
int serve_threads(serve_config config);

} // namespace rpslab::server
