// The histogram's layout and index math against values worked out by hand from HdrHistogram's definitions,
// and its bookkeeping (min, max, mean, overflow, merge, reset, iteration) on small inputs.
#include "stats/histogram.h"
#include "unit/stats/samples.h"

#include <cmath>
#include <gtest/gtest.h>
#include <stdexcept>
#include <vector>

using namespace rpslab::stats;
using namespace rpslab::stats::test_data;

TEST(histogram_layout, load_generator_layout) {
    // 3 figures: sub_bucket_count = 2^ceil(log2(2000)) = 2048, half = 1024. 2048 << 21 = 4,294,967,296 is the
    // first power-of-two span above 3.6e9, so 22 buckets, and (22 + 1) × 1024 slots.
    histogram h = load_histogram();
    EXPECT_EQ(h.counts_length(), 23u * 1024u);
    EXPECT_EQ(histogram::counts_length_for(1, hour_us, 3), 23u * 1024u);
    // 1 figure: 2^ceil(log2(20)) = 32 sub-buckets; 2 figures: 256; 5 figures: 2^18.
    EXPECT_EQ(histogram::counts_length_for(1, 1000, 1), (6u + 1u) * 16u); // 32 << 5 = 1024 > 1000
    EXPECT_EQ(histogram::counts_length_for(1, 255, 2), (1u + 1u) * 128u); // 256 > 255: one bucket
    EXPECT_EQ(histogram::counts_length_for(1, 256, 2), (2u + 1u) * 128u); // 256 needs a second one
    // ns with lowest 1000: unit 2^9, so 2048 << 9 << 22 is the first span above 3.6e12: 23 buckets.
    EXPECT_EQ(histogram::counts_length_for(1000, hour_us * 1000, 3), 24u * 1024u);
}

TEST(histogram_layout, refuses_impossible_layouts) {
    EXPECT_TRUE(histogram::layout_error(0, 100, 3).has_value());
    EXPECT_TRUE(histogram::layout_error(10, 19, 3).has_value());
    EXPECT_FALSE(histogram::layout_error(10, 20, 3).has_value());
    EXPECT_TRUE(histogram::layout_error(1, 100, 6).has_value());
    EXPECT_TRUE(histogram::layout_error(1, 100, -1).has_value());
    EXPECT_FALSE(histogram::layout_error(1, 100, 0).has_value());
    EXPECT_TRUE(histogram::layout_error(1, std::uint64_t{1} << 63, 3).has_value());
    EXPECT_FALSE(histogram::layout_error(1, INT64_MAX, 5).has_value());
    // floor(log2(lowest)) + 10 (3 figures) may reach 61 but not 62.
    EXPECT_FALSE(histogram::layout_error(std::uint64_t{1} << 51, INT64_MAX, 3).has_value());
    EXPECT_TRUE(histogram::layout_error(std::uint64_t{1} << 52, INT64_MAX, 3).has_value());
    EXPECT_THROW(histogram(0, 100, 3), std::invalid_argument);
    try {
        histogram(5, 9, 3);
        FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("highest trackable value"), std::string::npos) << e.what();
    }
}

TEST(histogram_index, matches_hand_computed_slots) {
    histogram h = load_histogram();
    struct row {
        std::uint64_t value;
        std::size_t index;
        std::uint64_t lowest, highest;
    } rows[] = {
        {0, 0, 0, 0},
        {1, 1, 1, 1},
        {1000, 1000, 1000, 1000},
        {2047, 2047, 2047, 2047},                       // bucket 0 is exact below 2048
        {2048, 2048, 2048, 2049},                       // bucket 1: sub-bucket 1024, width 2
        {2049, 2048, 2048, 2049},                       //
        {4095, 3071, 4094, 4095},                       // bucket 1, sub-bucket 2047
        {4096, 3072, 4096, 4099},                       // bucket 2, width 4: (3 << 10) + 1024 - 1024
        {hour_us, 23220, 3'598'712'832, 3'600'809'983}, // bucket 21 (width 2^21), sub 1716
    };
    for (const row& r : rows) {
        SCOPED_TRACE(r.value);
        EXPECT_EQ(h.index_of(r.value), r.index);
        EXPECT_EQ(h.value_at_index(r.index), r.lowest);
        EXPECT_EQ(h.lowest_equivalent_value(r.value), r.lowest);
        EXPECT_EQ(h.highest_equivalent_value(r.value), r.highest);
    }
    EXPECT_EQ(h.median_equivalent_value(4096), 4098u);
    // Every slot's lowest value maps back to that slot, and slots are contiguous: walking them covers every
    // value once, in order.
    for (std::size_t i = 1; i < h.counts_length(); ++i) {
        std::uint64_t lowest = h.value_at_index(i);
        if (lowest > h.highest_trackable()) {
            break;
        }
        ASSERT_EQ(h.index_of(lowest), i);
        ASSERT_EQ(h.highest_equivalent_value(h.value_at_index(i - 1)) + 1, lowest) << i;
    }
}

