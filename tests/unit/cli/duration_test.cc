#include "cli/duration.h"

#include <gtest/gtest.h>
#include <stdexcept>

using namespace rpslab::cli;

TEST(duration, units) {
    EXPECT_EQ(parse_duration_ms("10"), 10000);
    EXPECT_EQ(parse_duration_ms("1.5s"), 1500);
    EXPECT_EQ(parse_duration_ms("250ms"), 250);
    EXPECT_EQ(parse_duration_ms("2m"), 120000);
    for (const char* bad : {"", "s", "-1", "1x", "1.2.3", "ms"}) {
        EXPECT_THROW(parse_duration_ms(bad), std::invalid_argument) << bad;
    }
}

TEST(bytes, units) {
    EXPECT_EQ(parse_bytes("100"), 100u);
    EXPECT_EQ(parse_bytes("16K"), 16384u);
    EXPECT_EQ(parse_bytes("64KiB"), 65536u);
    EXPECT_EQ(parse_bytes("16M"), 16u << 20);
    EXPECT_THROW(parse_bytes("12Q"), std::invalid_argument);
}
