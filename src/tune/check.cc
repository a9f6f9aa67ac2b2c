#include "tune/check.h"

#include "tune/check_nic.h"
#include "tune/text.h"

#include <limits>

namespace rpslab::tune {

namespace {

std::string node_summary(const topology& t) {
    std::string out;
    for (const auto& [node, cpus] : t.nodes) {
        out += (out.empty() ? "" : ", ") + ("node" + std::to_string(node)) + ": " + format_cpu_list(cpus);
    }
    return out;
}

finding cpus_finding(const host_state& h) {
    finding f{"cpus", verdict::info, "", "", "the layout splits these between NIC IRQs and workers", ""};
    if (h.topo.online.empty()) {
        f.level = verdict::unknown;
        f.observed = "unreadable (see below)";
        return f;
    }
    f.observed = std::to_string(h.topo.online.size()) + " online (" + format_cpu_list(h.topo.online) +
                 "); CPU masks are " + std::to_string(h.topo.mask_width) + " CPUs wide";
    return f;
}

finding smt_finding(const host_state& h) {
    const int threads = h.topo.threads_per_core();
    finding f{"smt",
              threads > 1 ? verdict::info : verdict::ok,
              "",
              "IRQ CPUs and workers on different physical cores",
              "SMT siblings share one core's execution units and caches: an IRQ CPU and a worker on siblings slow "
              "each other down",
              threads > 1 ? "rpslab tune plan keeps the siblings of an IRQ CPU away from the workers" : ""};
    f.observed = threads > 1 ? std::to_string(threads) + " threads per core, " + std::to_string(h.topo.cores.size()) +
                                   " cores (e.g. CPUs " + format_cpu_list(h.topo.cores.front()) + " share one)"
                             : "one thread per core";
    return f;
}

finding numa_finding(const host_state& h) {
    finding f{"numa",
              verdict::ok,
              "",
              "NIC IRQs, and the workers that read its packets, on the NIC's node",
              "a packet handled on another node crosses the interconnect for every buffer it touches",
              ""};
    if (h.topo.nodes.size() <= 1) {
        f.observed = h.topo.nodes.empty() ? "no NUMA nodes exposed" : "one node";
        return f;
    }
    f.observed = std::to_string(h.topo.nodes.size()) + " nodes (" + node_summary(h.topo) + ")";
    for (const nic_state& nic : h.nics) {
        f.observed +=
            "; " + nic.name + " on " + (nic.numa_node < 0 ? "an unknown node" : "node" + std::to_string(nic.numa_node));
        if (nic_irqs_off_node(nic, h.topo)) {
            f.level = verdict::warn;
            f.observed += ", with IRQs allowed off its node";
            f.fix = "rpslab tune plan --iface " + nic.name + " (picks IRQ CPUs on the NIC's node)";
        }
    }
    return f;
}

finding governor_finding(const host_state& h) {
    finding f{"governor",
              verdict::ok,
              "",
              "performance on every CPU",
              "other governors lower the clock between bursts: the cost per request then depends on the load and "
              "the numbers drift",
              ""};
    if (h.topo.governors.empty()) {
        f.level = verdict::info;
        f.observed = "not exposed (no cpufreq in sysfs, as in most VMs: the hypervisor decides)";
        return f;
    }
    for (const auto& [name, cpus] : h.topo.governors) {
        f.observed += (f.observed.empty() ? "" : "; ") + name + " on " + format_cpu_list(cpus);
        if (name != "performance") {
            f.level = verdict::warn;
            f.fix = "rpslab tune plan (writes scaling_governor), or: cpupower frequency-set -g performance";
        }
    }
    return f;
}

finding irqbalance_finding(const host_state& h) {
    finding f{"irqbalance",
              verdict::ok,
              "",
              "not running once IRQs are pinned",
              "it rewrites IRQ affinities every 10 s and so silently undoes manual pinning",
              ""};
    if (h.irqbalance_pids.empty() && !h.saw_all_processes) {
        f.level = verdict::unknown;
        f.observed = "not seen, but some processes are hidden from this user (see below)";
        return f;
    }
    if (h.irqbalance_pids.empty()) {
        f.observed = "not running";
        return f;
    }
    f.level = verdict::warn;
    f.observed = "running (pid " + std::to_string(h.irqbalance_pids.front()) + ")";
    f.fix = "systemctl stop irqbalance && systemctl disable irqbalance";
    return f;
}

finding sysctl_finding(const host_state& h, const sysctl_target& t) {
    finding f{std::string(t.key), verdict::ok, "", "", std::string(t.why), ""};
    const std::string target(t.target);
    f.expected = t.how == want::at_least       ? ">= " + target
                 : t.how == want::range_covers ? "covering " + target
                 : t.how == want::advisory     ? target + " (unless measured)"
                                               : target;
    auto it = h.sysctls.find(std::string(t.key));
    if (it == h.sysctls.end() || !it->second) {
        f.level = verdict::unknown;
        f.observed = "unreadable (see below)";
        return f;
    }
    f.observed = shell_word(*it->second);
    if (t.how == want::advisory) {
        f.level = trim(*it->second) == t.target ? verdict::ok : verdict::info;
    } else if (!satisfies(t, *it->second)) {
        f.level = verdict::warn;
        f.fix = "sysctl -w " + std::string(t.key) + "=" + shell_word(target);
    }
    return f;
}

std::vector<finding> obsolete_findings(const host_state& h) {
    if (h.obsolete.empty()) {
        return {{"obsolete knobs", verdict::ok, "none set", "none set",
                 "tcp_tw_recycle, tcp_low_latency and tcp_fack do nothing on current kernels (or break NAT)", ""}};
    }
    std::vector<finding> out;
    for (const obsolete_setting& o : h.obsolete) {
        out.push_back({o.key, verdict::warn, "set in " + o.where, "not set", o.why, "remove it from " + o.where});
    }
    return out;
}

std::string limit_text(std::uint64_t v) {
    return v == std::numeric_limits<std::uint64_t>::max() ? "unlimited" : std::to_string(v);
}

finding open_files_finding(const host_state& h) {
    finding f{"open files",
              verdict::ok,
              "",
              "hard limit >= " + std::to_string(wanted_open_files),
              "rpslab serve raises its soft limit to the hard one, and every connection holds a descriptor: the "
              "hard limit caps the connections of one process",
              ""};
    if (!h.open_files) {
        f.level = verdict::unknown;
        f.observed = "unreadable (see below)";
        return f;
    }
    f.observed = "soft " + limit_text(h.open_files->soft) + ", hard " + limit_text(h.open_files->hard) +
                 (h.live ? " (as inherited by this process)" : "");
    if (h.open_files->hard < wanted_open_files) {
        f.level = verdict::warn;
        f.fix = "as root, before starting the server: ulimit -Hn " + std::to_string(wanted_open_files) +
                " (or LimitNOFILE= in its systemd unit, nofile in /etc/security/limits.conf)";
    }
    return f;
}

} // namespace

const char* verdict_name(verdict v) {
    switch (v) {
    case verdict::ok:
        return "ok";
    case verdict::warn:
        return "warn";
    case verdict::info:
        return "info";
    case verdict::unknown:
        return "unknown";
    }
    return "unknown";
}

std::vector<finding> check_host(const host_state& h) {
    std::vector<finding> out{cpus_finding(h), smt_finding(h), numa_finding(h), governor_finding(h)};
    for (const nic_state& nic : h.nics) {
        for (finding& f : check_nic(h, nic)) {
            out.push_back(std::move(f));
        }
    }
    out.push_back(irqbalance_finding(h));
    for (const sysctl_target& t : sysctl_targets()) {
        out.push_back(sysctl_finding(h, t));
    }
    for (finding& f : obsolete_findings(h)) {
        out.push_back(std::move(f));
    }
    out.push_back(open_files_finding(h));
    return out;
}

} // namespace rpslab::tune