TEST(histogram_index, nanosecond_layout_has_coarse_first_bucket) {
    histogram h(1000, hour_us * 1000, 3); // unit magnitude floor(log2(1000)) = 9
    EXPECT_EQ(h.index_of(0), 0u);
    EXPECT_EQ(h.index_of(511), 0u);
    EXPECT_EQ(h.index_of(512), 1u);
    EXPECT_EQ(h.highest_equivalent_value(1000), 1023u);
    EXPECT_EQ(h.index_of(2048u << 9), 2048u);
}

TEST(histogram_record, min_max_mean_are_exact) {
    histogram h = load_histogram();
    EXPECT_EQ(h.total_count(), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_EQ(h.value_at_percentile(50), 0u);
    h.record(123'457); // bucket width 64: lowest equivalent 123'456
    h.record(7, 3);
    h.record(1'000'001);
    h.record(99, 0); // a count of 0 changes nothing, not even min
    EXPECT_EQ(h.total_count(), 5u);
    EXPECT_EQ(h.min(), 7u);
    EXPECT_EQ(h.max(), 1'000'001u);
    EXPECT_DOUBLE_EQ(h.mean(), (123'457.0 + 21.0 + 1'000'001.0) / 5.0);
    EXPECT_EQ(h.counts()[h.index_of(7)], 3u);
    EXPECT_EQ(h.overflow_count(), 0u);
}

TEST(histogram_record, zero_is_a_value) {
    histogram h = load_histogram();
    h.record(0, 2);
    EXPECT_EQ(h.total_count(), 2u);
    EXPECT_EQ(h.counts()[0], 2u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.value_at_percentile(100), 0u);
}

TEST(histogram_record, values_above_highest_are_clamped_and_counted) {
    histogram h = load_histogram();
    h.record(5);
    h.record(hour_us + 1);
    h.record(UINT64_MAX, 2);
    h.record(hour_us); // exactly the highest is not an overflow
    EXPECT_EQ(h.total_count(), 5u);
    EXPECT_EQ(h.overflow_count(), 3u);
    EXPECT_EQ(h.max(), hour_us);
    EXPECT_EQ(h.counts()[h.index_of(hour_us)], 4u);
    EXPECT_EQ(h.value_at_percentile(100), hour_us);
}

TEST(histogram_record, stdev_of_exact_small_values) {
    histogram h = load_histogram();
    for (std::uint64_t v : {2, 4, 4, 4, 5, 5, 7, 9}) {
        h.record(v);
    }
    EXPECT_DOUBLE_EQ(h.mean(), 5.0);
    EXPECT_DOUBLE_EQ(h.stdev(), 2.0); // the textbook example; bucket 0 is exact
}

TEST(percentile_rank, follows_hdrhistogram) {
    EXPECT_EQ(percentile_rank(50, 0), 0u);
    EXPECT_EQ(percentile_rank(50, 1), 1u);
    EXPECT_EQ(percentile_rank(0, 1000), 1u);
    EXPECT_EQ(percentile_rank(-5, 1000), 1u);
    EXPECT_EQ(percentile_rank(50, 1000), 500u);
    EXPECT_EQ(percentile_rank(50, 1001), 501u);
    EXPECT_EQ(percentile_rank(99, 1000), 990u);
    EXPECT_EQ(percentile_rank(99.9, 1000), 999u); // 999.0000000000001 in doubles: the ulp rule keeps 999
    EXPECT_EQ(percentile_rank(99.99, 1000), 1000u);
    EXPECT_EQ(percentile_rank(100, 1000), 1000u);
    EXPECT_EQ(percentile_rank(250, 1000), 1000u);
    EXPECT_EQ(percentile_rank(std::nan(""), 1000), 1u);
    EXPECT_EQ(percentile_rank(100, UINT64_MAX), UINT64_MAX);
}

TEST(histogram_percentile, highest_equivalent_value_clamped_to_min_and_max) {
    histogram h = load_histogram();
    for (std::uint64_t v = 1; v <= 100; ++v) {
        h.record(v * 1000); // 1 ms .. 100 ms: bucket widths 1 .. 64
    }
    EXPECT_EQ(h.value_at_percentile(0), 1000u);
    EXPECT_EQ(h.value_at_percentile(1), 1000u);
    EXPECT_EQ(h.value_at_percentile(50), h.highest_equivalent_value(50'000)); // rank 50 is 50,000
    EXPECT_EQ(h.value_at_percentile(50), 50'015u);                            // width 32 at 50,000
    EXPECT_EQ(h.value_at_percentile(99), h.highest_equivalent_value(99'000));
    EXPECT_EQ(h.value_at_percentile(100), 100'000u); // not 100,031: clamped to the exact max
    std::vector<double> ps = {100, 0, 50, 99};
    std::vector<std::uint64_t> expected = {100'000, 1000, 50'015, h.highest_equivalent_value(99'000)};
    EXPECT_EQ(h.value_at_percentiles(ps), expected);
}

TEST(histogram_buckets, iterates_non_empty_buckets_in_order) {
    histogram h = load_histogram();
    h.record(4097, 2);
    h.record(3);
    h.record(4096);
    std::vector<histogram::bucket> seen(h.buckets().begin(), h.buckets().end());
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].index, 3u);
    EXPECT_EQ(seen[0].lowest, 3u);
    EXPECT_EQ(seen[0].highest, 3u);
    EXPECT_EQ(seen[0].count, 1u);
    EXPECT_EQ(seen[1].lowest, 4096u);
    EXPECT_EQ(seen[1].highest, 4099u);
    EXPECT_EQ(seen[1].count, 3u);
    histogram empty = load_histogram();
    EXPECT_TRUE(empty.buckets().begin() == empty.buckets().end());
}

TEST(histogram_merge, adds_everything_and_refuses_other_layouts) {
    histogram a = load_histogram();
    histogram b = load_histogram();
    a.record(10);
    b.record(5000, 2);
    b.record(hour_us * 2);
    a.merge(b);
    EXPECT_EQ(a.total_count(), 4u);
    EXPECT_EQ(a.overflow_count(), 1u);
    EXPECT_EQ(a.min(), 10u);
    EXPECT_EQ(a.max(), hour_us);
    EXPECT_DOUBLE_EQ(a.mean(), (10.0 + 10'000.0 + 3.6e9) / 4.0);
    EXPECT_EQ(a.counts()[a.index_of(5000)], 2u);

    histogram other(1, hour_us, 2);
    try {
        a.merge(other);
        FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("figures 3) vs (lowest 1, highest 3600000000, figures 2)"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(a.total_count(), 4u); // unchanged by the refused merge
}

TEST(histogram_reset, empties_and_keeps_layout) {
    histogram h = load_histogram();
    h.record(77, 5);
    h.record(hour_us + 5);
    h.reset();
    EXPECT_EQ(h.total_count(), 0u);
    EXPECT_EQ(h.overflow_count(), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_TRUE(h.buckets().begin() == h.buckets().end());
    h.record(9);
    EXPECT_EQ(h.min(), 9u);
    EXPECT_EQ(h.max(), 9u);
}

TEST(histogram_add_at_index, knows_only_the_bucket) {
    histogram h = load_histogram();
    EXPECT_TRUE(h.add_at_index(h.index_of(4096), 2)); // bucket [4096, 4099]
    EXPECT_EQ(h.min(), 4096u);
    EXPECT_EQ(h.max(), 4099u);
    EXPECT_DOUBLE_EQ(h.mean(), 4098.0); // the median equivalent value
    EXPECT_FALSE(h.add_at_index(h.counts_length(), 1));
    EXPECT_FALSE(h.add_at_index(0, UINT64_MAX));
    EXPECT_EQ(h.total_count(), 2u);
}
