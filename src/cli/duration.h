// Durations and sizes on the command line: "10", "1.5s", "250ms", "2m" (seconds when
// there is no unit), "16k", "64KiB", "16M".
#pragma once

#include <cstdint>
#include <string_view>

namespace rpslab::cli {

// Milliseconds; throws std::invalid_argument naming the text.
std::int64_t parse_duration_ms(std::string_view text);

// Bytes with an optional k/K/KiB, m/M/MiB, g/G/GiB suffix (powers of 1024); throws std::invalid_argument.
std::uint64_t parse_bytes(std::string_view text);

} // namespace rpslab::cli

namespace rpslab::cli {

// A count with an optional decimal suffix: "50000", "50k", "1.5M", "2G". Throws std::invalid_argument.
double parse_count(std::string_view text);

} // namespace rpslab::cli
