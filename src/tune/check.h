// `tune check`: turns a host_state into findings, each with what was observed, what a
// benchmark host wants, why, and how to fix it. Pure: it reads nothing itself.
#pragma once

#include "tune/inspect.h"

#include <string>
#include <vector>

namespace rpslab::tune {

enum class verdict { ok, warn, info, unknown };

struct finding {
    std::string topic; // "cpus", "eth0 irqs", "net.core.somaxconn"
    verdict level = verdict::info;
    std::string observed;
    std::string expected;
    std::string why;
    std::string fix; // a command or an action; empty when there is nothing to do
};

// The findings in report order: CPUs, SMT, NUMA, governor, each NIC (queues, speed, IRQs,
// RPS, RFS, busy polling), irqbalance, the sysctls, obsolete knobs, the open-files limit.
std::vector<finding> check_host(const host_state& host);

const char* verdict_name(verdict v);

} // namespace rpslab::tune
