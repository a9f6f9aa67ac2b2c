// Finding processes by name under a root's /proc, e.g. irqbalance, which rewrites IRQ
// affinities every ten seconds and so silently undoes manual pinning. Not finding one
// proves nothing when other users' processes are hidden (hidepid), so the scan says so.
#pragma once

#include "tune/host_root.h"

#include <string_view>
#include <vector>

namespace rpslab::tune {

struct process_scan {
    std::vector<int> pids; // whose proc/PID/comm is the name, ascending
    // False when some processes could not be looked at: proc/PID/comm refused, or PID 1
    // (which always exists) hidden. The reason is remembered by the root.
    bool saw_all = true;
};

// Processes that exit while being looked at are skipped.
process_scan find_processes(host_root& root, std::string_view comm);

} // namespace rpslab::tune
