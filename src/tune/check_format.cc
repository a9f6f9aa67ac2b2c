#include "tune/check_format.h"

#include "tune/text.h"

#include <array>
#include <limits>

namespace rpslab::tune {

namespace {

using nlohmann::json;

// Lines stay within a terminal's width; continuation lines line up under the first.
constexpr std::size_t report_width = 110;

std::string format_finding(const finding& f) {
    std::string tag = "[" + std::string(verdict_name(f.level)) + "]";
    tag.resize(10, ' ');
    if (f.level == verdict::ok) {
        return tag + f.topic + ": " + wrap(f.observed, 10, report_width) + "\n";
    }
    std::string out = tag + f.topic + "\n";
    auto field = [&](const char* name, const std::string& value) {
        if (!value.empty()) {
            out += std::string(10, ' ') + name + wrap(value, 20, report_width) + "\n";
        }
    };
    field("observed: ", f.observed);
    field("expected: ", f.expected);
    field("why:      ", f.why);
    field("fix:      ", f.fix);
    return out;
}

std::string summary_line(const std::vector<finding>& findings) {
    std::array<int, 4> counts{};
    for (const finding& f : findings) {
        ++counts[static_cast<std::size_t>(f.level)];
    }
    return std::to_string(counts[0]) + " ok, " + std::to_string(counts[1]) + " warn, " + std::to_string(counts[2]) +
           " info, " + std::to_string(counts[3]) + " unknown";
}

json limit_json(std::uint64_t v) {
    return v == std::numeric_limits<std::uint64_t>::max() ? json("unlimited") : json(v);
}

json opt_json(const auto& v) {
    return v ? json(*v) : json(nullptr);
}

json irq_json(const nic_irq& irq) {
    json handled = json::object();
    for (const auto& [cpu, n] : irq.handled) {
        handled[std::to_string(cpu)] = n;
    }
    return {{"irq", irq.irq},
            {"name", irq.name},
            {"affinity", irq.affinity ? json(format_cpu_list(*irq.affinity)) : json(nullptr)},
            {"effective", irq.effective ? json(format_cpu_list(*irq.effective)) : json(nullptr)},
            {"handled", handled}};
}

json nic_json(const nic_state& nic) {
    json rx = json::array();
    for (const rx_queue_state& q : nic.rx) {
        rx.push_back({{"name", q.name},
                      {"rps_cpus", q.rps_raw ? json(std::string(trim(*q.rps_raw))) : json(nullptr)},
                      {"rps_flow_cnt", opt_json(q.rfs_cnt)}});
    }
    json irqs = json::array();
    for (const nic_irq& irq : nic.irqs) {
        irqs.push_back(irq_json(irq));
    }
    json channels = nic.channels ? json{{"combined", nic.channels->combined},
                                        {"max_combined", nic.channels->max_combined},
                                        {"rx", nic.channels->rx},
                                        {"max_rx", nic.channels->max_rx},
                                        {"tx", nic.channels->tx},
                                        {"max_tx", nic.channels->max_tx}}
                                 : json(nullptr);
    return {{"name", nic.name},
            {"rx_queues", rx},
            {"tx_queues", nic.tx_queues},
            {"speed_mbps", opt_json(nic.speed_mbps)},
            {"numa_node", nic.numa_node},
            {"irq_source", nic.irq_source},
            {"irqs", irqs},
            {"channels", channels},
            {"channels_note", nic.channels_note}};
}

json topology_json(const topology& t) {
    json nodes = json::object(), governors = json::object();
    for (const auto& [node, cpus] : t.nodes) {
        nodes[std::to_string(node)] = format_cpu_list(cpus);
    }
    for (const auto& [name, cpus] : t.governors) {
        governors[name] = format_cpu_list(cpus);
    }
    return {{"online", format_cpu_list(t.online)},      {"count", t.online.size()}, {"mask_width", t.mask_width},
            {"threads_per_core", t.threads_per_core()}, {"nodes", nodes},           {"governors", governors}};
}

} // namespace

std::string format_check(const host_state& host, const std::vector<finding>& findings) {
    std::string out = "rpslab tune check (root " + host.root + ")\n";
    if (!host.virtual_ifaces.empty()) {
        std::string names;
        for (const std::string& n : host.virtual_ifaces) {
            names += " " + n;
        }
        out += "virtual interfaces, not checked:" + names + "\n";
    }
    out += "\n";
    for (const finding& f : findings) {
        out += format_finding(f);
    }
    out += "\ncould not read: " +
           (host.unreadable.empty() ? std::string("nothing") : std::to_string(host.unreadable.size()) + " files") +
           "\n";
    for (const read_failure& r : host.unreadable) {
        out += "  " + r.path + ": " + r.reason() + "\n";
    }
    return out + "\n" + summary_line(findings) + "\n";
}

json check_json(const host_state& host, const std::vector<finding>& findings) {
    json nics = json::array(), list = json::array(), unreadable = json::array();
    for (const nic_state& nic : host.nics) {
        nics.push_back(nic_json(nic));
    }
    for (const finding& f : findings) {
        list.push_back({{"topic", f.topic},
                        {"verdict", verdict_name(f.level)},
                        {"observed", f.observed},
                        {"expected", f.expected},
                        {"why", f.why},
                        {"fix", f.fix}});
    }
    for (const read_failure& r : host.unreadable) {
        unreadable.push_back({{"path", r.path}, {"reason", r.reason()}, {"errno", r.error}});
    }
    json sysctls = json::object();
    for (const auto& [key, value] : host.sysctls) {
        sysctls[key] = value ? json(std::string(trim(*value))) : json(nullptr);
    }
    json open_files =
        host.open_files ? json{{"soft", limit_json(host.open_files->soft)}, {"hard", limit_json(host.open_files->hard)}}
                        : json(nullptr);
    return {{"root", host.root},
            {"live", host.live},
            {"cpus", topology_json(host.topo)},
            {"nics", nics},
            {"virtual_ifaces", host.virtual_ifaces},
            {"irqbalance_pids", host.irqbalance_pids},
            {"saw_all_processes", host.saw_all_processes},
            {"sysctls", sysctls},
            {"rps_sock_flow_entries", opt_json(host.rps_sock_flow_entries)},
            {"open_files", open_files},
            {"findings", list},
            {"unreadable", unreadable},
            {"summary", summary_line(findings)}};
}

} // namespace rpslab::tune
