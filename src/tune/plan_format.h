// How a plan is shown: a shell script (comments, the commands in order, the undo commands)
// and the same as JSON.
#pragma once

#include "tune/plan.h"

#include <nlohmann/json.hpp>
#include <string>

namespace rpslab::tune {

// "echo 0 > /proc/irq/38/smp_affinity_list": the exact write, with the root's prefix.
std::string write_command(const tuning_plan& plan, const planned_write& w);
// The write of `w.before` to the same file.
std::string undo_command(const tuning_plan& plan, const planned_write& w);

// The plan as a shell script a person can read and run by hand.
std::string format_plan(const tuning_plan& plan);

nlohmann::json plan_json(const tuning_plan& plan);

} // namespace rpslab::tune
