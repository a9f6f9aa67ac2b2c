// Percentiles, mean, stdev and merging checked against exact statistics of sorted samples, for the shapes
// latency takes: uniform, exponential, bimodal and heavy-tailed, in µs and in ns layouts.
#include "stats/histogram.h"
#include "unit/stats/samples.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <vector>

using namespace rpslab::stats;
using namespace rpslab::stats::test_data;

namespace {

constexpr std::size_t sample_count = 200'000;
constexpr double checked_percentiles[] = {0, 0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100};

struct exact_stats {
    std::vector<std::uint64_t> sorted;
    double mean;
    double stdev;
    double root_mean_square;
};

exact_stats exact_of(std::vector<std::uint64_t> values) {
    exact_stats s;
    long double sum = 0;
    long double squares = 0;
    for (std::uint64_t v : values) {
        sum += static_cast<long double>(v);
        squares += static_cast<long double>(v) * static_cast<long double>(v);
    }
    auto n = static_cast<long double>(values.size());
    long double mean = sum / n;
    long double deviations = 0;
    for (std::uint64_t v : values) {
        deviations += (static_cast<long double>(v) - mean) * (static_cast<long double>(v) - mean);
    }
    s.mean = static_cast<double>(mean);
    s.stdev = static_cast<double>(std::sqrt(deviations / n));
    s.root_mean_square = static_cast<double>(std::sqrt(squares / n));
    std::sort(values.begin(), values.end());
    s.sorted = std::move(values);
    return s;
}

// The checks every distribution must pass, in a histogram of any layout.
//   1. value_at_percentile(p) is exactly HdrHistogram's answer for the sorted samples: the highest equivalent
//      value of the sample of rank percentile_rank(p, n), clamped to the exact max (p = 0: the exact min).
//   2. The stated precision: exact <= reported <= exact + max(exact / 1024, 2^unit_magnitude - 1), where
//      exact is that sample. With 3 figures a bucket's width is at most value / 1024 above the first
//      2048 × 2^unit values, and 2^unit below: a relative error under 0.098%, within the promised 0.1%.
//   3. min and max exact; the mean exact (the same sum divided by the same count); the stdev within the
//      bucket rounding: each value moves by at most value / 2048 to its bucket's midpoint, so by Minkowski's
//      inequality the stdev moves by at most rms(value) / 2048.
void check_against_exact(const histogram& h, const exact_stats& exact, std::uint64_t unit) {
    std::uint64_t n = exact.sorted.size();
    ASSERT_EQ(h.total_count(), n);
    EXPECT_EQ(h.min(), exact.sorted.front());
    EXPECT_EQ(h.max(), exact.sorted.back());
    EXPECT_DOUBLE_EQ(h.mean(), exact.mean);
    EXPECT_NEAR(h.stdev(), exact.stdev, exact.root_mean_square / 2048 + 1e-9);
    std::vector<std::uint64_t> all = h.value_at_percentiles(checked_percentiles);
    for (std::size_t i = 0; i < std::size(checked_percentiles); ++i) {
        double p = checked_percentiles[i];
        SCOPED_TRACE(p);
        std::uint64_t exact_value = exact.sorted[percentile_rank(p, n) - 1];
        std::uint64_t reported = h.value_at_percentile(p);
        EXPECT_EQ(all[i], reported);
        if (p == 0) {
            EXPECT_EQ(reported, exact.sorted.front());
        } else {
            EXPECT_EQ(reported, std::min(h.highest_equivalent_value(exact_value), exact.sorted.back()));
        }
        EXPECT_GE(reported, exact_value);
        EXPECT_LE(reported, exact_value + std::max(exact_value / 1024, unit - 1));
    }
}

class distributions : public ::testing::TestWithParam<distribution> {};

TEST_P(distributions, percentiles_match_sorted_samples_in_us) {
    std::vector<std::uint64_t> values = make_samples(GetParam(), sample_count, 20240611);
    histogram h(1, hour_us, 3);
    for (std::uint64_t v : values) {
        h.record(v);
    }
    ASSERT_EQ(h.overflow_count(), 0u) << "the sample set must stay in range for the exact comparison";
    check_against_exact(h, exact_of(values), 1);
}

TEST_P(distributions, percentiles_match_sorted_samples_in_ns) {
    // The same shapes in ns with lowest 1000 (unit 2^9 = 512 ns): the coarse first bucket is part of the bound.
    std::vector<std::uint64_t> values = make_samples(GetParam(), sample_count, 7);
    splitmix64 jitter(99);
    for (std::uint64_t& v : values) {
        v = v * 1000 + jitter.below(1000);
    }
    histogram h(1000, hour_us * 1000, 3);
    for (std::uint64_t v : values) {
        h.record(v);
    }
    check_against_exact(h, exact_of(values), 512);
}

TEST_P(distributions, merged_shards_equal_one_histogram) {
    // Per-thread recording merged at the end must equal recording everything in one place, bucket by bucket.
    std::vector<std::uint64_t> values = make_samples(GetParam(), sample_count, 31337);
    values.push_back(hour_us + 12345); // one overflow, in one shard only
    histogram single(1, hour_us, 3);
    std::vector<histogram> shards(4, histogram(1, hour_us, 3));
    for (std::size_t i = 0; i < values.size(); ++i) {
        single.record(values[i]);
        shards[(i * 7919) % shards.size()].record(values[i]);
    }
    histogram merged(1, hour_us, 3);
    for (const histogram& shard : shards) {
        merged.merge(shard);
    }
    ASSERT_TRUE(
        std::equal(merged.counts().begin(), merged.counts().end(), single.counts().begin(), single.counts().end()));
    EXPECT_EQ(merged.total_count(), single.total_count());
    EXPECT_EQ(merged.overflow_count(), 1u);
    EXPECT_EQ(merged.min(), single.min());
    EXPECT_EQ(merged.max(), single.max());
    EXPECT_EQ(merged.mean(), single.mean());
    EXPECT_EQ(merged.value_at_percentiles(checked_percentiles), single.value_at_percentiles(checked_percentiles));
}

INSTANTIATE_TEST_SUITE_P(latency_shapes, distributions,
                         ::testing::Values(distribution::uniform, distribution::exponential, distribution::bimodal,
                                           distribution::heavy_tailed),
                         [](const ::testing::TestParamInfo<distribution>& param_info) {
                             return name_of(param_info.param);
                         });

TEST(distribution_samples, have_the_intended_shapes) {
    // Guards the test data itself: a generator bug that made every set uniform would hollow out the tests.
    exact_stats exponential = exact_of(make_samples(distribution::exponential, 50'000, 1));
    EXPECT_NEAR(exponential.mean, 2000, 30);
    exact_stats bimodal = exact_of(make_samples(distribution::bimodal, 50'000, 1));
    EXPECT_LT(bimodal.sorted[percentile_rank(89, 50'000) - 1], 600u);
    EXPECT_GT(bimodal.sorted[percentile_rank(91, 50'000) - 1], 35'000u);
    exact_stats heavy = exact_of(make_samples(distribution::heavy_tailed, 50'000, 1));
    EXPECT_GT(heavy.sorted.back(), 1'000'000u); // a tail reaching past a second
    EXPECT_LT(heavy.sorted[percentile_rank(50, 50'000) - 1], 200u);
}

} // namespace
