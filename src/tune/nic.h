// One network interface as sysfs and procfs show it: its receive and transmit queues, the
// RPS/RFS settings of each receive queue, link speed, NUMA node, and its IRQs with where
// each may land (smp_affinity_list) and where each did land (/proc/interrupts).
#pragma once

#include "tune/cpu_set.h"
#include "tune/ethtool_channels.h"
#include "tune/host_root.h"
#include "tune/interrupts.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rpslab::tune {

struct rx_queue_state {
    std::string name;                     // "rx-0"
    std::optional<std::string> rps_raw;   // rps_cpus as read (nullopt: unreadable or absent)
    std::optional<cpu_set> rps_cpus;      // parsed
    std::optional<std::string> rfs_raw;   // rps_flow_cnt as read
    std::optional<std::uint64_t> rfs_cnt; // parsed
};

struct nic_irq {
    int irq = 0;
    std::string name;                        // the handler's name in /proc/interrupts ("" if absent)
    std::optional<std::string> affinity_raw; // smp_affinity_list as read
    std::optional<cpu_set> affinity;         // where it may land
    std::optional<cpu_set> effective;        // effective_affinity_list, where the kernel sends it
    std::map<int, std::uint64_t> handled;    // CPU -> interrupts taken so far (non-zero only)
};

struct nic_state {
    std::string name;
    std::vector<rx_queue_state> rx; // in queue order
    int tx_queues = 0;
    std::optional<std::int64_t> speed_mbps; // nullopt: not reported (-1, or the link is down)
    int numa_node = -1;                     // -1: not reported
    std::string irq_source;                 // where the IRQ numbers came from, for the report
    std::vector<nic_irq> irqs;              // by IRQ number
    std::optional<channel_counts> channels; // only on the real root
    std::string channels_note;              // why channels is empty
    std::optional<std::int64_t> napi_defer_hard_irqs, gro_flush_timeout_ns;
};

// The interfaces under sys/class/net, split into NICs (with a `device`: PCI, virtio...) and
// virtual ones (lo, bridges, ifb, veth).
struct interface_names {
    std::vector<std::string> nics;
    std::vector<std::string> virtual_ifaces;
};
interface_names list_interfaces(host_root& root);

// Reads one interface. IRQs come from device/msi_irqs, or the parent device's msi_irqs
// (virtio NICs hang below their PCI function), or a legacy device/irq, or else the
// /proc/interrupts rows named after the interface ("eth0-TxRx-3").
nic_state read_nic(host_root& root, const std::string& name, const interrupt_table& interrupts);

} // namespace rpslab::tune
