// The /work figures printed when the server stops, so the bounded pool and the naive
// control are compared on the same counts and the same latencies, measured where the jobs
// ran.
#pragma once

#include "pool/figures.h"
#include "server/config.h"

#include <string>

namespace rpslab::server {

// Prints `workers` (the workers' own figures, merged) to stderr, with the naive runner's
// added in naive mode (waiting up to the grace period for its jobs to end). Prints nothing
// when no /work request came. `who` names the process: "" or "worker 3 ".
void print_work_summary(const serve_config& config, pool::figures workers, const std::string& who);

} // namespace rpslab::server
