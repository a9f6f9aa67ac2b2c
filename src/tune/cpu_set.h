// CPU sets in the two forms the kernel reads and writes: lists ("0-3,8,10-11", as in
// smp_affinity_list and cpulist files) and hex masks in comma-separated 32-bit groups
// ("ff,ffffffff,ffffffff" for 72 CPUs, as in rps_cpus). A one-piece 128-bit hex string is
// not a mask the kernel accepts: every 32 bits need their comma.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rpslab::tune {

// CPU numbers, sorted and without duplicates.
using cpu_set = std::vector<int>;

// Parses a CPU list; "" (or a lone newline, how sysfs prints no CPUs) is the empty set.
// Throws std::invalid_argument naming the bad part.
cpu_set parse_cpu_list(std::string_view text);

// "0-3,8,10-11"; "" for the empty set.
std::string format_cpu_list(const cpu_set& cpus);

// Parses a mask as the kernel prints it (most significant group first). Throws
// std::invalid_argument for a group longer than 8 hex digits or a non-hex character.
cpu_set parse_cpu_mask(std::string_view text);

// The mask of `cpus` on a machine whose CPU numbers run below `width` (the kernel's
// nr_cpu_ids: the count of possible CPUs), exactly as the kernel prints it: the most
// significant group holds width % 32 bits in as few hex digits as that needs, every other
// group 8 digits. Throws std::invalid_argument when a CPU is >= width.
std::string format_cpu_mask(const cpu_set& cpus, int width);

// Sorted union, intersection and difference.
cpu_set cpu_union(const cpu_set& a, const cpu_set& b);
cpu_set cpu_intersection(const cpu_set& a, const cpu_set& b);
cpu_set cpu_difference(const cpu_set& a, const cpu_set& b);

} // namespace rpslab::tune
