#include "tune/watch_sources.h"

#include "tune/text.h"

namespace rpslab::tune {

namespace {

// Columns of /proc/net/softnet_stat (net/core/net-procfs.c).
constexpr std::size_t softnet_processed = 0, softnet_dropped = 1, softnet_squeezed = 2, softnet_cpu = 12;
// Fields of a "cpuN" line after the label: user nice system idle iowait irq softirq ...
constexpr std::size_t stat_softirq = 6;

std::uint32_t hex32(std::string_view word) {
    return static_cast<std::uint32_t>(parse_uint(word, 16).value_or(0));
}

} // namespace

std::vector<cpu_ticks> parse_proc_stat(std::string_view text) {
    std::vector<cpu_ticks> out;
    for (std::string_view line : lines(text)) {
        auto w = words(line);
        auto cpu = !w.empty() && w[0].size() > 3 && w[0].starts_with("cpu") ? parse_int(w[0].substr(3)) : std::nullopt;
        if (!cpu || w.size() <= stat_softirq + 1) {
            continue;
        }
        cpu_ticks t;
        t.cpu = static_cast<int>(*cpu);
        for (std::size_t i = 1; i < w.size(); ++i) {
            // guest and guest_nice are already inside user and nice: not counted twice.
            t.total += i <= 8 ? parse_uint(w[i]).value_or(0) : 0;
        }
        t.softirq = parse_uint(w[stat_softirq + 1]).value_or(0);
        out.push_back(t);
    }
    return out;
}

std::vector<softnet_counters> parse_softnet_stat(std::string_view text) {
    std::vector<softnet_counters> out;
    int line_no = 0;
    for (std::string_view line : lines(text)) {
        auto w = words(line);
        if (w.size() <= softnet_squeezed) {
            continue;
        }
        softnet_counters c;
        c.cpu = w.size() > softnet_cpu ? static_cast<int>(hex32(w[softnet_cpu])) : line_no;
        c.processed = hex32(w[softnet_processed]);
        c.dropped = hex32(w[softnet_dropped]);
        c.squeezed = hex32(w[softnet_squeezed]);
        out.push_back(c);
        ++line_no;
    }
    return out;
}

std::vector<iface_counters> parse_net_dev(std::string_view text) {
    std::vector<iface_counters> out;
    for (std::string_view line : lines(text)) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos || line.find('|') != std::string_view::npos) {
            continue;
        }
        auto w = words(line.substr(colon + 1));
        if (w.size() < 10) {
            continue;
        }
        iface_counters c;
        c.name = std::string(trim(line.substr(0, colon)));
        c.rx_bytes = parse_uint(w[0]).value_or(0);
        c.rx_packets = parse_uint(w[1]).value_or(0);
        c.rx_dropped = parse_uint(w[3]).value_or(0);
        c.tx_bytes = parse_uint(w[8]).value_or(0);
        c.tx_packets = parse_uint(w[9]).value_or(0);
        out.push_back(c);
    }
    return out;
}

} // namespace rpslab::tune
