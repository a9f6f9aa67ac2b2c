// Latency summaries for reports: the standard percentile rows (p50 … p9999, max) that every rpslab
// table, JSON file and terminal summary uses, and a compact human rendering of microseconds.
#pragma once

#include "stats/histogram.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rpslab::stats {

struct percentile_row {
    std::string_view key; // "p50", "p90", "p95", "p99", "p999", "p9999" or "max": stable JSON/CSV keys
    double percentile;    // 50 … 99.99; 100 for max
    std::uint64_t value;  // in the histogram's unit (µs for the load generator)
};

inline constexpr std::size_t percentile_row_count = 7;

// The rows p50, p90, p95, p99, p999 (99.9), p9999 (99.99) from histogram::value_at_percentiles (so each is
// the highest equivalent value of its bucket, at most max), then max: the exact max(). All 0 when empty.
std::array<percentile_row, percentile_row_count> percentile_table(const histogram& h);

// A latency in µs with 3 significant digits (rounded half up) and the largest unit that keeps it >= 1:
// 0us, 812us, 1.23ms, 12.3ms, 123ms, 1.23s, 12.3s, 123s, 1230s. Below 1000 µs it is exact.
std::string format_latency_us(std::uint64_t us);

// The rows as aligned text, one per line, e.g. "  p50     1.23ms\n" … "  max     52.1ms\n".
std::string format_percentile_table(const histogram& h);

} // namespace rpslab::stats
