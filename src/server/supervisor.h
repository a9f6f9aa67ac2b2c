// The supervisor of processes mode (prefork): creates one SO_REUSEPORT listener per worker
// slot before forking and keeps them all open for its whole life, so a dead worker's
// queued connections wait for its replacement instead of being reset. It restarts dead
// workers with a bounded backoff, hands a crash-looping slot's listener to a surviving
// worker until the slot serves again, and drains every worker on SIGTERM/SIGINT.
#pragma once

#include "server/config.h"

namespace rpslab::server {

// Serves until SIGTERM/SIGINT and the drain that follows; returns the exit status (0 after
// a clean drain). Throws std::exception for start-up failures, before any fork.
int serve_processes(serve_config config);

} // namespace rpslab::server
