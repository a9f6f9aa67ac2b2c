#include "stats/report.h"

namespace rpslab::stats {

namespace {

struct row_spec {
    std::string_view key;
    double percentile;
};

constexpr row_spec row_specs[percentile_row_count - 1] = {{"p50", 50.0}, {"p90", 90.0},  {"p95", 95.0},
                                                          {"p99", 99.0}, {"p999", 99.9}, {"p9999", 99.99}};

int decimal_digits(std::uint64_t v) {
    int digits = 1;
    while (v >= 10) {
        v /= 10;
        ++digits;
    }
    return digits;
}

std::uint64_t power_of_ten(int exponent) {
    std::uint64_t p = 1;
    for (int i = 0; i < exponent; ++i) {
        p *= 10;
    }
    return p;
}

} // namespace

std::array<percentile_row, percentile_row_count> percentile_table(const histogram& h) {
    double ps[percentile_row_count - 1];
    for (std::size_t i = 0; i < percentile_row_count - 1; ++i) {
        ps[i] = row_specs[i].percentile;
    }
    std::vector<std::uint64_t> values = h.value_at_percentiles(ps);
    std::array<percentile_row, percentile_row_count> rows{};
    for (std::size_t i = 0; i < percentile_row_count - 1; ++i) {
        rows[i] = {row_specs[i].key, row_specs[i].percentile, values[i]};
    }
    rows.back() = {"max", 100.0, h.max()};
    return rows;
}

std::string format_latency_us(std::uint64_t us) {
    if (us < 1000) {
        return std::to_string(us) + "us";
    }
    // Round to 3 significant digits in integers (no floating-point surprises such as 999.5 -> "1e+03"),
    // then place the decimal point for ms or s.
    int digits = decimal_digits(us);
    std::uint64_t step = power_of_ten(digits - 3);
    std::uint64_t rounded = us / step + (us % step >= (step + 1) / 2 ? 1 : 0); // 3 or 4 digits
    if (rounded == 1000) {
        rounded = 100;
        ++digits;
    }
    // rounded × 10^(digits - 3) µs; the unit is ms below 10^6 µs (digits <= 6), else s.
    int unit_exponent = digits <= 6 ? 3 : 6;
    int integer_digits = digits - unit_exponent; // 1, 2, 3 or more (seconds beyond 999)
    std::string digits_text = std::to_string(rounded);
    std::string text;
    if (integer_digits < 3) {
        auto split = static_cast<std::size_t>(integer_digits);
        text.append(digits_text, 0, split).append(1, '.').append(digits_text, split);
    } else {
        text.append(digits_text).append(static_cast<std::size_t>(integer_digits - 3), '0');
    }
    return text + (unit_exponent == 3 ? "ms" : "s");
}

std::string format_percentile_table(const histogram& h) {
    std::string out;
    for (const percentile_row& row : percentile_table(h)) {
        std::string value = format_latency_us(row.value);
        out += "  ";
        out += row.key;
        out.append(8 - row.key.size(), ' ');
        out.append(value.size() < 8 ? 8 - value.size() : 0, ' ');
        out += value;
        out += '\n';
    }
    return out;
}

} // namespace rpslab::stats
