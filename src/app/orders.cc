#include "app/orders.h"

#include "app/decimal.h"
#include "app/order_stats.h"
#include "app/prng.h"
#include "app/vocabulary.h"

#include <array>
#include <cassert>

namespace rpslab::app {
namespace {

static_assert(orders_table::category_count == max_stat_categories);
static_assert(orders_table::region_count == max_stat_regions);
static_assert(orders_table::max_compute_bytes == max_stat_bytes);

// Uneven shares, as in a real shop: the rarest category first appears after a few dozen
// rows, so small ?rows= answers leave some categories out. Indexed like the name lists.
constexpr std::array<std::uint64_t, orders_table::category_count> category_weights = {
    5, 2, 9, 14, 12, 11, 8, 6, 10, 4, 7, 3,
};
constexpr std::array<std::uint64_t, orders_table::region_count> region_weights = {
    10, 14, 8, 6, 13, 7, 5, 12,
};

constexpr std::uint32_t min_price_cents = 100;
constexpr std::uint32_t max_price_cents = 100000;
constexpr std::uint8_t max_qty = 10;

template <std::size_t N> std::uint8_t pick_weighted(prng& rng, const std::array<std::uint64_t, N>& weights) {
    std::uint64_t total = 0;
    for (const auto w : weights) {
        total += w;
    }
    std::uint64_t ticket = rng.below(total);
    std::size_t i = 0;
    while (ticket >= weights[i]) {
        ticket -= weights[i];
        ++i;
    }
    return static_cast<std::uint8_t>(i);
}

} // namespace

orders_table orders_table::generate(std::uint64_t seed) {
    prng rng(seed);
    orders_table table;
    for (const auto name : vocabulary::categories()) {
        table._category_names.emplace_back(name);
    }
    for (const auto name : vocabulary::regions()) {
        table._region_names.emplace_back(name);
    }
    assert(table._category_names.size() == category_count && table._region_names.size() == region_count);
    table._category.reserve(row_count);
    table._region.reserve(row_count);
    table._price_cents.reserve(row_count);
    table._qty.reserve(row_count);
    // One row at a time, fields in a fixed order: the stream defines the table.
    for (std::size_t i = 0; i < row_count; ++i) {
        table._category.push_back(pick_weighted(rng, category_weights));
        table._region.push_back(pick_weighted(rng, region_weights));
        table._price_cents.push_back(static_cast<std::uint32_t>(rng.between(min_price_cents, max_price_cents)));
        table._qty.push_back(static_cast<std::uint8_t>(rng.between(1, max_qty)));
    }
    return table;
}

// Ids are 1-based: row i (0-based) is order i + 1.
std::string orders_table::csv() const {
    std::string out = "id,category,region,price_cents,qty\n";
    out.reserve(size() * 40);
    char digits[20];
    for (std::size_t i = 0; i < size(); ++i) {
        out.append(digits, write_u64(digits, i + 1));
        out += ',';
        out += _category_names[_category[i]];
        out += ',';
        out += _region_names[_region[i]];
        out += ',';
        out.append(digits, write_u64(digits, _price_cents[i]));
        out += ',';
        out.append(digits, write_u64(digits, _qty[i]));
        out += '\n';
    }
    return out;
}

std::size_t orders_table::compute(std::size_t rows, std::span<char> out) const {
    assert(rows >= 1 && rows <= size());
    const order_columns columns{_category, _region, _price_cents, _qty, _category_names, _region_names};
    return write_order_stats(columns, rows, out);
}

} // namespace rpslab::app
