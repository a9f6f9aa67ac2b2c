#include "tune/plan.h"

#include "tune/plan_layout.h"
#include "tune/text.h"

#include <algorithm>
#include <stdexcept>

namespace rpslab::tune {

namespace {

// The kernel refuses larger rps_sock_flow_entries (net/core/sysctl_net_core.c), and rounds
// what it accepts up to a power of two.
constexpr std::uint64_t max_rfs_entries = std::uint64_t{1} << 29;

std::uint64_t round_up_pow2(std::uint64_t n) {
    std::uint64_t p = 1;
    while (p < n) {
        p <<= 1;
    }
    return n == 0 ? 0 : p;
}

// Documentation/networking/scaling.rst: rps_flow_cnt = rps_sock_flow_entries / queues. The
// kernel rounds it up to a power of two, so the plan does too and verification agrees.
std::uint64_t rfs_per_queue(std::uint64_t entries, std::size_t queues) {
    queues = std::max<std::size_t>(queues, 1);
    return round_up_pow2((entries + queues - 1) / queues);
}

const nic_state& pick_nic(const host_state& host, const std::string& iface) {
    if (!iface.empty()) {
        if (const nic_state* nic = host.find_nic(iface)) {
            return *nic;
        }
        throw std::invalid_argument("tune plan: no interface " + iface);
    }
    if (host.nics.size() == 1) {
        return host.nics.front();
    }
    if (host.nics.empty()) {
        throw std::invalid_argument("tune plan: no NIC found under " + host.root +
                                    " (only virtual interfaces); name one with --iface");
    }
    std::string names;
    for (const nic_state& n : host.nics) {
        names += (names.empty() ? "" : ", ") + n.name;
    }
    throw std::invalid_argument("tune plan: several NICs (" + names + "); choose one with --iface");
}

// Adds a write unless the host already has the value; a target that could not be read is
// left out with a note, since apply could not save it for revert.
class plan_builder {
public:
    explicit plan_builder(tuning_plan& plan) : _plan(plan) {}

