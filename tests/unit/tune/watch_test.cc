// `tune watch`: rates from two snapshots of the kernel's counters, and the parsers of the
// procfs files they come from.
#include "tune/watch.h"
#include "unit/tune/fake_host.h"

#include <gtest/gtest.h>
#include <sstream>

namespace rpslab::tune {
namespace {

const cpu_rates& cpu_of(const interval_rates& r, int cpu) {
    for (const cpu_rates& c : r.cpus) {
        if (c.cpu == cpu) {
            return c;
        }
    }
    throw std::runtime_error("no cpu " + std::to_string(cpu));
}

TEST(tune_watch_sources, proc_stat_softirq_and_total_ticks_per_cpu) {
    auto ticks = parse_proc_stat("cpu  10 0 10 100 0 0 5 0 0 0\n"
                                 "cpu0 1 2 3 4 5 6 7 8 9 10\n"
                                 "cpu1 10 0 10 60 0 0 20 0 0 0\n"
                                 "intr 12345 0 0\n"
                                 "softirq 238185452 0 456877\n");
    ASSERT_EQ(ticks.size(), 2u);
    EXPECT_EQ(ticks[0].cpu, 0);
    EXPECT_EQ(ticks[0].softirq, 7u);
    EXPECT_EQ(ticks[0].total, 36u) << "user..steal; guest time is already inside user";
    EXPECT_EQ(ticks[1].softirq, 20u);
    EXPECT_EQ(ticks[1].total, 100u);
}

TEST(tune_watch_sources, softnet_stat_with_and_without_the_cpu_column) {
    // Since 5.10 the 13th column is the CPU; here CPU 1 is offline, so line 2 is CPU 2.
    auto modern = parse_softnet_stat(
        "077df1e8 00000000 0000000e 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
        "00000000 00000000 00000000 00000000\n"
        "00000010 00000002 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
        "00000000 00000002 00000000 00000000\n");
    ASSERT_EQ(modern.size(), 2u);
    EXPECT_EQ(modern[0].processed, 0x077df1e8u);
    EXPECT_EQ(modern[0].squeezed, 14u);
    EXPECT_EQ(modern[1].cpu, 2);
    EXPECT_EQ(modern[1].dropped, 2u);
    auto old = parse_softnet_stat("00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
                                  "00000000 00000000 00000000\n"
                                  "00000005 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
                                  "00000000 00000000 00000000\n");
    ASSERT_EQ(old.size(), 2u);
    EXPECT_EQ(old[1].cpu, 1) << "line order";
    EXPECT_EQ(old[1].processed, 5u);
}

TEST(tune_watch_sources, net_dev_counters_per_interface) {
    auto ifaces = parse_net_dev(
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
        "carrier compressed\n"
        "    lo: 501501423912 239347565    0    0    0     0          0         0 501501423912 239347565    0    0  "
        "  0     0       0          0\n"
        "  eth0: 72017339    2060    0    7    0     0          0         0   196074    1505    0    0    0     0  "
        "     0          0\n");
    ASSERT_EQ(ifaces.size(), 2u);
    EXPECT_EQ(ifaces[0].name, "lo");
    EXPECT_EQ(ifaces[0].rx_bytes, 501501423912u);
    EXPECT_EQ(ifaces[1].name, "eth0");
    EXPECT_EQ(ifaces[1].rx_packets, 2060u);
    EXPECT_EQ(ifaces[1].rx_dropped, 7u);
    EXPECT_EQ(ifaces[1].tx_bytes, 196074u);
    EXPECT_EQ(ifaces[1].tx_packets, 1505u);
}

snapshot first_snapshot() {
    snapshot s;
    s.time_ns = 1'000'000'000;
    s.nic_interrupts = {{0, 1000}, {1, 50}};
    s.ticks = {{0, 100, 1000}, {1, 0, 1000}};
    s.softnet = {{0, 4'294'967'000u, 10, 3}, {1, 0, 0, 0}};
    s.ifaces = {{"eth0", 1'000'000, 1000, 0, 500'000, 800}};
    return s;
}

TEST(tune_compute_rates, per_second_over_the_interval) {
    snapshot a = first_snapshot();
    snapshot b = a;
    b.time_ns = a.time_ns + 500'000'000; // half a second
    b.nic_interrupts = {{0, 6000}, {1, 50}};
    b.ticks = {{0, 125, 1050}, {1, 0, 1050}};
    b.softnet = {{0, 704u, 12, 4}, {1, 0, 0, 0}}; // processed wrapped past 2^32
    b.ifaces = {{"eth0", 3'000'000, 3000, 5, 1'500'000, 1800}};
    interval_rates r = compute_rates(a, b);
    EXPECT_DOUBLE_EQ(r.seconds, 0.5);
    ASSERT_EQ(r.cpus.size(), 2u);
    const cpu_rates& c0 = cpu_of(r, 0);
    EXPECT_DOUBLE_EQ(c0.nic_irqs_per_s, 10000.0);
    EXPECT_DOUBLE_EQ(c0.softirq_percent, 50.0);
    EXPECT_DOUBLE_EQ(c0.processed_per_s, 2000.0) << "(2^32 - 4294967000 + 704) / 0.5";
    EXPECT_DOUBLE_EQ(c0.dropped_per_s, 4.0);
    EXPECT_DOUBLE_EQ(c0.squeezed_per_s, 2.0);
    EXPECT_DOUBLE_EQ(cpu_of(r, 1).nic_irqs_per_s, 0.0);
    ASSERT_EQ(r.ifaces.size(), 1u);
    EXPECT_DOUBLE_EQ(r.ifaces[0].rx_packets_per_s, 4000.0);
    EXPECT_DOUBLE_EQ(r.ifaces[0].rx_bytes_per_s, 4'000'000.0);
    EXPECT_DOUBLE_EQ(r.ifaces[0].rx_dropped_per_s, 10.0);
    EXPECT_DOUBLE_EQ(r.ifaces[0].tx_packets_per_s, 2000.0);
    EXPECT_DOUBLE_EQ(r.ifaces[0].tx_bytes_per_s, 2'000'000.0);
}

TEST(tune_compute_rates, a_recreated_interface_counts_zero_not_a_huge_number) {
    snapshot a = first_snapshot();
    snapshot b = a;
    b.time_ns += 1'000'000'000;
    b.ifaces = {{"eth0", 10, 1, 0, 10, 1}, {"eth1", 5, 5, 0, 5, 5}};
    interval_rates r = compute_rates(a, b);
    ASSERT_EQ(r.ifaces.size(), 1u) << "eth1 appeared: no rate yet";
    EXPECT_DOUBLE_EQ(r.ifaces[0].rx_bytes_per_s, 0.0);
}

TEST(tune_compute_rates, no_time_no_rates) {
    snapshot a = first_snapshot();
    interval_rates r = compute_rates(a, a);
    EXPECT_TRUE(r.cpus.empty());
    EXPECT_TRUE(r.ifaces.empty());
}

TEST(tune_take_snapshot, reads_the_nic_irqs_per_cpu_from_a_fake_root) {
    test::fake_host host({.cpus = 4, .queues = 2});
    host.write("proc/stat", "cpu  1 1 1 1 1 1 1 1 0 0\ncpu0 1 0 0 9 0 0 2 0 0 0\n");
    host.write("proc/net/softnet_stat", "");
    host.write("proc/net/dev", "Inter-| x\n face | y\n  eth0: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0\n"
                               "    lo: 9 9 0 0 0 0 0 0 9 9 0 0 0 0 0 0\n");
    host_root root(host.root());
    snapshot s = take_snapshot(root, {100, 101}, {"eth0"}, 42);
    EXPECT_EQ(s.time_ns, 42);
    EXPECT_EQ(s.nic_interrupts.at(0), 1000u + 1001u);
    EXPECT_EQ(s.nic_interrupts.at(3), 0u);
    ASSERT_EQ(s.ticks.size(), 1u);
    EXPECT_EQ(s.ticks[0].softirq, 2u);
    ASSERT_EQ(s.ifaces.size(), 1u) << "only the watched interface";
    EXPECT_EQ(s.ifaces[0].tx_packets, 4u);
    EXPECT_TRUE(root.failures().empty());
}

TEST(tune_run_watch, prints_one_json_line_per_interval) {
    test::fake_host host({.cpus = 2, .queues = 1});
    host.write("proc/stat", "cpu0 1 0 0 9 0 0 2 0 0 0\ncpu1 1 0 0 9 0 0 2 0 0 0\n");
    host.write("proc/net/softnet_stat", "");
    host.write("proc/net/dev", "Inter-| x\n face | y\n  eth0: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0\n");
    host_root root(host.root());
    std::ostringstream out;
    run_watch(root, {.irqs = {100}, .ifaces = {}, .interval_ms = 10, .duration_ms = 30, .json = true}, out);
    std::istringstream lines(out.str());
    int count = 0;
    for (std::string line; std::getline(lines, line); ++count) {
        nlohmann::json j = nlohmann::json::parse(line);
        EXPECT_EQ(j["cpus"].size(), 2u);
        EXPECT_EQ(j["ifaces"][0]["name"], "eth0");
        EXPECT_EQ(j["ifaces"][0]["rx_packets_per_s"], 0.0) << "a fake tree's counters stand still";
    }
    EXPECT_EQ(count, 3);
}

} // namespace
} // namespace rpslab::tune
