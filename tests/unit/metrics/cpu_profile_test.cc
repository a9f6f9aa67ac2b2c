#include "metrics/cpu_profile.h"

#include <cstdint>
#include <cstring>
#include <gtest/gtest.h>
#include <initializer_list>

namespace rpslab::metrics {
namespace {

using word = std::uint64_t;

std::string words(std::initializer_list<word> ws) {
    std::string out;
    for (word w : ws) {
        out.append(reinterpret_cast<const char*>(&w), sizeof w);
    }
    return out;
}

// A profile as gperftools writes it: header, records, trailer, maps text.
std::string profile(word period_us, const std::string& records, const std::string& maps) {
    return words({0, 3, 0, period_us, 0}) + records + words({0, 1, 0}) + maps;
}

const std::string maps = "00400000-00500000 r-xp 00000000 08:01 1 /bin/rpslab\n";

TEST(CpuProfile, ParsesHeaderRecordsAndMaps) {
    std::string p = profile(10000, words({3, 2, 0x401000, 0x402000}) + words({1, 1, 0x403000}), maps);
    cpu_profile_view v;
    std::string error;
    ASSERT_TRUE(parse_cpu_profile(p, v, error)) << error;
    EXPECT_EQ(v.period_us, 10000u);
    EXPECT_EQ(v.samples, 4u);
    EXPECT_EQ(v.records.size(), 7 * sizeof(word));
    EXPECT_EQ(v.maps, maps);
}

TEST(CpuProfile, RefusesWhatIsNotAWholeProfile) {
    std::string good = profile(10000, words({3, 2, 0x401000, 0x402000}), maps);
    cpu_profile_view v;
    std::string error;
    EXPECT_FALSE(parse_cpu_profile("", v, error));
    EXPECT_FALSE(parse_cpu_profile(words({1, 3, 0, 10000, 0}), v, error));
    EXPECT_EQ(error, "not a gperftools CPU profile (bad header)");
    // Every prefix that cuts the records or the trailer is refused (a profiler never stopped).
    const std::size_t trailer_end = good.size() - maps.size();
    for (std::size_t n = 0; n < trailer_end; ++n) {
        EXPECT_FALSE(parse_cpu_profile(std::string_view(good).substr(0, n), v, error)) << n;
    }
    EXPECT_TRUE(parse_cpu_profile(std::string_view(good).substr(0, trailer_end), v, error));
}

TEST(CpuProfile, MergeKeepsEverySampleAndOneMap) {
    std::string a = profile(10000, words({3, 2, 0x401000, 0x402000}), maps);
    std::string b = profile(10000, words({5, 1, 0x403000}), maps);
    std::string idle = profile(10000, "", maps);
    std::string merged, error;
    ASSERT_TRUE(merge_cpu_profiles({a, b, idle}, merged, error)) << error;
    EXPECT_EQ(merged, profile(10000, words({3, 2, 0x401000, 0x402000}) + words({5, 1, 0x403000}), maps));
    cpu_profile_view v;
    ASSERT_TRUE(parse_cpu_profile(merged, v, error));
    EXPECT_EQ(v.samples, 8u);
}

TEST(CpuProfile, MergeRefusesMixedPeriodsAndBrokenInputs) {
    std::string merged, error;
    EXPECT_FALSE(merge_cpu_profiles({profile(10000, "", maps), profile(5000, "", maps)}, merged, error));
    EXPECT_EQ(error, "the profiles were sampled at different periods");
    EXPECT_FALSE(merge_cpu_profiles({profile(10000, "", maps), "junk"}, merged, error));
    EXPECT_EQ(error.rfind("profile 1: ", 0), 0u) << error;
    EXPECT_FALSE(merge_cpu_profiles({}, merged, error));
}

} // namespace
} // namespace rpslab::metrics
