// The CPU split of a plan: which CPUs take the NIC's IRQs and which run workers, chosen by
// default or checked when given. Internal to plan.cc; a header of its own so tests reach it.
#pragma once

#include "tune/plan.h"

#include <string>
#include <vector>

namespace rpslab::tune {

struct cpu_layout {
    cpu_set irq_cpus, worker_cpus;
    std::vector<std::string> notes; // warnings that do not make the layout unsafe
};

// Throws std::invalid_argument when the layout is unsafe.
cpu_layout choose_layout(const topology& topo, const nic_state& nic, const plan_options& options);

} // namespace rpslab::tune
