// How every report writes numbers and measures text: thousands separators, fixed
// decimals, percentages, latencies in the unit a person would pick, terminal columns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::bench {

// "1234567" -> "1,234,567"; a leading '-' stays in front.
std::string group_digits(const std::string& digits);
// Non-finite values print as "?".
std::string format_count(double value);                    // 1234567.4 -> "1,234,567"
std::string format_fixed(double value, int decimals);      // 13.06, 1 -> "13.1"
std::string format_percent(double fraction, int decimals); // 0.0213, 1 -> "2.1%"
// 8.46 -> "8.5 µs", 640 -> "640 µs", 1480 -> "1.48 ms", 2.5e6 -> "2.50 s"; 0 (not measured) -> "—".
std::string format_latency(double us);
// {"a", "b"}, ", " -> "a, b".
std::string join(const std::vector<std::string>& parts, std::string_view separator);
// Columns as a terminal shows them: one per code point (every character we print is narrow).
std::size_t display_width(std::string_view text);

} // namespace rpslab::bench
