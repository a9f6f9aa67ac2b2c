// The integer formatters behind /compute and the seeded generator behind all the data:
// hand-checked values, so a change in rounding or in the stream shows up here first.
#include "app/decimal.h"
#include "app/prng.h"

#include <cstdint>
#include <gtest/gtest.h>
#include <limits>
#include <string>
#include <vector>

namespace rpslab::app {
namespace {

std::string u64_text(std::uint64_t v) {
    char buf[20];
    return std::string(buf, write_u64(buf, v));
}

std::string ratio_text(uint128 num, std::uint64_t den) {
    char buf[48];
    return std::string(buf, write_ratio_3dp(buf, num, den));
}

TEST(write_u64, edges) {
    EXPECT_EQ(u64_text(0), "0");
    EXPECT_EQ(u64_text(7), "7");
    EXPECT_EQ(u64_text(10), "10");
    EXPECT_EQ(u64_text(100000), "100000");
    EXPECT_EQ(u64_text(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
}

TEST(write_ratio_3dp, exact_values_keep_three_zeros) {
    EXPECT_EQ(ratio_text(0, 1), "0.000");
    EXPECT_EQ(ratio_text(0, 400000000), "0.000"); // zero variance: n * sum(p^2) == (sum p)^2
    EXPECT_EQ(ratio_text(5, 1), "5.000");
    EXPECT_EQ(ratio_text(100, 8), "12.500");
    EXPECT_EQ(ratio_text(1, 1000), "0.001");
}

TEST(write_ratio_3dp, rounds_to_nearest_away_from_ties) {
    EXPECT_EQ(ratio_text(1, 3), "0.333");
    EXPECT_EQ(ratio_text(2, 3), "0.667");
    EXPECT_EQ(ratio_text(100001, 3), "33333.667");
    EXPECT_EQ(ratio_text(10011, 20000), "0.501");   // 0.50055: past the midpoint
    EXPECT_EQ(ratio_text(4999, 10000000), "0.000"); // 0.0004999
    EXPECT_EQ(ratio_text(5001, 10000000), "0.001"); // 0.0005001
}

TEST(write_ratio_3dp, exact_ties_go_to_even) {
    EXPECT_EQ(ratio_text(1, 2000), "0.000");          // 0.0005 -> 0.000 (0 is even)
    EXPECT_EQ(ratio_text(3, 2000), "0.002");          // 0.0015 -> 0.002 (1 is odd)
    EXPECT_EQ(ratio_text(5, 2000), "0.002");          // 0.0025 -> 0.002
    EXPECT_EQ(ratio_text(7, 2000), "0.004");          // 0.0035 -> 0.004
    EXPECT_EQ(ratio_text(2001, 2000), "1.000");       // 1.0005 -> 1.000
    EXPECT_EQ(ratio_text(2003, 2000), "1.002");       // 1.0015 -> 1.002
    EXPECT_EQ(ratio_text(1999, 2000), "1.000");       // 0.9995 -> 1.000, carry into the integer
    EXPECT_EQ(ratio_text(1999999, 2000), "1000.000"); // 999.9995 -> 1000.000
    EXPECT_EQ(ratio_text(1997, 2000), "0.998");       // 0.9985 -> 0.998
    // The same ties with a large denominator, as a variance's n^2 gives.
    EXPECT_EQ(ratio_text(uint128{400000000} * 12345 + 200000, 400000000), "12345.000"); // .0005
    EXPECT_EQ(ratio_text(uint128{400000000} * 12345 + 600000, 400000000), "12345.002"); // .0015
}

TEST(write_ratio_3dp, handles_128_bit_numerators) {
    const uint128 big = uint128{1} << 100; // 1267650600228229401496703205376
    EXPECT_EQ(ratio_text(big, 1), "1267650600228229401496703205376.000");
    EXPECT_EQ(ratio_text(big, 1000), "1267650600228229401496703205.376");
    EXPECT_EQ(ratio_text(big + 1, 2), "633825300114114700748351602688.500");
    const auto max64 = std::numeric_limits<std::uint64_t>::max();
    EXPECT_EQ(ratio_text(max64, max64), "1.000");
    EXPECT_EQ(ratio_text(max64 / 2, max64), "0.500"); // just below one half
}

// Expected values from an independent Python model of splitmix64 + xoshiro256**; the
// splitmix64 stream itself starts with the published 0xe220a8397b1dcdaf for seed 0.
TEST(prng, matches_the_reference_stream) {
    prng rng(42);
    EXPECT_EQ(rng.next(), 0x15780b2e0c2ec716ULL);
    EXPECT_EQ(rng.next(), 0x6104d9866d113a7eULL);
    EXPECT_EQ(rng.next(), 0xae17533239e499a1ULL);
    prng picks(42);
    const std::vector<std::uint64_t> expected = {41, 189, 340, 462, 495, 384, 359, 425, 380, 291};
    for (const auto value : expected) {
        EXPECT_EQ(picks.below(500), value);
    }
}

TEST(prng, below_and_between_stay_in_range_and_cover_it) {
    prng rng(7);
    std::vector<int> seen(10, 0);
    for (int i = 0; i < 10000; ++i) {
        const auto v = rng.below(10);
        ASSERT_LT(v, 10u);
        ++seen[v];
    }
    for (const int count : seen) {
        EXPECT_GT(count, 800); // 1000 expected each
        EXPECT_LT(count, 1200);
    }
    for (int i = 0; i < 1000; ++i) {
        const auto v = rng.between(100, 102);
        ASSERT_GE(v, 100u);
        ASSERT_LE(v, 102u);
    }
    EXPECT_EQ(rng.below(1), 0u);
}

TEST(prng, seeds_give_different_streams) {
    prng a(1);
    prng b(2);
    EXPECT_NE(a.next(), b.next());
    prng c(0);
    EXPECT_NE(c.next(), 0u); // seed 0 is fine: splitmix64 fills the state
}

} // namespace
} // namespace rpslab::app
