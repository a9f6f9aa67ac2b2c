// The findings about one NIC: queues and channels, link speed, where its IRQs land, RPS
// masks, RFS table sizes (and whether they agree), and busy-polling settings.
#pragma once

#include "tune/check.h"

#include <vector>

namespace rpslab::tune {

std::vector<finding> check_nic(const host_state& host, const nic_state& nic);

// True when the NIC's node is known and some IRQ of it may land on a CPU of another node.
bool nic_irqs_off_node(const nic_state& nic, const topology& topo);

} // namespace rpslab::tune