    void set(const std::string& rel, const std::optional<std::string>& before, std::string value, value_kind kind,
             std::string why) {
        if (!before) {
            _plan.notes.push_back("not planned, unreadable: " + join_root(_plan.root, rel) + " (" + why + ")");
        } else if (!same_value(kind, *before, value)) {
            _plan.writes.push_back({rel, std::move(value), std::string(trim(*before)), kind, std::move(why)});
        }
    }

private:
    tuning_plan& _plan;
};

void plan_governors(const host_state& host, plan_builder& b) {
    for (const auto& [governor, cpus] : host.topo.governors) {
        for (int cpu : cpus) {
            b.set("sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpufreq/scaling_governor", governor,
                  "performance", value_kind::words, "cpu" + std::to_string(cpu) + " governor");
        }
    }
}

void plan_sysctls(const host_state& host, plan_builder& b) {
    for (const sysctl_target& t : sysctl_targets()) {
        auto it = host.sysctls.find(std::string(t.key));
        if (t.how == want::advisory || it == host.sysctls.end() || (it->second && satisfies(t, *it->second))) {
            continue;
        }
        value_kind kind = t.how == want::range_covers ? value_kind::words : value_kind::number;
        b.set(sysctl_path(t.key), it->second, std::string(t.target), kind, std::string(t.key));
    }
}

void plan_queues(const host_state& host, const nic_state& nic, tuning_plan& plan, plan_builder& b) {
    const cpu_set rps_cpus = plan.rps == rps_mode::all       ? host.topo.online
                             : plan.rps == rps_mode::workers ? plan.worker_cpus
                                                             : cpu_set{};
    const std::string mask = format_cpu_mask(rps_cpus, host.topo.mask_width);
    const std::string dir = "sys/class/net/" + nic.name + "/queues/";
    if (plan.rfs_entries) {
        b.set(sysctl_path("net.core.rps_sock_flow_entries"), host.rps_sock_flow_entries_raw,
              std::to_string(*plan.rfs_entries), value_kind::number, "RFS: flows in the global table");
    }
    const std::uint64_t per_queue = plan.rfs_entries ? rfs_per_queue(*plan.rfs_entries, nic.rx.size()) : 0;
    for (const rx_queue_state& q : nic.rx) {
        b.set(dir + q.name + "/rps_cpus", q.rps_raw, mask, value_kind::cpu_mask,
              "RPS " + std::string(rps_mode_name(plan.rps)) + " on " + nic.name + " " + q.name);
        if (plan.rfs_entries) {
            b.set(dir + q.name + "/rps_flow_cnt", q.rfs_raw, std::to_string(per_queue), value_kind::number,
                  "RFS: flows of " + nic.name + " " + q.name);
        }
    }
}

void plan_irqs(const nic_state& nic, tuning_plan& plan, plan_builder& b) {
    if (nic.irqs.empty()) {
        plan.notes.push_back("no IRQs found for " + nic.name + " (" + nic.irq_source + "): IRQ pinning left out");
        return;
    }
    for (std::size_t i = 0; i < nic.irqs.size(); ++i) {
        const nic_irq& irq = nic.irqs[i];
        const int cpu = plan.irq_cpus[i % plan.irq_cpus.size()];
        b.set("proc/irq/" + std::to_string(irq.irq) + "/smp_affinity_list", irq.affinity_raw, std::to_string(cpu),
              value_kind::cpu_list,
              nic.name + " IRQ " + std::to_string(irq.irq) + (irq.name.empty() ? "" : " (" + irq.name + ")") +
                  " -> CPU " + std::to_string(cpu));
    }
}

void add_host_notes(const host_state& host, const nic_state& nic, tuning_plan& plan) {
    if (nic.channels && nic.channels->max_combined > nic.channels->combined) {
        plan.notes.push_back("ethtool -L " + nic.name + " combined " + std::to_string(nic.channels->max_combined) +
                             " would give the NIC more queues; it recreates the queues this plan writes, so run it "
                             "first and plan again");
    }
    if (host.open_files && host.open_files->hard < wanted_open_files) {
        plan.notes.push_back("open files: hard limit " + std::to_string(host.open_files->hard) +
                             "; raise it where the server starts (ulimit -Hn " + std::to_string(wanted_open_files) +
                             ", or LimitNOFILE=)");
    }
}

} // namespace

tuning_plan make_plan(const host_state& host, const plan_options& options) {
    const nic_state& nic = pick_nic(host, options.iface);
    if (options.rfs_flows && *options.rfs_flows > max_rfs_entries) {
        throw std::invalid_argument("tune plan: --rfs is at most " + std::to_string(max_rfs_entries) +
                                    " flows (the kernel's limit)");
    }
    cpu_layout layout = choose_layout(host.topo, nic, options);
    tuning_plan plan;
    plan.root = host.root;
    plan.iface = nic.name;
    plan.irq_cpus = layout.irq_cpus;
    plan.worker_cpus = layout.worker_cpus;
    plan.rps = options.rps;
    plan.notes = layout.notes;
    if (options.rfs_flows) {
        plan.rfs_entries = round_up_pow2(*options.rfs_flows);
    }
    plan.irqbalance_pids = host.irqbalance_pids;
    plan_builder b(plan);
    plan_governors(host, b);
    plan_sysctls(host, b);
    plan_queues(host, nic, plan, b);
    plan_irqs(nic, plan, b);
    add_host_notes(host, nic, plan);
    plan.serve_command = "rpslab serve --workers " + std::to_string(plan.worker_cpus.size()) + " --cpus " +
                         format_cpu_list(plan.worker_cpus);
    return plan;
}

bool same_value(value_kind kind, std::string_view a, std::string_view b) {
    try {
        switch (kind) {
        case value_kind::cpu_list:
            return parse_cpu_list(a) == parse_cpu_list(b);
        case value_kind::cpu_mask:
            return parse_cpu_mask(a) == parse_cpu_mask(b);
        case value_kind::number:
            return parse_int(a).has_value() && parse_int(a) == parse_int(b);
        case value_kind::words:
            return words(a) == words(b);
        }
    } catch (const std::invalid_argument&) {
        return false;
    }
    return false;
}

rps_mode parse_rps_mode(std::string_view text) {
    for (rps_mode m : {rps_mode::all, rps_mode::workers, rps_mode::off}) {
        if (text == rps_mode_name(m)) {
            return m;
        }
    }
    throw std::invalid_argument("--rps takes all, workers or off, not '" + std::string(text) + "'");
}

const char* rps_mode_name(rps_mode mode) {
    switch (mode) {
    case rps_mode::all:
        return "all";
    case rps_mode::workers:
        return "workers";
    case rps_mode::off:
        return "off";
    }
    return "off";
}

const char* value_kind_name(value_kind kind) {
    switch (kind) {
    case value_kind::cpu_list:
        return "cpu_list";
    case value_kind::cpu_mask:
        return "cpu_mask";
    case value_kind::number:
        return "number";
    case value_kind::words:
        return "words";
    }
    return "words";
}

value_kind parse_value_kind(std::string_view text) {
    for (value_kind k : {value_kind::cpu_list, value_kind::cpu_mask, value_kind::number, value_kind::words}) {
        if (text == value_kind_name(k)) {
            return k;
        }
    }
    throw std::invalid_argument("unknown value kind '" + std::string(text) + "'");
}

} // namespace rpslab::tune
