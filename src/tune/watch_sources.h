// The counters `tune watch` samples, parsed from their procfs text: per-CPU softirq time
// (/proc/stat), per-CPU softnet counters (/proc/net/softnet_stat) and per-interface packets
// and bytes (/proc/net/dev). Pure functions of the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::tune {

struct cpu_ticks {
    int cpu = 0;
    std::uint64_t softirq = 0; // USER_HZ ticks spent in softirq
    std::uint64_t total = 0;   // all ticks, idle included
};

// The per-CPU "cpuN" lines of /proc/stat (the "cpu" total line is skipped).
std::vector<cpu_ticks> parse_proc_stat(std::string_view text);

struct softnet_counters {
    int cpu = 0;
    std::uint32_t processed = 0; // packets handled by this CPU's backlog and NAPI
    std::uint32_t dropped = 0;   // dropped because the backlog exceeded netdev_max_backlog
    std::uint32_t squeezed = 0;  // times net_rx_action ran out of budget or time with work left
};

// /proc/net/softnet_stat: one line per online CPU, 32-bit hex columns (they wrap). Kernels
// since 5.10 print the CPU number in the 13th column; older ones in line order.
std::vector<softnet_counters> parse_softnet_stat(std::string_view text);

struct iface_counters {
    std::string name;
    std::uint64_t rx_bytes = 0, rx_packets = 0, rx_dropped = 0;
    std::uint64_t tx_bytes = 0, tx_packets = 0;
};

// /proc/net/dev after its two header lines.
std::vector<iface_counters> parse_net_dev(std::string_view text);

} // namespace rpslab::tune
