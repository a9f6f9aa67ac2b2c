// `tune watch`: during a run, per interval, the interrupts each CPU took for the NIC's IRQs,
// each CPU's softirq time, softnet drops and time squeezes, and packets and bytes per second
// per interface. A snapshot is a read of the counters; rates come from two snapshots by a
// pure function, so `rpslab bench` can sample around its runs the same way.
#pragma once

#include "tune/host_root.h"
#include "tune/watch_sources.h"

#include <cstdint>
#include <iosfwd>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rpslab::tune {

struct snapshot {
    std::int64_t time_ns = 0;                    // monotonic
    std::map<int, std::uint64_t> nic_interrupts; // CPU -> interrupts of the watched IRQs so far
    std::vector<cpu_ticks> ticks;
    std::vector<softnet_counters> softnet;
    std::vector<iface_counters> ifaces;
};

// Reads the counters under `root`; `irqs` are the watched IRQ numbers, `ifaces` the
// interfaces to report (empty: all). Unreadable sources leave their part empty.
snapshot take_snapshot(host_root& root, const std::vector<int>& irqs, const std::vector<std::string>& ifaces,
                       std::int64_t time_ns);

struct cpu_rates {
    int cpu = 0;
    double nic_irqs_per_s = 0;
    double softirq_percent = 0; // of this CPU's time in the interval
    double processed_per_s = 0;
    double dropped_per_s = 0;
    double squeezed_per_s = 0;
};

struct iface_rates {
    std::string name;
    double rx_packets_per_s = 0, rx_bytes_per_s = 0, rx_dropped_per_s = 0;
    double tx_packets_per_s = 0, tx_bytes_per_s = 0;
};

struct interval_rates {
    double seconds = 0;
    std::vector<cpu_rates> cpus;     // every CPU seen in both snapshots, by number
    std::vector<iface_rates> ifaces; // every interface in both snapshots
};

// Rates between two snapshots. Counters that went backwards (an interface recreated) count
// as 0; softnet's 32-bit counters are taken modulo 2^32, as they wrap.
interval_rates compute_rates(const snapshot& before, const snapshot& after);

// One interval as a table, and as one JSON object (a line of `tune watch --json`).
std::string format_rates(const interval_rates& r, double at_s);
nlohmann::json rates_json(const interval_rates& r, double at_s);

struct watch_options {
    std::vector<int> irqs{};
    std::vector<std::string> ifaces{};
    std::int64_t interval_ms = 1000;
    std::int64_t duration_ms = 0; // 0: until interrupted
    bool json = false;
};

// Samples every interval and writes each interval's rates to `out` (flushed), until the
// duration has passed.
void run_watch(host_root& root, const watch_options& options, std::ostream& out);

} // namespace rpslab::tune
