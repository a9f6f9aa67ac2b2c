// CPU lists as people and the kernel write them: "0-3,8,10-11". One parser for the serve
// and load flags (`--cpus`, order kept: worker i runs on the i-th) and for tune's reading
// of sysfs (which sorts them).
#pragma once

#include <string_view>
#include <vector>

namespace rpslab::core {

// The CPUs in the order written, ranges expanded; "" is the empty list. Throws
// std::invalid_argument naming the bad part (not a number, negative, at or above the
// kernel's largest NR_CPUS of 8192, or a range that runs backwards).
std::vector<int> parse_cpu_list(std::string_view text);

} // namespace rpslab::core
