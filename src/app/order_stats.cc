#include "app/order_stats.h"

#include "app/decimal.h"
#include "app/uint128.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <string_view>

namespace rpslab::app {
namespace {

// Sums per category; 12 of these live on the stack for one call.
struct category_totals {
    std::uint64_t count;
    std::uint64_t sum_cents;
    std::uint64_t sum_sq_cents;
    std::uint32_t min_cents;
    std::uint32_t max_cents;
    std::uint64_t revenue_by_region[max_stat_regions];
};

// The key text between values, in output order.
constexpr std::string_view key_category = R"({"category":")";
constexpr std::string_view key_count = R"(","count":)";
constexpr std::string_view key_revenue = R"(,"revenue_cents":)";
constexpr std::string_view key_min = R"(,"min_cents":)";
constexpr std::string_view key_max = R"(,"max_cents":)";
constexpr std::string_view key_mean = R"(,"mean_cents":)";
constexpr std::string_view key_var = R"(,"var_cents2":)";
constexpr std::string_view key_top_region = R"(,"top_region":")";
constexpr std::string_view object_end = R"("})";

// The widest object: fixed text, both names, a comma, and each number at its widest
// (20 digits for 64-bit values, 10 for 32-bit ones, 39 + 4 for a 128-bit ratio).
constexpr std::size_t stat_object_max_bytes = key_category.size() + key_count.size() + key_revenue.size() +
                                              key_min.size() + key_max.size() + key_mean.size() + key_var.size() +
                                              key_top_region.size() + object_end.size() + 1 + 2 * max_stat_name_bytes +
                                              20 + 20 + 10 + 10 + (20 + 4) + (39 + 4);
static_assert(2 + max_stat_categories * stat_object_max_bytes <= max_stat_bytes);

char* append(char* out, std::string_view text) {
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
}

// The hot loop: one pass over the columns, no branches but the loop's own.
void accumulate(const order_columns& columns, std::size_t rows, category_totals* totals) {
    const std::uint8_t* category = columns.category.data();
    const std::uint8_t* region = columns.region.data();
    const std::uint32_t* price_cents = columns.price_cents.data();
    const std::uint8_t* qty = columns.qty.data();
    for (std::size_t i = 0; i < rows; ++i) {
        category_totals& t = totals[category[i]];
        const std::uint32_t price = price_cents[i];
        const std::uint64_t wide = price;
        t.count += 1;
        t.sum_cents += wide;
        t.sum_sq_cents += wide * wide;
        // New extremes get rare after the first rows: branches that skip the store beat
        // a conditional move that stores every time.
        if (price < t.min_cents) {
            t.min_cents = price;
        }
        if (price > t.max_cents) {
            t.max_cents = price;
        }
        t.revenue_by_region[region[i]] += wide * qty[i];
    }
}

// The region with the largest revenue; scanning in name order with a strict comparison
// gives ties to the smaller name.
std::size_t top_region(const category_totals& t, std::size_t region_count) {
    std::size_t best = 0;
    for (std::size_t r = 1; r < region_count; ++r) {
        if (t.revenue_by_region[r] > t.revenue_by_region[best]) {
            best = r;
        }
    }
    return best;
}

char* write_category(char* out, std::string_view name, const category_totals& t,
                     std::span<const std::string> region_names) {
    std::uint64_t revenue_cents = 0;
    for (std::size_t r = 0; r < region_names.size(); ++r) {
        revenue_cents += t.revenue_by_region[r];
    }
    // n * sum(p^2) - (sum p)^2 >= 0 (Cauchy-Schwarz); each term fits 128 bits easily.
    const uint128 var_numerator =
        static_cast<uint128>(t.count) * t.sum_sq_cents - static_cast<uint128>(t.sum_cents) * t.sum_cents;
    out = append(out, key_category);
    out = append(out, name);
    out = append(out, key_count);
    out = write_u64(out, t.count);
    out = append(out, key_revenue);
    out = write_u64(out, revenue_cents);
    out = append(out, key_min);
    out = write_u64(out, t.min_cents);
    out = append(out, key_max);
    out = write_u64(out, t.max_cents);
    out = append(out, key_mean);
    out = write_ratio_3dp(out, t.sum_cents, t.count);
    out = append(out, key_var);
    out = write_ratio_3dp(out, var_numerator, t.count * t.count);
    out = append(out, key_top_region);
    out = append(out, region_names[top_region(t, region_names.size())]);
    return append(out, object_end);
}

} // namespace

std::size_t write_order_stats(const order_columns& columns, std::size_t rows, std::span<char> out) {
    assert(out.size() >= max_stat_bytes);
    assert(columns.category_names.size() <= max_stat_categories);
    assert(columns.region_names.size() <= max_stat_regions);
    category_totals totals[max_stat_categories] = {};
    for (auto& t : totals) {
        t.min_cents = std::numeric_limits<std::uint32_t>::max();
    }
    accumulate(columns, rows, totals);

    char* p = out.data();
    *p++ = '[';
    bool first = true;
    for (std::size_t c = 0; c < columns.category_names.size(); ++c) {
        if (totals[c].count == 0) {
            continue;
        }
        if (!first) {
            *p++ = ',';
        }
        first = false;
        p = write_category(p, columns.category_names[c], totals[c], columns.region_names);
    }
    *p++ = ']';
    return static_cast<std::size_t>(p - out.data());
}

} // namespace rpslab::app
