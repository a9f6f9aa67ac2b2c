// How `tune watch` prints an interval: a table for people, one JSON object per line for tools.
#include "tune/watch.h"

#include <cstdio>

namespace rpslab::tune {

namespace {

template <typename... Args> std::string printf_string(const char* format, Args... args) {
    char line[256];
    std::snprintf(line, sizeof line, format, args...);
    return line;
}

} // namespace

std::string format_rates(const interval_rates& r, double at_s) {
    std::string out = printf_string("--- at %.2f s (interval %.2f s)\n", at_s, r.seconds);
    out += printf_string("%5s %12s %9s %12s %10s %11s\n", "cpu", "nic-irq/s", "softirq%", "softnet/s", "dropped/s",
                         "squeezed/s");
    for (const cpu_rates& c : r.cpus) {
        out += printf_string("%5d %12.0f %9.1f %12.0f %10.0f %11.0f\n", c.cpu, c.nic_irqs_per_s, c.softirq_percent,
                             c.processed_per_s, c.dropped_per_s, c.squeezed_per_s);
    }
    out += printf_string("%-12s %12s %10s %12s %10s %10s\n", "iface", "rx-pkt/s", "rx-MB/s", "tx-pkt/s", "tx-MB/s",
                         "rx-drop/s");
    for (const iface_rates& i : r.ifaces) {
        out += printf_string("%-12s %12.0f %10.2f %12.0f %10.2f %10.0f\n", i.name.c_str(), i.rx_packets_per_s,
                             i.rx_bytes_per_s / 1e6, i.tx_packets_per_s, i.tx_bytes_per_s / 1e6, i.rx_dropped_per_s);
    }
    return out;
}

nlohmann::json rates_json(const interval_rates& r, double at_s) {
    nlohmann::json cpus = nlohmann::json::array();
    for (const cpu_rates& c : r.cpus) {
        cpus.push_back({{"cpu", c.cpu},
                        {"nic_irqs_per_s", c.nic_irqs_per_s},
                        {"softirq_percent", c.softirq_percent},
                        {"softnet_processed_per_s", c.processed_per_s},
                        {"softnet_dropped_per_s", c.dropped_per_s},
                        {"softnet_squeezed_per_s", c.squeezed_per_s}});
    }
    nlohmann::json ifaces = nlohmann::json::array();
    for (const iface_rates& i : r.ifaces) {
        ifaces.push_back({{"name", i.name},
                          {"rx_packets_per_s", i.rx_packets_per_s},
                          {"rx_bytes_per_s", i.rx_bytes_per_s},
                          {"rx_dropped_per_s", i.rx_dropped_per_s},
                          {"tx_packets_per_s", i.tx_packets_per_s},
                          {"tx_bytes_per_s", i.tx_bytes_per_s}});
    }
    return {{"at_s", at_s}, {"interval_s", r.seconds}, {"cpus", cpus}, {"ifaces", ifaces}};
}

} // namespace rpslab::tune
