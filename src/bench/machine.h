// The environment a bench ran in, for results.json: CPU model and count, kernel, governor,
// NICs, the host's tuning state (`tune check`), and the CPUs each side was given.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

namespace rpslab::bench {

nlohmann::json describe_machine(const std::vector<int>& server_cpus, const std::vector<int>& client_cpus);

} // namespace rpslab::bench
