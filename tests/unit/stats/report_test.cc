// The percentile rows and the human latency format used by every report.
#include "stats/report.h"

#include <gtest/gtest.h>

using namespace rpslab::stats;

TEST(percentile_table, standard_rows_with_exact_max) {
    histogram h(1, 3'600'000'000, 3);
    for (std::uint64_t v = 1; v <= 10'000; ++v) {
        h.record(v * 10); // 10 µs .. 100 ms, evenly
    }
    auto rows = percentile_table(h);
    const char* keys[] = {"p50", "p90", "p95", "p99", "p999", "p9999", "max"};
    const double ps[] = {50, 90, 95, 99, 99.9, 99.99, 100};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        SCOPED_TRACE(keys[i]);
        EXPECT_EQ(rows[i].key, keys[i]);
        EXPECT_EQ(rows[i].percentile, ps[i]);
        if (i + 1 < rows.size()) {
            EXPECT_EQ(rows[i].value, h.value_at_percentile(ps[i]));
        }
    }
    EXPECT_EQ(rows[0].value, h.highest_equivalent_value(50'000)); // rank 5000 is 50,000
    EXPECT_EQ(rows[4].value, h.highest_equivalent_value(99'900));
    EXPECT_EQ(h.highest_equivalent_value(99'990), 100'031u); // the max's bucket, [99,968, 100,031]:
    EXPECT_EQ(rows[5].value, 100'000u);                      // so p9999 is clamped to the exact max
    EXPECT_EQ(rows[6].value, 100'000u);

    auto empty = percentile_table(histogram(1, 3'600'000'000, 3));
    for (const percentile_row& row : empty) {
        EXPECT_EQ(row.value, 0u);
    }
}

TEST(format_latency_us, three_significant_digits) {
    const std::pair<std::uint64_t, const char*> rows[] = {
        {0, "0us"},
        {7, "7us"},
        {999, "999us"},
        {1000, "1.00ms"},
        {1234, "1.23ms"},
        {1235, "1.24ms"},
        {9995, "10.0ms"},
        {12'345, "12.3ms"},
        {123'456, "123ms"},
        {999'499, "999ms"},
        {999'500, "1.00s"},
        {1'234'567, "1.23s"},
        {59'990'000, "60.0s"},
        {123'456'789, "123s"},
        {3'600'000'000, "3600s"},
        {UINT64_MAX, "18400000000000s"},
    };
    for (const auto& [us, text] : rows) {
        EXPECT_EQ(format_latency_us(us), text) << us;
    }
}

TEST(format_percentile_table, aligned_rows) {
    histogram h(1, 3'600'000'000, 3);
    h.record(812);
    h.record(52'100);
    EXPECT_EQ(format_percentile_table(h), "  p50        812us\n"
                                          "  p90       52.1ms\n"
                                          "  p95       52.1ms\n"
                                          "  p99       52.1ms\n"
                                          "  p999      52.1ms\n"
                                          "  p9999     52.1ms\n"
                                          "  max       52.1ms\n");
}
