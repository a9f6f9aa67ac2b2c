// How `tune check` prints its report: findings (observed / expected / why / fix), the NICs
// left out, and every file that could not be read with the reason; and the same as JSON.
#pragma once

#include "tune/check.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rpslab::tune {

std::string format_check(const host_state& host, const std::vector<finding>& findings);

nlohmann::json check_json(const host_state& host, const std::vector<finding>& findings);

} // namespace rpslab::tune
