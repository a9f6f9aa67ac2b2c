// The legacy CPU profile format of gperftools' profiler (what ProfilerStart writes and
// google-pprof reads), and merging the profiles of several worker processes into one.
// Format: machine words of the writer (64-bit, native byte order) — a header
// {0, 3, 0, sampling period in µs, 0}, sample records {count, depth, pc...}, the trailer
// {0, 1, 0} — followed by the text of the writer's /proc/self/maps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::metrics {

struct cpu_profile_view {
    std::uint64_t period_us = 0;
    std::uint64_t samples = 0; // the sum of the records' counts
    std::string_view records;  // the sample records' bytes, header and trailer excluded
    std::string_view maps;     // the text after the trailer
};

// Reads a whole profile file; false with `error` set when it is truncated or not one.
bool parse_cpu_profile(std::string_view bytes, cpu_profile_view& out, std::string& error);

// One profile with every sample of `profiles`. The processes must share their executable
// mappings (workers forked from one supervisor do), so the first non-empty maps text
// serves for all. False with `error` set when one does not parse or periods differ.
bool merge_cpu_profiles(const std::vector<std::string>& profiles, std::string& out, std::string& error);

} // namespace rpslab::metrics
