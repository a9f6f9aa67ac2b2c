// The open-files limit (RLIMIT_NOFILE) from proc/self/limits: on the real root, the limit
// this process inherited from the shell or unit that will also start `rpslab serve`.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rpslab::tune {

// A hard limit that lets one process hold a million connections; it is also the kernel's
// default fs.nr_open, so raising RLIMIT_NOFILE to it needs no other change.
constexpr std::uint64_t wanted_open_files = 1'048'576;

struct open_files_limit {
    std::uint64_t soft = 0, hard = 0; // UINT64_MAX for "unlimited"
};

// The "Max open files" row of a limits file, or nullopt when there is none.
std::optional<open_files_limit> parse_open_files_limit(std::string_view limits_text);

} // namespace rpslab::tune
