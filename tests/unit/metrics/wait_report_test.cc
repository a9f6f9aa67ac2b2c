#include "metrics/wait_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace rpslab::metrics {
namespace {

constexpr std::int64_t second = 1'000'000'000;

TEST(WaitReport, DeltaSplitsTheWallTime) {
    wait_snapshot a, b;
    a.at_ns = 10 * second;
    b.at_ns = 12 * second;
    a.process_id = b.process_id = 7;
    a.thread_id = b.thread_id = 8;
    a.handling_ns = 100;
    b.handling_ns = 100 + second / 2;
    a.epoll_wait_ns = 5 * second;
    b.epoll_wait_ns = 6 * second;
    a.sched_known = b.sched_known = true;
    b.sched_delay_ns = 3000;
    b.lock_wait_ns[static_cast<std::size_t>(lock_id::test_fault)] = second / 4;
    b.requests = 42;
    wait_row r = wait_delta(3, a, b);
    EXPECT_EQ(r.worker, 3u);
    EXPECT_FALSE(r.restarted);
    EXPECT_EQ(r.wall_ns, 2u * second);
    EXPECT_EQ(r.handling_ns, static_cast<std::uint64_t>(second / 2));
    EXPECT_EQ(r.epoll_wait_ns, static_cast<std::uint64_t>(second));
    EXPECT_EQ(r.other_ns, static_cast<std::uint64_t>(second / 2));
    EXPECT_EQ(r.sched_delay_ns, 3000u);
    EXPECT_EQ(r.lock_wait_ns[static_cast<std::size_t>(lock_id::test_fault)], static_cast<std::uint64_t>(second / 4));
    EXPECT_EQ(r.requests, 42u);
    const std::string json = format_wait_json({r});
    EXPECT_NE(json.find("\"lock_wait_ns\":{\"pool\":0,\"test_fault\":250000000}"), std::string::npos) << json;
    const std::string text = format_wait_text({r});
    EXPECT_NE(text.find("0.500 (25.0%)"), std::string::npos) << text;
}

TEST(WaitReport, ARestartedWorkerCountsItsNewThreadFromZero) {
    wait_snapshot a, b;
    a.at_ns = 0;
    b.at_ns = second;
    a.thread_id = 8;
    b.thread_id = 9;
    a.sched_known = b.sched_known = true;
    a.sched_delay_ns = 5000;
    b.sched_delay_ns = 700;
    wait_row r = wait_delta(0, a, b);
    EXPECT_TRUE(r.restarted);
    EXPECT_EQ(r.sched_delay_ns, 700u);
}

TEST(WaitReport, AnEpollWaitInProgressCountsUpToTheSnapshot) {
    worker_metrics m;
    m.epoll_wait_ns.set(1000);
    m.epoll_wait_since_ns.set(5000);
    wait_snapshot s = take_wait_snapshot(m, 8000);
    if (core::metrics_enabled) {
        EXPECT_EQ(s.epoll_wait_ns, 4000u);
    }
}

TEST(WaitReport, ReadsThisThreadsSchedulerDelay) {
    std::uint64_t delay = 0;
    EXPECT_TRUE(
        read_sched_delay_ns(static_cast<std::uint64_t>(::getpid()), static_cast<std::uint64_t>(::gettid()), delay));
    EXPECT_FALSE(read_sched_delay_ns(static_cast<std::uint64_t>(::getpid()), 0, delay));
}

} // namespace
} // namespace rpslab::metrics
