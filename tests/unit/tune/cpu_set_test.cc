// CPU lists and masks exactly as the kernel prints and accepts them: RPS masks are
// comma-separated 32-bit groups at any CPU count (the journal's 128-bit mistake).
#include "tune/cpu_set.h"

#include <gtest/gtest.h>
#include <stdexcept>

namespace rpslab::tune {
namespace {

cpu_set range(int first, int last) {
    cpu_set out;
    for (int c = first; c <= last; ++c) {
        out.push_back(c);
    }
    return out;
}

TEST(tune_cpu_list, parses_ranges_and_singles) {
    EXPECT_EQ(parse_cpu_list("0-3,8,10-11"), (cpu_set{0, 1, 2, 3, 8, 10, 11}));
    EXPECT_EQ(parse_cpu_list("5\n"), (cpu_set{5}));
    EXPECT_EQ(parse_cpu_list("3,1,1-2"), (cpu_set{1, 2, 3})) << "sorted, without duplicates";
    EXPECT_EQ(parse_cpu_list(""), cpu_set{});
    EXPECT_EQ(parse_cpu_list("\n"), cpu_set{}) << "how sysfs prints no CPUs";
}

TEST(tune_cpu_list, rejects_what_is_not_a_list) {
    for (const char* bad : {"3-1", "a", "1,,2", "-1", "1-", "0x3", "1 2", "9999999"}) {
        EXPECT_THROW(parse_cpu_list(bad), std::invalid_argument) << bad;
    }
}

TEST(tune_cpu_list, formats_as_ranges) {
    EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
    EXPECT_EQ(format_cpu_list({7}), "7");
    EXPECT_EQ(format_cpu_list({}), "");
    EXPECT_EQ(format_cpu_list(range(16, 127)), "16-127");
}

TEST(tune_cpu_mask, every_cpu_of_128_is_four_full_groups) {
    EXPECT_EQ(format_cpu_mask(range(0, 127), 128), "ffffffff,ffffffff,ffffffff,ffffffff");
}

TEST(tune_cpu_mask, every_cpu_of_72_has_a_short_leading_group) {
    EXPECT_EQ(format_cpu_mask(range(0, 71), 72), "ff,ffffffff,ffffffff");
}

TEST(tune_cpu_mask, small_machines_and_sparse_sets) {
    EXPECT_EQ(format_cpu_mask(range(0, 7), 8), "ff");
    EXPECT_EQ(format_cpu_mask({1}, 2), "2");
    EXPECT_EQ(format_cpu_mask({}, 2), "0");
    EXPECT_EQ(format_cpu_mask({}, 72), "00,00000000,00000000");
    EXPECT_EQ(format_cpu_mask({0, 33, 71}, 72), "80,00000002,00000001");
    EXPECT_EQ(format_cpu_mask(range(16, 127), 128), "ffffffff,ffffffff,ffffffff,ffff0000");
    EXPECT_EQ(format_cpu_mask(range(0, 31), 32), "ffffffff");
    EXPECT_EQ(format_cpu_mask({32}, 33), "1,00000000");
}

TEST(tune_cpu_mask, a_cpu_beyond_the_width_is_refused) {
    EXPECT_THROW(format_cpu_mask({8}, 8), std::invalid_argument);
    EXPECT_THROW(format_cpu_mask({0}, 0), std::invalid_argument);
}

TEST(tune_cpu_mask, parses_what_it_formats) {
    for (int width : {1, 2, 8, 31, 32, 33, 72, 128, 256}) {
        for (const cpu_set& cpus : {range(0, width - 1), cpu_set{}, cpu_set{width - 1}, range(width / 2, width - 1)}) {
            EXPECT_EQ(parse_cpu_mask(format_cpu_mask(cpus, width)), cpus) << width;
        }
    }
    EXPECT_EQ(parse_cpu_mask("00000000,00000003\n"), (cpu_set{0, 1}));
}

TEST(tune_cpu_mask, a_128_bit_string_without_commas_is_not_a_mask) {
    EXPECT_THROW(parse_cpu_mask("ffffffffffffffffffffffffffffffff"), std::invalid_argument);
    EXPECT_THROW(parse_cpu_mask("ff,,ff"), std::invalid_argument);
    EXPECT_THROW(parse_cpu_mask("fg"), std::invalid_argument);
}

TEST(tune_cpu_set_ops, union_intersection_difference) {
    EXPECT_EQ(cpu_union({0, 2}, {1, 2}), (cpu_set{0, 1, 2}));
    EXPECT_EQ(cpu_intersection({0, 2, 4}, {2, 3, 4}), (cpu_set{2, 4}));
    EXPECT_EQ(cpu_difference(range(0, 7), {0, 4}), (cpu_set{1, 2, 3, 5, 6, 7}));
}

} // namespace
} // namespace rpslab::tune
