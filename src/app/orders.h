// The orders table behind /compute, and the aggregation itself (DESIGN.md "Orders and
// /compute"): integers only, so every implementation prints the same bytes.
// Immutable after generate(); compute() is safe from any number of threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::app {

class orders_table {
public:
    static constexpr std::size_t row_count = 20000;
    static constexpr std::size_t category_count = 12;
    static constexpr std::size_t region_count = 8;
    // An upper bound on compute()'s output size for any `rows`.
    static constexpr std::size_t max_compute_bytes = 4096;

    // Generates the table from `seed`; deterministic.
    static orders_table generate(std::uint64_t seed);

    std::size_t size() const { return _price_cents.size(); }

    // The table as orders.csv: header `id,category,region,price_cents,qty`, LF endings,
    // ids 1..size() in row order.
    std::string csv() const;

    // Writes the /compute answer over rows [0, rows) into `out` and returns its length.
    // Requires 1 <= rows <= size() and out.size() >= max_compute_bytes. Allocation-free.
    std::size_t compute(std::size_t rows, std::span<char> out) const;

private:
    // Column-wise, index-coded rows: the aggregation streams through small arrays.
    std::vector<std::uint8_t> _category, _region, _qty;
    std::vector<std::uint32_t> _price_cents;
    std::vector<std::string> _category_names, _region_names; // sorted by name
};

} // namespace rpslab::app
