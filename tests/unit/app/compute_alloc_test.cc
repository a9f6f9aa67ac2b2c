// DESIGN.md: nothing on the request path allocates after warm-up; /compute runs per
// request, so compute() must not allocate at all.
#include "app/orders.h"
#include "support/alloc_counter.h"
#include "unit/app/app_test_support.h"

#include <array>
#include <gtest/gtest.h>

namespace rpslab::app {
namespace {

TEST(orders_table, compute_does_not_allocate) {
    const auto& orders = test::orders_for(42);
    std::array<char, orders_table::max_compute_bytes> out{};
    std::size_t bytes = 0;
    const std::uint64_t before = rpslab::test::allocation_count();
    for (const std::size_t rows : {1u, 2u, 999u, 20000u}) {
        bytes += orders.compute(rows, out);
    }
    const std::uint64_t after = rpslab::test::allocation_count();
    EXPECT_EQ(after, before);
    EXPECT_GT(bytes, 0u);
}

// The counter itself works: a volatile pointer keeps the compiler from eliding the pair.
TEST(allocation_count, sees_an_allocation) {
    static int* volatile kept = nullptr;
    const std::uint64_t before = rpslab::test::allocation_count();
    kept = new int(7);
    const std::uint64_t after = rpslab::test::allocation_count();
    delete kept;
    EXPECT_EQ(after, before + 1);
}

} // namespace
} // namespace rpslab::app
