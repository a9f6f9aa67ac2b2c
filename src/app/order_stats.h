// The /compute kernel: per-category statistics over index-coded order columns, written
// as JSON into a caller's buffer (DESIGN.md "Orders and /compute"). Kept apart from
// orders_table so tests can feed it hand-made columns (ties, absent categories).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace rpslab::app {

inline constexpr std::size_t max_stat_categories = 12;
inline constexpr std::size_t max_stat_regions = 8;
inline constexpr std::size_t max_stat_name_bytes = 24;
// Enough for max_stat_categories objects with names of max_stat_name_bytes and every
// number at its widest (see stat_object_max_bytes in order_stats.cc).
inline constexpr std::size_t max_stat_bytes = 4096;

// Column-wise rows; the spans must outlive the call. Names are sorted ascending, match
// [a-z_]+, are at most max_stat_name_bytes long, and every index is within its list.
struct order_columns {
    std::span<const std::uint8_t> category;
    std::span<const std::uint8_t> region;
    std::span<const std::uint32_t> price_cents;
    std::span<const std::uint8_t> qty;
    std::span<const std::string> category_names; // at most max_stat_categories
    std::span<const std::string> region_names;   // at most max_stat_regions
};

// Writes the JSON array for rows [0, rows) into `out` and returns its length. Requires
// rows <= the columns' length and out.size() >= max_stat_bytes; exact while
// rows * max(price_cents)^2 < 2^64 (the orders table: 2*10^14). Allocation-free and
// touches no shared mutable state, so any number of threads may call it at once.
std::size_t write_order_stats(const order_columns& columns, std::size_t rows, std::span<char> out);

} // namespace rpslab::app
