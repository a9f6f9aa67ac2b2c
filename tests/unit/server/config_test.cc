#include "server/config.h"

#include <gtest/gtest.h>
#include <stdexcept>

using namespace rpslab::server;

TEST(cpu_list, ranges_and_singles) {
    EXPECT_EQ(parse_cpu_list("2-4,7"), (std::vector<int>{2, 3, 4, 7}));
    EXPECT_EQ(parse_cpu_list("0"), (std::vector<int>{0}));
    for (const char* bad : {"", "a", "3-1", "1,,2", "-1", "1-", "99999"}) {
        EXPECT_THROW(parse_cpu_list(bad), std::invalid_argument) << bad;
    }
}

TEST(resolve, workers_default_to_cpus) {
    serve_config c;
    c.cpus = {affinity_cpus().front()};
    resolve(c);
    EXPECT_EQ(c.workers, 1u);
    serve_config d;
    resolve(d);
    EXPECT_EQ(d.workers, affinity_cpus().size());
}

TEST(resolve, refuses_cpus_outside_the_mask) {
    serve_config c;
    c.cpus = {CPU_SETSIZE - 1};
    EXPECT_THROW(resolve(c), std::invalid_argument);
}
