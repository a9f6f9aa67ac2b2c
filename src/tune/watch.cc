#include "tune/watch.h"

#include "tune/interrupts.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ostream>
#include <thread>

namespace rpslab::tune {

namespace {

std::int64_t monotonic_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::map<int, std::uint64_t> interrupts_per_cpu(const interrupt_table& table, const std::vector<int>& irqs) {
    std::map<int, std::uint64_t> per_cpu;
    for (int cpu : table.cpus) {
        per_cpu[cpu] = 0;
    }
    for (int irq : irqs) {
        if (const interrupt_row* row = table.find(std::to_string(irq))) {
            for (int cpu : table.cpus) {
                per_cpu[cpu] += table.count_on(*row, cpu);
            }
        }
    }
    return per_cpu;
}

double delta(std::uint64_t before, std::uint64_t after) {
    return after >= before ? static_cast<double>(after - before) : 0.0;
}

template <typename T, typename Key> const T* find_by(const std::vector<T>& items, Key T::*key, const Key& value) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.*key == value; });
    return it == items.end() ? nullptr : &*it;
}

cpu_rates rates_of_cpu(int cpu, const snapshot& a, const snapshot& b, double seconds) {
    cpu_rates r;
    r.cpu = cpu;
    auto ia = a.nic_interrupts.find(cpu), ib = b.nic_interrupts.find(cpu);
    if (ia != a.nic_interrupts.end() && ib != b.nic_interrupts.end()) {
        r.nic_irqs_per_s = delta(ia->second, ib->second) / seconds;
    }
    const cpu_ticks* ta = find_by(a.ticks, &cpu_ticks::cpu, cpu);
    const cpu_ticks* tb = find_by(b.ticks, &cpu_ticks::cpu, cpu);
    if (ta && tb && tb->total > ta->total) {
        r.softirq_percent = 100.0 * delta(ta->softirq, tb->softirq) / delta(ta->total, tb->total);
    }
    const softnet_counters* sa = find_by(a.softnet, &softnet_counters::cpu, cpu);
    const softnet_counters* sb = find_by(b.softnet, &softnet_counters::cpu, cpu);
    if (sa && sb) {
        // Unsigned 32-bit subtraction: right across one wrap of the kernel's counter.
        r.processed_per_s = static_cast<std::uint32_t>(sb->processed - sa->processed) / seconds;
        r.dropped_per_s = static_cast<std::uint32_t>(sb->dropped - sa->dropped) / seconds;
        r.squeezed_per_s = static_cast<std::uint32_t>(sb->squeezed - sa->squeezed) / seconds;
    }
    return r;
}

std::vector<int> cpus_in_both(const snapshot& a, const snapshot& b) {
    std::vector<int> seen;
    auto add = [&](int cpu) {
        if (std::find(seen.begin(), seen.end(), cpu) == seen.end()) {
            seen.push_back(cpu);
        }
    };
    for (const auto& [cpu, n] : b.nic_interrupts) {
        if (a.nic_interrupts.count(cpu) != 0) {
            add(cpu);
        }
    }
    for (const cpu_ticks& t : b.ticks) {
        if (find_by(a.ticks, &cpu_ticks::cpu, t.cpu)) {
            add(t.cpu);
        }
    }
    for (const softnet_counters& s : b.softnet) {
        if (find_by(a.softnet, &softnet_counters::cpu, s.cpu)) {
            add(s.cpu);
        }
    }
    std::sort(seen.begin(), seen.end());
    return seen;
}

} // namespace

snapshot take_snapshot(host_root& root, const std::vector<int>& irqs, const std::vector<std::string>& ifaces,
                       std::int64_t time_ns) {
    snapshot s;
    s.time_ns = time_ns;
    s.nic_interrupts = interrupts_per_cpu(parse_interrupts(root.read("proc/interrupts").value_or("")), irqs);
    s.ticks = parse_proc_stat(root.read("proc/stat").value_or(""));
    s.softnet = parse_softnet_stat(root.read("proc/net/softnet_stat").value_or(""));
    for (iface_counters& c : parse_net_dev(root.read("proc/net/dev").value_or(""))) {
        if (ifaces.empty() || std::find(ifaces.begin(), ifaces.end(), c.name) != ifaces.end()) {
            s.ifaces.push_back(std::move(c));
        }
    }
    return s;
}

interval_rates compute_rates(const snapshot& a, const snapshot& b) {
    interval_rates r;
    r.seconds = static_cast<double>(b.time_ns - a.time_ns) / 1e9;
    if (r.seconds <= 0) {
        return r;
    }
    for (int cpu : cpus_in_both(a, b)) {
        r.cpus.push_back(rates_of_cpu(cpu, a, b, r.seconds));
    }
    for (const iface_counters& ib : b.ifaces) {
        const iface_counters* ia = find_by(a.ifaces, &iface_counters::name, ib.name);
        if (!ia) {
            continue;
        }
        r.ifaces.push_back(
            {ib.name, delta(ia->rx_packets, ib.rx_packets) / r.seconds, delta(ia->rx_bytes, ib.rx_bytes) / r.seconds,
             delta(ia->rx_dropped, ib.rx_dropped) / r.seconds, delta(ia->tx_packets, ib.tx_packets) / r.seconds,
             delta(ia->tx_bytes, ib.tx_bytes) / r.seconds});
    }
    return r;
}

void run_watch(host_root& root, const watch_options& o, std::ostream& out) {
    if (!o.json) {
        std::string irqs;
        for (int irq : o.irqs) {
            irqs += (irqs.empty() ? "" : ",") + std::to_string(irq);
        }
        out << "# nic-irq/s counts IRQs " << (irqs.empty() ? "(none found)" : irqs)
            << "; softirq% of each CPU's time\n";
    }
    const std::int64_t start = monotonic_ns();
    snapshot before = take_snapshot(root, o.irqs, o.ifaces, start);
    for (std::int64_t elapsed_ms = 0; o.duration_ms == 0 || elapsed_ms < o.duration_ms;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
        snapshot after = take_snapshot(root, o.irqs, o.ifaces, monotonic_ns());
        const double at_s = static_cast<double>(after.time_ns - start) / 1e9;
        interval_rates rates = compute_rates(before, after);
        out << (o.json ? rates_json(rates, at_s).dump() + "\n" : format_rates(rates, at_s)) << std::flush;
        before = std::move(after);
        elapsed_ms += o.interval_ms;
    }
}

} // namespace rpslab::tune
