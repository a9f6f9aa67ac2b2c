#include "bench/sampler.h"

#include <gtest/gtest.h>

using namespace rpslab::bench;

TEST(parse_stat_line, comm_with_spaces_and_parentheses) {
    stat_line s = parse_stat_line("4242 (nginx: worker (x)) S 4240 4240 4240 0 -1 4194624 100 0 0 0 "
                                  "1234 567 0 0 20 0 1 0 100 1000 10");
    EXPECT_EQ(s.comm, "nginx: worker (x)");
    EXPECT_EQ(s.ppid, 4240);
    EXPECT_EQ(s.utime, 1234u);
    EXPECT_EQ(s.stime, 567u);
    EXPECT_EQ(s.processor, -1); // a line this short does not say where it last ran
    // A full line: field 39 is the CPU it last ran on.
    std::string full = "77 (yes) R 1 77 77 0 -1 4194304 0 0 0 0 300 5 0 0 20 0 1 0 100 1000 10";
    for (int field = 25; field <= 38; ++field) {
        full += " 0";
    }
    EXPECT_EQ(parse_stat_line(full + " 1 0 0").processor, 1);
    EXPECT_THROW(parse_stat_line("garbage"), std::invalid_argument);
    EXPECT_THROW(parse_stat_line("1 (x) S 1 2"), std::invalid_argument);
}

TEST(usage_between, sums_threads_and_names_the_busiest) {
    tree_sample a, b;
    a.time_ns = 0;
    b.time_ns = 2'000'000'000;
    a.thread_ticks = {{10, 100}, {11, 50}};
    b.thread_ticks = {{10, 290}, {11, 60}, {12, 5}}; // 12 was born in between
    b.thread_names = {{10, "rpslab-w0"}, {11, "rpslab"}, {12, "new"}};
    // The process total keeps a thread that exited in between (20 more ticks than its live threads).
    a.process_ticks = {{10, 150}};
    b.process_ticks = {{10, 375}};
    b.processes = 1;
    tree_usage u = usage_between(a, b, 100);
    EXPECT_NEAR(u.cpu_s, 2.25, 1e-9);
    EXPECT_EQ(u.busiest_thread, "rpslab-w0");
    EXPECT_NEAR(u.busiest_thread_util, 0.95, 1e-9);
    EXPECT_EQ(u.threads, 3);
}

TEST(host_sample, proc_stat_and_net_dev) {
    host_sample a, b;
    parse_host_stat("cpu  1 2 3 4 5 6 7 8 0 0\n"
                    "cpu0 100 0 50 800 50 0 10 0 0 0\n"
                    "cpu1 10 0 10 970 10 0 0 0 0 0\n"
                    "intr 5000 1 2 3\n",
                    a);
    parse_host_stat("cpu0 200 0 150 800 50 0 60 0 0 0\n"
                    "cpu1 20 0 20 1050 10 0 0 0 0 0\n"
                    "intr 7000 1 2 3\n",
                    b);
    ASSERT_EQ(a.cpus.size(), 2u);
    EXPECT_EQ(a.interrupts, 5000u);
    a.time_ns = 0;
    b.time_ns = 1'000'000'000;
    host_usage cpu0 = host_between(a, b, {0});
    EXPECT_NEAR(cpu0.busy, 1.0, 1e-9); // 250 busy ticks of 250
    EXPECT_NEAR(cpu0.softirq, 0.2, 1e-9);
    host_usage cpu1 = host_between(a, b, {1});
    EXPECT_NEAR(cpu1.busy, 0.2, 1e-9);
    EXPECT_NEAR(host_between(a, b, {}).interrupts_per_s, 2000, 1e-9);

    EXPECT_EQ(parse_net_dev_packets("Inter-|   Receive |  Transmit\n"
                                    " face |bytes packets errs|bytes packets\n"
                                    "    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0\n"
                                    "  eth0: 5000 7 0 0 0 0 0 0 300 3 0 0 0 0 0 0\n"),
              20u); // lo: 10 packets (each counted sent and received), eth0: 7 + 3
}

TEST(host_sample, steal_is_never_busy) {
    host_sample a, b;
    parse_host_stat("cpu0 100 0 100 700 0 0 0 100 0 0\n", a);
    // 400 ticks: 100 user, 40 system, 20 hard irq, 40 softirq, 100 idle, 100 stolen.
    parse_host_stat("cpu0 200 0 140 800 0 20 40 200 0 0\n", b);
    host_usage u = host_between(a, b, {0});
    EXPECT_NEAR(u.busy, 0.5, 1e-9); // 200 of 400: the stolen 100 is not this guest's work
    EXPECT_NEAR(u.steal, 0.25, 1e-9);
    EXPECT_NEAR(u.softirq, 0.1, 1e-9);
}

namespace {

stat_line proc(const std::string& comm, std::uint64_t ticks, int cpu) {
    stat_line s;
    s.comm = comm;
    s.utime = ticks;
    s.processor = cpu;
    return s;
}

} // namespace

TEST(other_work_on, sums_what_is_not_ours_on_those_cpus_and_names_the_busiest) {
    process_sample a, b;
    a.processes = {{10, proc("rpslab", 0, 0)},
                   {20, proc("yes", 100, 0)},
                   {30, proc("make", 0, 1)},
                   {50, proc("ksoftirqd/0", 0, 0)}};
    b.processes = {{10, proc("rpslab", 500, 0)},
                   {20, proc("yes", 280, 0)},
                   {30, proc("make", 120, 1)},
                   {40, proc("cc1plus", 10, 0)}, // born in between: all its time counts
                   {50, proc("ksoftirqd/0", 90, 0)}};
    b.processes.at(50).ppid = 2; // a kernel thread: it does the traffic's own work
    // Over 2 s at 100 ticks/s on CPU 0: yes used 180 ticks and cc1plus 10, 95% of the CPU;
    // rpslab is ours and make ran on CPU 1.
    other_work cpu0 = other_work_on(a, b, {10}, {0}, 2.0, 100);
    EXPECT_NEAR(cpu0.share, 0.95, 1e-9);
    EXPECT_EQ(cpu0.busiest, "yes (pid 20, 90% of a CPU)");
    other_work both = other_work_on(a, b, {10}, {0, 1}, 2.0, 100);
    EXPECT_NEAR(both.share, 0.775, 1e-9); // 310 ticks of the two CPUs' 400
    EXPECT_EQ(both.busiest, "yes (pid 20, 90% of a CPU)");
    other_work none = other_work_on(a, b, {10, 20, 40}, {0}, 2.0, 100);
    EXPECT_EQ(none.share, 0);
    EXPECT_EQ(none.busiest, "");
}
