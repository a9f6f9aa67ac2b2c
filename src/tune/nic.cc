#include "tune/nic.h"

#include "tune/text.h"

#include <algorithm>
#include <stdexcept>

namespace rpslab::tune {

namespace {

// "rx-10" after "rx-9".
bool queue_order(const std::string& a, const std::string& b) {
    auto number = [](const std::string& q) {
        return parse_int(q.substr(q.find('-') + 1)).value_or(0);
    };
    return number(a) < number(b);
}

std::optional<cpu_set> parse_list_noting(host_root& root, const std::string& rel, const std::string& text,
                                         cpu_set (*parse)(std::string_view)) {
    try {
        return parse(text);
    } catch (const std::invalid_argument& e) {
        root.remember_unparseable(rel, e.what());
        return std::nullopt;
    }
}

rx_queue_state read_rx_queue(host_root& root, const std::string& dir, const std::string& name) {
    rx_queue_state q;
    q.name = name;
    const std::string rps = dir + name + "/rps_cpus";
    q.rps_raw = root.read_if_present(rps);
    if (q.rps_raw) {
        q.rps_cpus = parse_list_noting(root, rps, *q.rps_raw, parse_cpu_mask);
    }
    q.rfs_raw = root.read_if_present(dir + name + "/rps_flow_cnt");
    if (q.rfs_raw) {
        q.rfs_cnt = parse_uint(*q.rfs_raw);
    }
    return q;
}

void read_queues(host_root& root, nic_state& nic) {
    const std::string dir = "sys/class/net/" + nic.name + "/queues/";
    auto names = root.list(dir).value_or(std::vector<std::string>{});
    std::sort(names.begin(), names.end(), queue_order);
    for (const std::string& q : names) {
        if (q.rfind("rx-", 0) == 0) {
            nic.rx.push_back(read_rx_queue(root, dir, q));
        } else if (q.rfind("tx-", 0) == 0) {
            ++nic.tx_queues;
        }
    }
}

std::vector<int> numbers(const std::vector<std::string>& names) {
    std::vector<int> out;
    for (const std::string& n : names) {
        if (auto v = parse_int(n)) {
            out.push_back(static_cast<int>(*v));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<int> irqs_named_after(const std::string& iface, const interrupt_table& interrupts) {
    std::vector<int> out;
    for (const interrupt_row& row : interrupts.rows) {
        std::string_view name = row.name();
        auto irq = parse_int(row.irq);
        if (irq && (name == iface || name.rfind(iface + "-", 0) == 0)) {
            out.push_back(static_cast<int>(*irq));
        }
    }
    return out;
}

std::vector<int> find_irqs(host_root& root, nic_state& nic, const interrupt_table& interrupts) {
    const std::string dev = "sys/class/net/" + nic.name + "/device/";
    for (const char* where : {"msi_irqs", "../msi_irqs"}) {
        auto listed = root.list_if_present(dev + where);
        if (listed && !listed->empty()) {
            nic.irq_source = root.path(dev + where);
            return numbers(*listed);
        }
    }
    if (auto legacy = parse_int(root.read_if_present(dev + "irq").value_or("")); legacy && *legacy > 0) {
        nic.irq_source = root.path(dev + "irq");
        return {static_cast<int>(*legacy)};
    }
    std::vector<int> named = irqs_named_after(nic.name, interrupts);
    nic.irq_source = named.empty()
                         ? "none found (no msi_irqs, no device/irq, no /proc/interrupts row named " + nic.name + "-*)"
                         : "the /proc/interrupts rows named " + nic.name + "-*";
    return named;
}

nic_irq read_irq(host_root& root, int irq, const interrupt_table& interrupts) {
    nic_irq out;
    out.irq = irq;
    const std::string dir = "proc/irq/" + std::to_string(irq) + "/";
    out.affinity_raw = root.read(dir + "smp_affinity_list");
    if (out.affinity_raw) {
        out.affinity = parse_list_noting(root, dir + "smp_affinity_list", *out.affinity_raw, parse_cpu_list);
    }
    if (auto eff = root.read_if_present(dir + "effective_affinity_list")) {
        out.effective = parse_list_noting(root, dir + "effective_affinity_list", *eff, parse_cpu_list);
    }
    if (const interrupt_row* row = interrupts.find(std::to_string(irq))) {
        out.name = std::string(row->name());
        for (int cpu : interrupts.cpus) {
            if (auto n = interrupts.count_on(*row, cpu); n > 0) {
                out.handled[cpu] = n;
            }
        }
    }
    return out;
}

void read_device(host_root& root, nic_state& nic) {
    const std::string base = "sys/class/net/" + nic.name + "/";
    if (auto speed = parse_int(root.read(base + "speed").value_or("")); speed && *speed > 0) {
        nic.speed_mbps = *speed;
    }
    for (const char* where : {"device/numa_node", "device/../numa_node"}) {
        if (auto node = parse_int(root.read_if_present(base + where).value_or(""))) {
            nic.numa_node = static_cast<int>(*node);
            break;
        }
    }
    nic.napi_defer_hard_irqs = parse_int(root.read_if_present(base + "napi_defer_hard_irqs").value_or(""));
    nic.gro_flush_timeout_ns = parse_int(root.read_if_present(base + "gro_flush_timeout").value_or(""));
}

void read_channel_counts(host_root& root, nic_state& nic) {
    if (!root.is_system()) {
        nic.channels_note = "not asked: the ethtool ioctl needs the live kernel (root /)";
        return;
    }
    channels_result r = read_channels(nic.name);
    nic.channels = r.counts;
    nic.channels_note = r.error;
}

} // namespace

interface_names list_interfaces(host_root& root) {
    interface_names out;
    for (const std::string& name : root.list("sys/class/net").value_or(std::vector<std::string>{})) {
        bool has_device = root.list_if_present("sys/class/net/" + name + "/device").has_value();
        (has_device ? out.nics : out.virtual_ifaces).push_back(name);
    }
    return out;
}

nic_state read_nic(host_root& root, const std::string& name, const interrupt_table& interrupts) {
    nic_state nic;
    nic.name = name;
    read_queues(root, nic);
    read_device(root, nic);
    for (int irq : find_irqs(root, nic, interrupts)) {
        nic.irqs.push_back(read_irq(root, irq, interrupts));
    }
    read_channel_counts(root, nic);
    return nic;
}

} // namespace rpslab::tune
