#include "tune/check_nic.h"

#include "tune/text.h"

#include <algorithm>

namespace rpslab::tune {

namespace {

// One /list answer (DESIGN.md "The workloads"): the payload-bound regime's unit of work.
constexpr double list_answer_bytes = 450e3;

bool rps_off_everywhere(const nic_state& nic) {
    return std::all_of(nic.rx.begin(), nic.rx.end(),
                       [](const rx_queue_state& q) { return q.rps_cpus && q.rps_cpus->empty(); });
}

finding queues_finding(const host_state& h, const nic_state& nic) {
    const std::size_t cpus = h.topo.online.size();
    finding f{nic.name + " queues",
              verdict::ok,
              "",
              "a receive queue per worker, or RPS to spread the rest",
              "each receive queue raises its interrupts, and runs its packet processing, on the CPUs its IRQ "
              "lands on",
              ""};
    f.observed = std::to_string(nic.rx.size()) + " rx, " + std::to_string(nic.tx_queues) + " tx queues for " +
                 std::to_string(cpus) + " CPUs; channels: ";
    if (nic.channels) {
        f.observed += "combined " + std::to_string(nic.channels->combined) + " of max " +
                      std::to_string(nic.channels->max_combined) + ", rx " + std::to_string(nic.channels->rx) +
                      ", tx " + std::to_string(nic.channels->tx);
    } else {
        f.observed += nic.channels_note;
    }
    if (nic.rx.size() < cpus) {
        f.level = verdict::info;
        if (nic.channels && nic.channels->max_combined > nic.channels->combined) {
            auto more = std::min<std::size_t>(nic.channels->max_combined, cpus);
            f.fix = "ethtool -L " + nic.name + " combined " + std::to_string(more);
        }
    }
    return f;
}

finding speed_finding(const nic_state& nic) {
    finding f{nic.name + " speed",
              verdict::info,
              "",
              "",
              "the ceiling in bytes: payload-bound workloads stop here, not at the CPUs",
              ""};
    if (!nic.speed_mbps) {
        f.observed = "not reported by the driver (or the link is down)";
        return f;
    }
    const double bytes_per_s = static_cast<double>(*nic.speed_mbps) * 1e6 / 8;
    f.observed = std::to_string(*nic.speed_mbps) + " Mb/s: at most about " +
                 std::to_string(static_cast<long long>(bytes_per_s / list_answer_bytes)) + " /list answers per second";
    return f;
}

std::string handled_text(const nic_irq& irq) {
    std::string out;
    for (const auto& [cpu, n] : irq.handled) {
        out += (out.empty() ? "" : ", ") + ("cpu" + std::to_string(cpu)) + " " + std::to_string(n);
    }
    return out.empty() ? "none yet" : out;
}

std::string irq_line(const nic_irq& irq) {
    std::string line = std::to_string(irq.irq) + (irq.name.empty() ? "" : " (" + irq.name + ")") + " -> ";
    line += irq.affinity ? format_cpu_list(*irq.affinity) : "unreadable";
    if (irq.effective && irq.affinity && *irq.effective != *irq.affinity) {
        line += " (effective " + format_cpu_list(*irq.effective) + ")";
    }
    return line + "; taken: " + handled_text(irq);
}

finding irqs_finding(const host_state& h, const nic_state& nic) {
    finding f{nic.name + " irqs",
              verdict::ok,
              "",
              "each IRQ pinned to one CPU that runs no worker" +
                  (nic.numa_node >= 0 && h.topo.nodes.size() > 1 ? ", on node" + std::to_string(nic.numa_node) : ""),
              "an IRQ allowed on many CPUs lands wherever the kernel or irqbalance puts it, often on a worker's "
              "core, and its softirq work then competes with that worker",
              ""};
    if (nic.irqs.empty()) {
        f.level = verdict::unknown;
        f.observed = "no IRQs found: " + nic.irq_source;
        return f;
    }
    f.observed = std::to_string(nic.irqs.size()) + " IRQs from " + nic.irq_source;
    for (const nic_irq& irq : nic.irqs) {
        f.observed += "\n" + irq_line(irq);
        if (!irq.affinity) {
            f.level = verdict::unknown;
        } else if (irq.affinity->size() > 1 && f.level == verdict::ok) {
            f.level = verdict::warn;
        }
    }
    if (f.level == verdict::warn) {
        f.fix = "rpslab tune plan --iface " + nic.name + ", then rpslab tune apply with the same flags";
    }
    return f;
}

std::string rps_summary(const nic_state& nic) {
    std::string out;
    for (std::size_t i = 0; i < nic.rx.size();) {
        std::size_t j = i;
        while (j + 1 < nic.rx.size() && nic.rx[j + 1].rps_cpus == nic.rx[i].rps_cpus) {
            ++j;
        }
        const auto& cpus = nic.rx[i].rps_cpus;
        std::string value = !cpus ? "unreadable" : cpus->empty() ? "off" : format_cpu_list(*cpus);
        out += (out.empty() ? "" : "; ") + nic.rx[i].name + (j > i ? ".." + nic.rx[j].name : "") + ": " + value;
        i = j + 1;
    }
    return out.empty() ? "no receive queues" : out;
}

finding rps_finding(const host_state& h, const nic_state& nic) {
    finding f{nic.name + " rps",
              verdict::ok,
              rps_summary(nic),
              "off with a queue per worker; otherwise the worker CPUs",
              "RPS hands packet processing from the CPU that took the interrupt to others; with fewer queues "
              "than CPUs it is what keeps the IRQ CPUs from being the ceiling",
              ""};
    if (std::any_of(nic.rx.begin(), nic.rx.end(), [](const rx_queue_state& q) { return !q.rps_cpus; })) {
        f.level = verdict::unknown;
    } else if (rps_off_everywhere(nic) && nic.rx.size() < h.topo.online.size()) {
        f.level = verdict::warn;
        f.fix = "rpslab tune plan --iface " + nic.name + " --rps workers";
    }
    return f;
}

std::string rfs_summary(const nic_state& nic) {
    std::string out;
    for (std::size_t i = 0; i < nic.rx.size();) {
        std::size_t j = i;
        while (j + 1 < nic.rx.size() && nic.rx[j + 1].rfs_cnt == nic.rx[i].rfs_cnt) {
            ++j;
        }
        out += (out.empty() ? "" : "; ") + nic.rx[i].name + (j > i ? ".." + nic.rx[j].name : "") + ": " +
               std::to_string(nic.rx[i].rfs_cnt.value_or(0));
        i = j + 1;
    }
    return out;
}

// Whether the per-queue tables agree with the global one: rps_flow_cnt about
// rps_sock_flow_entries / queues (Documentation/networking/scaling.rst), within a factor 2.
std::string rfs_disagreement(std::uint64_t entries, const nic_state& nic) {
    const std::uint64_t ideal = entries / std::max<std::size_t>(nic.rx.size(), 1);
    bool any_zero = false, any_set = false, off_size = false;
    for (const rx_queue_state& q : nic.rx) {
        any_zero = any_zero || *q.rfs_cnt == 0;
        any_set = any_set || *q.rfs_cnt > 0;
        off_size = off_size || *q.rfs_cnt * 2 < ideal || *q.rfs_cnt > ideal * 2;
    }
    if (entries == 0) {
        return any_set ? "rps_flow_cnt is set but rps_sock_flow_entries is 0: RFS steers nothing" : "";
    }
    if (any_zero) {
        return "queues with rps_flow_cnt 0 do not steer, while rps_sock_flow_entries is " + std::to_string(entries);
    }
    return off_size ? "rps_flow_cnt should be about " + std::to_string(entries) + " / " +
                          std::to_string(nic.rx.size()) + " queues = " + std::to_string(ideal)
                    : "";
}

finding rfs_finding(const host_state& h, const nic_state& nic) {
    finding f{nic.name + " rfs",
              verdict::ok,
              "",
              "rps_sock_flow_entries >= the flows in flight, rps_flow_cnt = that / rx queues on every queue",
              "RFS steers each flow to the CPU whose thread last read its socket, so packet processing and the "
              "worker share a cache; the global and per-queue tables must agree or it steers nothing",
              ""};
    bool readable = h.rps_sock_flow_entries.has_value() &&
                    std::all_of(nic.rx.begin(), nic.rx.end(), [](const rx_queue_state& q) { return q.rfs_cnt; });
    if (!readable) {
        f.level = verdict::unknown;
        f.observed = "unreadable (see below)";
        return f;
    }
    const std::uint64_t entries = *h.rps_sock_flow_entries;
    f.observed = "rps_sock_flow_entries " + std::to_string(entries) + "; rps_flow_cnt " + rfs_summary(nic);
    std::string problem = rfs_disagreement(entries, nic);
    if (!problem.empty()) {
        f.level = verdict::warn;
        f.observed += ": " + problem;
        f.fix = "rpslab tune plan --iface " + nic.name + " --rfs FLOWS (FLOWS: the connections you expect)";
    } else if (entries == 0) {
        f.level = verdict::info;
        f.observed += " (RFS off)";
    }
    return f;
}

finding busy_poll_finding(const nic_state& nic) {
    auto text = [](const std::optional<std::int64_t>& v) {
        return v ? std::to_string(*v) : std::string("absent");
    };
    finding f{nic.name + " busy polling",
              verdict::ok,
              "",
              "0 and 0 unless measured",
              "deferring hard IRQs (with a GRO flush timer) trades latency for fewer interrupts: an experiment to "
              "measure, not a default",
              ""};
    f.observed = "napi_defer_hard_irqs " + text(nic.napi_defer_hard_irqs) + ", gro_flush_timeout " +
                 text(nic.gro_flush_timeout_ns) + " ns";
    if (nic.napi_defer_hard_irqs.value_or(0) != 0 || nic.gro_flush_timeout_ns.value_or(0) != 0) {
        f.level = verdict::info;
    }
    return f;
}

} // namespace

bool nic_irqs_off_node(const nic_state& nic, const topology& topo) {
    auto node = topo.nodes.find(nic.numa_node);
    if (node == topo.nodes.end() || topo.nodes.size() < 2) {
        return false;
    }
    return std::any_of(nic.irqs.begin(), nic.irqs.end(), [&](const nic_irq& irq) {
        return irq.affinity && !cpu_difference(*irq.affinity, node->second).empty();
    });
}

std::vector<finding> check_nic(const host_state& host, const nic_state& nic) {
    std::vector<finding> out{queues_finding(host, nic), speed_finding(nic), irqs_finding(host, nic),
                             rps_finding(host, nic), rfs_finding(host, nic)};
    if (nic.napi_defer_hard_irqs || nic.gro_flush_timeout_ns) {
        out.push_back(busy_poll_finding(nic));
    }
    return out;
}

} // namespace rpslab::tune
