// A worker process's side of the debug listener (processes mode): the supervisor relays
// CPU-profile and heap-sample requests over the control channel with a file to write
// into; the worker starts its profiler, stops it when a timer fires, and answers
// debug_done. It all runs on the worker's event loop: the profile is of the worker itself.
#pragma once

#include "core/event_loop.h"
#include "core/fd.h"

#include <cstddef>
#include <cstdint>

namespace rpslab::server {

class worker_debug final : public core::event_handler {
public:
    // `control_fd` (the worker's end of the control channel) must outlive this object.
    // Throws sys_error when the timer cannot be made.
    worker_debug(core::event_loop& loop, int control_fd, std::size_t slot);
    // A profile still running is stopped, so that its file is complete.
    ~worker_debug();
    worker_debug(const worker_debug&) = delete;
    worker_debug& operator=(const worker_debug&) = delete;

    // Starts a CPU profile of this process into `file` for `duration_ms`; debug_done
    // follows when it ends (at once, failed, if it cannot start).
    void start_profile(core::unique_fd file, std::int64_t duration_ms, std::uint32_t seq);
    // Writes a heap sample into `file` and answers debug_done.
    void write_heap_sample(core::unique_fd file, std::uint32_t seq);

    void on_events(std::uint32_t events) override; // the profile's timer fired

private:
    void finish(std::uint32_t seq, bool ok);

    core::event_loop& _loop;
    int _control_fd;
    std::size_t _slot;
    core::unique_fd _timer;
    bool _profiling = false;
    std::uint32_t _profile_seq = 0;
};

} // namespace rpslab::server
