#include "tune/plan_layout.h"

#include <algorithm>
#include <stdexcept>

namespace rpslab::tune {

namespace {

// The CPUs the NIC's IRQs should prefer: its node's, when it has one among several.
cpu_set near_cpus(const topology& topo, const nic_state& nic) {
    auto node = topo.nodes.find(nic.numa_node);
    if (topo.nodes.size() > 1 && node != topo.nodes.end() && !node->second.empty()) {
        return node->second;
    }
    return topo.online;
}

// A CPU per queue, at most a quarter of the host so that workers keep the most of it (a
// starting point; --irq-cpus overrides it), taken in whole cores so no worker runs on an
// IRQ CPU's SMT sibling.
cpu_set default_irq_cpus(const topology& topo, const nic_state& nic) {
    const std::size_t queues = std::max<std::size_t>(nic.rx.size(), 1);
    const std::size_t wanted = std::min(queues, std::max<std::size_t>(topo.online.size() / 4, 1));
    const cpu_set near = near_cpus(topo, nic);
    cpu_set chosen;
    for (int cpu : near) {
        if (chosen.size() >= wanted) {
            break;
        }
        if (!std::binary_search(chosen.begin(), chosen.end(), cpu)) {
            chosen = cpu_union(chosen, cpu_intersection(topo.core_of(cpu), near));
        }
    }
    return chosen;
}

void require_online(const topology& topo, const cpu_set& cpus, const char* flag) {
    cpu_set unknown = cpu_difference(cpus, topo.online);
    if (!unknown.empty()) {
        throw std::invalid_argument("tune plan: " + std::string(flag) + " names CPU " + format_cpu_list(unknown) +
                                    ", which is not online on this host (online: " + format_cpu_list(topo.online) +
                                    ")");
    }
    if (cpus.empty()) {
        throw std::invalid_argument(std::string("tune plan: ") + flag + " is empty");
    }
}

cpu_set siblings_of(const topology& topo, const cpu_set& cpus) {
    cpu_set out;
    for (int cpu : cpus) {
        out = cpu_union(out, topo.core_of(cpu));
    }
    return out;
}

void check_split(const cpu_layout& l) {
    cpu_set both = cpu_intersection(l.irq_cpus, l.worker_cpus);
    if (!both.empty()) {
        throw std::invalid_argument("tune plan: CPU " + format_cpu_list(both) +
                                    " is in both --irq-cpus and --worker-cpus; the NIC's IRQ CPUs must be dedicated");
    }
    if (l.worker_cpus.empty()) {
        throw std::invalid_argument("tune plan: no CPU left for workers: the IRQ CPUs (" + format_cpu_list(l.irq_cpus) +
                                    ") take every online CPU");
    }
    if (l.irq_cpus.empty()) {
        throw std::invalid_argument("tune plan: no CPU left for the NIC's IRQs: --worker-cpus takes every online CPU");
    }
}

void add_notes(const topology& topo, const nic_state& nic, cpu_layout& l) {
    cpu_set shared = cpu_intersection(siblings_of(topo, l.irq_cpus), l.worker_cpus);
    if (!shared.empty()) {
        l.notes.push_back("workers on CPU " + format_cpu_list(shared) +
                          " share physical cores (SMT siblings) with IRQ CPUs");
    }
    cpu_set far = cpu_difference(l.irq_cpus, near_cpus(topo, nic));
    if (!far.empty()) {
        l.notes.push_back("IRQ CPU " + format_cpu_list(far) + " is not on " + nic.name + "'s NUMA node " +
                          std::to_string(nic.numa_node));
    }
    if (!nic.irqs.empty() && l.irq_cpus.size() > nic.irqs.size()) {
        l.notes.push_back(nic.name + " has " + std::to_string(nic.irqs.size()) + " IRQs for " +
                          std::to_string(l.irq_cpus.size()) + " IRQ CPUs: some of them get no IRQ");
    }
}

} // namespace

cpu_layout choose_layout(const topology& topo, const nic_state& nic, const plan_options& o) {
    if (topo.online.empty()) {
        throw std::invalid_argument("tune plan: the online CPUs could not be read");
    }
    cpu_layout l;
    if (o.irq_cpus) {
        require_online(topo, *o.irq_cpus, "--irq-cpus");
    }
    if (o.worker_cpus) {
        require_online(topo, *o.worker_cpus, "--worker-cpus");
    }
    if (o.irq_cpus) {
        l.irq_cpus = *o.irq_cpus;
    } else if (o.worker_cpus) {
        l.irq_cpus = cpu_difference(topo.online, *o.worker_cpus);
    } else {
        l.irq_cpus = default_irq_cpus(topo, nic);
    }
    if (o.worker_cpus) {
        l.worker_cpus = *o.worker_cpus;
    } else {
        l.worker_cpus = cpu_difference(topo.online, siblings_of(topo, l.irq_cpus));
        if (l.worker_cpus.empty()) { // one core: its siblings are all there is
            l.worker_cpus = cpu_difference(topo.online, l.irq_cpus);
        }
    }
    check_split(l);
    add_notes(topo, nic, l);
    return l;
}

} // namespace rpslab::tune
