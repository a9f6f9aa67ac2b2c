// The pool's decisions under a fake clock: admission, CoDel shedding and its standing-queue
// detection, adaptive LIFO, client deadlines, the AIMD limit and thread scaling.
#include "pool/policy.h"

#include <gtest/gtest.h>

namespace rpslab::pool {
namespace {

constexpr std::int64_t ms = 1'000'000;

settings small() {
    settings s;
    s.min_threads = 1;
    s.max_threads = 4;
    s.queue_capacity = 64;
    s.target_ns = 5 * ms;
    s.interval_ns = 100 * ms;
    return s;
}

// A policy that has seen one 20 ms job finish, so it has a service time to estimate with.
policy warmed(settings s = small()) {
    policy p(s);
    p.on_complete(0, 0, 20 * ms);
    return p;
}

TEST(PoolPolicy, AdmitsIntoAnEmptyQueueAndRefusesAFullOne) {
    policy p(small());
    EXPECT_EQ(p.admit(0, 0, 0, 0), refusal::none);
    EXPECT_EQ(p.admit(0, 64, 0, 0), refusal::queue_full);
}

TEST(PoolPolicy, BeforeAnyJobFinishedQueuesOnlyOneRoundOfThreads) {
    policy p(small());
    EXPECT_EQ(p.admit(0, 3, 4, 0), refusal::none);
    EXPECT_EQ(p.admit(0, 4, 4, 0), refusal::overloaded);
    p.on_complete(0, 0, 1 * ms); // 1 ms jobs: a long queue is short in time
    EXPECT_EQ(p.admit(1000 * ms, 40, 4, 0), refusal::none);
}

TEST(PoolPolicy, RefusesWhatWouldWaitPastHalfTheTimeout) {
    policy p = warmed();
    // 4 threads at 20 ms: each job beyond them waits 5 ms more. Not overloaded, the timeout
    // is the 100 ms interval, so up to 50 ms of expected wait is admitted.
    EXPECT_EQ(p.admit(1000 * ms, 9, 4, 0), refusal::none);        // 10 in excess: 50 ms
    EXPECT_EQ(p.admit(1000 * ms, 10, 4, 0), refusal::overloaded); // 11 in excess: 55 ms
}

TEST(PoolPolicy, ARefusalMakesTheTargetTheTimeoutForAnInterval) {
    policy p = warmed();
    const std::int64_t t = 1000 * ms;
    EXPECT_FALSE(p.overloaded(t));
    EXPECT_EQ(p.admit_wait_ns(t), 50 * ms);
    ASSERT_EQ(p.admit(t, 64, 4, 0), refusal::queue_full);
    EXPECT_TRUE(p.overloaded(t + 1));
    EXPECT_EQ(p.admit_wait_ns(t + 1), 2'500'000);
    // Under overload the bound is the target: 1 job in excess (5 ms) is more than 2.5 ms.
    EXPECT_EQ(p.admit(t + 1, 1, 4, 0), refusal::overloaded);
    EXPECT_EQ(p.admit(t + 1, 0, 3, 0), refusal::none);
    EXPECT_FALSE(p.overloaded(t + 100 * ms + 1)); // the refusals themselves were the last pressure
}

TEST(PoolPolicy, AJobIsShedOnlyPastTheBudgetItWasAdmittedUnder) {
    policy p = warmed();
    const std::int64_t t = 1000 * ms;
    EXPECT_EQ(p.wait_budget_ns(t), 100 * ms); // not overloaded: the interval
    EXPECT_EQ(p.check_waited(t, t - 99 * ms, 100 * ms, 0), refusal::none);
    EXPECT_EQ(p.check_waited(t, t - 101 * ms, 100 * ms, 0), refusal::shed);
    p.on_pressure(t);
    EXPECT_EQ(p.wait_budget_ns(t), 5 * ms); // overloaded: the target, for jobs admitted now
    // A job let in before the overload keeps its interval-long budget.
    EXPECT_EQ(p.check_waited(t, t - 20 * ms, 100 * ms, 0), refusal::none);
    EXPECT_EQ(p.check_waited(t, t - 4 * ms, 5 * ms, 0), refusal::none);
    EXPECT_EQ(p.check_waited(t, t - 6 * ms, 5 * ms, 0), refusal::shed);
}

TEST(PoolPolicy, DropsAJobThatCannotMeetItsDeadline) {
    policy p = warmed();
    const std::int64_t t = 1000 * ms;
    // 20 ms of service left before a deadline 15 ms away: it cannot make it.
    EXPECT_EQ(p.check_waited(t, t - 1 * ms, 100 * ms, t + 15 * ms), refusal::deadline);
    EXPECT_EQ(p.check_waited(t, t - 1 * ms, 100 * ms, t + 25 * ms), refusal::none);
    // At admission, the expected wait counts too: 4 in excess is 20 ms, plus 20 ms to run.
    EXPECT_EQ(p.admit(t, 3, 4, t + 39 * ms), refusal::deadline);
    EXPECT_EQ(p.admit(t, 3, 4, t + 41 * ms), refusal::none);
}

TEST(PoolPolicy, AStandingQueueSwitchesToNewestFirstAndBack) {
    policy p = warmed();
    std::int64_t t = 1000 * ms;
    EXPECT_FALSE(p.serve_newest());
    // A whole interval in which every job waited more than the target.
    for (int i = 0; i <= 100; ++i, t += ms) {
        p.on_dequeue(t, 8 * ms);
    }
    p.on_dequeue(t + 1, 8 * ms); // the next interval begins: the last one is judged
    EXPECT_TRUE(p.serve_newest());
    EXPECT_TRUE(p.overloaded(t));
    EXPECT_EQ(p.wait_budget_ns(t), 5 * ms);
    // One job served at once in the next interval means the queue drained: FIFO again.
    p.on_dequeue(t + 2, 0);
    p.on_dequeue(t + 200 * ms, 8 * ms);
    EXPECT_FALSE(p.serve_newest());
}

TEST(PoolPolicy, WaitsUnderTheTargetNeverMakeAStandingQueue) {
    policy p = warmed();
    std::int64_t t = 1000 * ms;
    for (int i = 0; i < 1000; ++i, t += ms) {
        p.on_dequeue(t, 4 * ms);
        ASSERT_FALSE(p.serve_newest());
    }
}

TEST(PoolPolicy, AdaptiveLimitShrinksOnLateJobsAndGrowsOnTimelyOnes) {
    settings s = small();
    s.limit = limit_mode::adaptive;
    policy p(s);
    EXPECT_DOUBLE_EQ(p.concurrency_limit(), 4.0);
    EXPECT_EQ(p.admit(0, 0, 4, 0), refusal::limit);
    p.on_complete(1000 * ms, 10 * ms, 20 * ms); // waited past the 5 ms target
    EXPECT_DOUBLE_EQ(p.concurrency_limit(), 3.6);
    // More late jobs in the same interval are the same signal: no further decrease.
    for (int i = 0; i < 30; ++i) {
        p.on_complete(1000 * ms + i, 10 * ms, 20 * ms);
    }
    EXPECT_DOUBLE_EQ(p.concurrency_limit(), 3.6);
    for (int i = 0; i < 200; ++i) {
        p.on_complete(1001 * ms, 0, 20 * ms);
    }
    EXPECT_GT(p.concurrency_limit(), 4.0); // additive increase past the start
    EXPECT_EQ(p.admit(2000 * ms, 0, 4, 0), refusal::none);
}

TEST(PoolPolicy, AdaptiveLimitNeverFallsBelowOneJob) {
    settings s = small();
    s.min_threads = 0;
    s.limit = limit_mode::adaptive;
    policy p(s);
    for (int i = 0; i < 100; ++i) {
        p.on_complete(std::int64_t{i} * 200 * ms, 10 * ms, 20 * ms); // late, once per interval
    }
    EXPECT_DOUBLE_EQ(p.concurrency_limit(), 1.0);
    p.on_complete(100'000 * ms, 0, 20 * ms);
    EXPECT_DOUBLE_EQ(p.concurrency_limit(), 2.0); // +1/limit from the floor, not a jump
}

TEST(PoolPolicy, FixedLimitNeverRefusesForTheLimit) {
    policy p = warmed();
    for (int i = 0; i < 50; ++i) {
        p.on_complete(std::int64_t{i} * 200 * ms, 50 * ms, 20 * ms);
    }
    EXPECT_NE(p.admit(0, 0, 4, 0), refusal::limit);
}

TEST(PoolPolicy, SpawnsWhileJobsOutnumberIdleThreadsAndRetiresDownToTheMinimum) {
    policy p(small());
    EXPECT_TRUE(p.should_spawn(1, 0, 1));
    EXPECT_FALSE(p.should_spawn(1, 1, 1));
    EXPECT_FALSE(p.should_spawn(5, 0, 4)); // at --pool-max
    EXPECT_TRUE(p.should_retire(2));
    EXPECT_FALSE(p.should_retire(1)); // at --pool-min
}

TEST(PoolPolicy, RefusalNamesAreStable) {
    EXPECT_STREQ(refusal_name(refusal::queue_full), "queue_full");
    EXPECT_STREQ(refusal_name(refusal::overloaded), "overloaded");
    EXPECT_STREQ(refusal_name(refusal::shed), "shed");
    EXPECT_STREQ(refusal_name(refusal::deadline), "deadline");
    EXPECT_STREQ(refusal_name(refusal::limit), "limit");
}

} // namespace
} // namespace rpslab::pool
