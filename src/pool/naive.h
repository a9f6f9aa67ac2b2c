// The control of the overload experiment, as the published naive version did it: every
// /work request starts a new detached thread at once and is answered 202, with no bound
// on how many run. A watchdog stops the process before it takes the machine down.
#pragma once

#include "pool/figures.h"
#include "pool/job.h"

#include <cstdint>
#include <mutex>

namespace rpslab::pool {

class naive_runner {
public:
    // The process's one runner (threads outlive any one worker). The first call fixes the
    // resident-memory cap and starts the watchdog; past the cap the process exits with a
    // message and status 3.
    static naive_runner& instance(std::uint64_t max_rss_bytes);

    // Any thread. Starts the job on a new detached thread; false if no thread could be had.
    bool submit(const job_params& params, std::int64_t arrived_ns);

    // Waits up to `timeout_ms` for the running jobs to end, then returns a copy of the
    // figures (threads: jobs still running).
    figures finish(std::int64_t timeout_ms);

private:
    explicit naive_runner(std::uint64_t max_rss_bytes);
    void run(job_params params, std::int64_t arrived_ns);
    void watch();

    std::uint64_t _max_rss_bytes;
    std::mutex _mutex; // the control pays for its own bookkeeping; the pool has none of this
    figures _figures;
    std::uint64_t _running = 0;
};

// Resident memory of this process now (/proc/self/statm) and at its peak (VmHWM in
// /proc/self/status); 0 if it cannot be read.
std::uint64_t resident_bytes();
std::uint64_t peak_resident_bytes();

} // namespace rpslab::pool
