// Everything `tune check` and `tune plan` need to know about a host, read once from its
// sysfs and procfs under a root. Reading never fails: what cannot be read is listed in
// `unreadable` with its path and reason, and the fields it would have filled stay empty.
#pragma once

#include "tune/host_root.h"
#include "tune/limits.h"
#include "tune/nic.h"
#include "tune/sysctl.h"
#include "tune/topology.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rpslab::tune {

struct host_state {
    std::string root;  // as given
    bool live = false; // root is "/"
    topology topo;
    std::vector<nic_state> nics;             // the NICs, or only the one named by --iface
    std::vector<std::string> virtual_ifaces; // left out (lo, ifb, bridges...)
    std::vector<int> irqbalance_pids;
    bool saw_all_processes = true;                             // false: irqbalance may run unseen
    std::map<std::string, std::optional<std::string>> sysctls; // key -> value as read
    std::optional<std::string> rps_sock_flow_entries_raw;
    std::optional<std::uint64_t> rps_sock_flow_entries;
    std::vector<obsolete_setting> obsolete;
    std::optional<open_files_limit> open_files;
    std::vector<read_failure> unreadable;

    // The NIC named `name`, or nullptr.
    const nic_state* find_nic(const std::string& name) const;
};

// Inspects the host under `root`. With a non-empty `iface`, only that interface is read
// (it may be virtual); throws std::invalid_argument when it does not exist.
host_state inspect_host(host_root& root, const std::string& iface);

} // namespace rpslab::tune
