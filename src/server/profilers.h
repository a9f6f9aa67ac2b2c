// The seam to gperftools: its CPU profiler (libprofiler, in every build) and, when built
// with RPSLAB_TCMALLOC, tcmalloc's heap sample. Both are process-wide: one CPU profile at
// a time per process. Plus the unlinked temporary files profiles are written into.
#pragma once

#include "core/fd.h"

#include <string>
#include <sys/types.h>

namespace rpslab::server {

// Starts the CPU profiler writing to `file` (reopened through /proc/self/fd, so the file
// can be unlinked and private). `only_tid` != 0: only that thread's samples are kept.
// False with `error` set when a profile is already running or the file cannot be opened.
bool start_cpu_profile(int file, pid_t only_tid, std::string& error);
// Stops the profiler; the file is complete (trailer and memory map written) on return.
void stop_cpu_profile();

// True when this build can take heap samples (RPSLAB_TCMALLOC).
bool heap_sample_available();
// tcmalloc's sampled live heap in the legacy text format google-pprof reads. False with
// `error` set without tcmalloc, or when sampling is off (TCMALLOC_SAMPLE_PARAMETER unset).
bool heap_sample(std::string& out, std::string& error);

// An unlinked read-write temporary file (nobody else can open it). Throws sys_error.
core::unique_fd make_private_file();
// The whole content of `fd` from offset 0. False when it cannot be read.
bool read_private_file(int fd, std::string& out);

} // namespace rpslab::server
