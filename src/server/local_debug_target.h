// Threads mode's debug target: the workers are threads of this process, so the profiler
// runs here directly, filtered to one worker's event-loop thread when one is asked for.
#pragma once

#include "server/debug_target.h"

namespace rpslab::server {

class local_debug_target final : public debug_target {
public:
    explicit local_debug_target(std::span<const worker_counters> slots) : _slots(slots) {}
    std::span<const worker_counters> slots() const override { return _slots; }
    collected collect(const collect_request& req, const std::atomic<bool>& cancel) override;

private:
    collected cpu_profile(const collect_request& req, const std::atomic<bool>& cancel);

    std::span<const worker_counters> _slots;
};

} // namespace rpslab::server
