// What the debug listener needs from the server it serves: every worker slot's metrics
// (for /debug/wait) and a way to collect profiles from the workers. Threads mode does it
// in-process (local_debug_target); processes mode through the supervisor (debug_relay).
#pragma once

#include "server/worker.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace rpslab::server {

struct collect_request {
    enum class kind : std::uint8_t { cpu_profile, heap_sample };
    kind what = kind::cpu_profile;
    std::optional<std::size_t> worker; // none: every worker
    std::int64_t duration_ms = 0;      // cpu_profile only
};

struct collected {
    std::vector<std::string> profiles; // one per process profiled (threads mode: one)
    std::vector<std::size_t> workers;  // the workers they cover
    std::string skipped;               // workers left out and why (e.g. "1 (not running)")
    std::string error;                 // non-empty: nothing usable was collected
};

class debug_target {
public:
    // Every worker slot's counters, in slot order; readable from any thread.
    virtual std::span<const worker_counters> slots() const = 0;
    // Blocks for the collection (a CPU profile: its duration), on a debug-listener thread;
    // the listener runs one at a time. Returns early, with an error, once `cancel` is set.
    virtual collected collect(const collect_request& req, const std::atomic<bool>& cancel) = 0;

protected:
    ~debug_target() = default;
};

// Sleeps `ms`, in short steps; false when `cancel` was set meanwhile.
bool sleep_unless_cancelled(std::int64_t ms, const std::atomic<bool>& cancel);

} // namespace rpslab::server
