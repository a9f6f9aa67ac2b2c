#include "tune/inspect.h"

#include "tune/processes.h"
#include "tune/text.h"

#include <algorithm>
#include <stdexcept>

namespace rpslab::tune {

namespace {

void read_nics(host_root& root, const std::string& iface, host_state& state) {
    const interrupt_table interrupts = parse_interrupts(root.read("proc/interrupts").value_or(""));
    interface_names names = list_interfaces(root);
    std::vector<std::string> chosen = names.nics;
    if (!iface.empty()) {
        bool known = std::count(names.nics.begin(), names.nics.end(), iface) +
                         std::count(names.virtual_ifaces.begin(), names.virtual_ifaces.end(), iface) >
                     0;
        if (!known) {
            throw std::invalid_argument("no interface " + iface + " in " + root.path("sys/class/net"));
        }
        chosen = {iface};
    }
    for (const std::string& name : chosen) {
        state.nics.push_back(read_nic(root, name, interrupts));
    }
    for (const std::string& name : names.virtual_ifaces) {
        if (name != iface) {
            state.virtual_ifaces.push_back(name);
        }
    }
}

} // namespace

const nic_state* host_state::find_nic(const std::string& name) const {
    for (const nic_state& n : nics) {
        if (n.name == name) {
            return &n;
        }
    }
    return nullptr;
}

host_state inspect_host(host_root& root, const std::string& iface) {
    host_state state;
    state.root = root.root();
    state.live = root.is_system();
    state.topo = read_topology(root);
    read_nics(root, iface, state);
    process_scan irqbalance = find_processes(root, "irqbalance");
    state.irqbalance_pids = irqbalance.pids;
    state.saw_all_processes = irqbalance.saw_all;
    state.sysctls = read_sysctls(root);
    state.rps_sock_flow_entries_raw = root.read(sysctl_path("net.core.rps_sock_flow_entries"));
    state.rps_sock_flow_entries = parse_uint(state.rps_sock_flow_entries_raw.value_or(""));
    state.obsolete = find_obsolete_settings(root);
    state.open_files = parse_open_files_limit(root.read("proc/self/limits").value_or(""));
    state.unreadable = root.failures();
    return state;
}

} // namespace rpslab::tune
