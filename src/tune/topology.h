// The CPUs of the host as sysfs describes them: which are online, how many the kernel can
// address (the width of every CPU mask), SMT siblings, NUMA nodes and frequency governors.
#pragma once

#include "tune/cpu_set.h"
#include "tune/host_root.h"

#include <map>
#include <string>
#include <vector>

namespace rpslab::tune {

struct topology {
    cpu_set online;
    // nr_cpu_ids: the count of possible CPUs, and so the bit width of rps_cpus masks.
    int mask_width = 0;
    // SMT sibling groups (one per physical core), from each online CPU's thread_siblings_list;
    // a CPU whose file could not be read is its own group.
    std::vector<cpu_set> cores;
    // NUMA node -> its online CPUs; empty when the kernel exposes no nodes.
    std::map<int, cpu_set> nodes;
    // scaling_governor -> the CPUs running it; empty when cpufreq is not exposed (common in VMs).
    std::map<std::string, cpu_set> governors;

    // The most SMT threads of any core (1: no SMT).
    int threads_per_core() const;
    // The NUMA node of `cpu`, or -1.
    int node_of(int cpu) const;
    // The siblings of `cpu`, itself included.
    cpu_set core_of(int cpu) const;
};

// Reads sys/devices/system/cpu and sys/devices/system/node under `root`; what cannot be
// read stays empty and is remembered in root.failures().
topology read_topology(host_root& root);

} // namespace rpslab::tune
