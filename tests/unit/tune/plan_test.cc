// `tune plan` turns a host into the exact writes of a coherent layout, or refuses with a
// reason a user can act on.
#include "tune/plan.h"
#include "tune/plan_format.h"
#include "unit/tune/fake_host.h"

#include <gtest/gtest.h>
#include <stdexcept>

namespace rpslab::tune {
namespace {

tuning_plan plan_for(const test::fake_host& host, const plan_options& options = {}) {
    host_root root(host.root());
    return make_plan(inspect_host(root, ""), options);
}

// The value planned for `rel`, or "" when the plan leaves it alone.
std::string planned(const tuning_plan& plan, const std::string& rel) {
    for (const planned_write& w : plan.writes) {
        if (w.rel == rel) {
            return w.value;
        }
    }
    return "";
}

std::string rx(int queue, const char* file) {
    return "sys/class/net/eth0/queues/rx-" + std::to_string(queue) + "/" + file;
}

std::string affinity(int irq) {
    return "proc/irq/" + std::to_string(irq) + "/smp_affinity_list";
}

void expect_refused(const test::fake_host& host, const plan_options& o, const std::string& message) {
    try {
        plan_for(host, o);
        ADD_FAILURE() << "not refused; expected: " << message;
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
}

TEST(tune_plan, on_128_cpus_with_16_queues_each_irq_gets_a_cpu_and_rps_the_workers) {
    test::fake_host host({.cpus = 128, .queues = 16});
    tuning_plan plan = plan_for(host);
    EXPECT_EQ(format_cpu_list(plan.irq_cpus), "0-15");
    EXPECT_EQ(format_cpu_list(plan.worker_cpus), "16-127");
    for (int q = 0; q < 16; ++q) {
        EXPECT_EQ(planned(plan, affinity(100 + q)), std::to_string(q));
        EXPECT_EQ(planned(plan, rx(q, "rps_cpus")), "ffffffff,ffffffff,ffffffff,ffff0000");
    }
    EXPECT_EQ(plan.serve_command, "rpslab serve --workers 112 --cpus 16-127");
    EXPECT_EQ(planned(plan, rx(0, "rps_flow_cnt")), "") << "RFS unchanged without --rfs";
}

TEST(tune_plan, rps_all_on_128_cpus_is_four_full_groups) {
    test::fake_host host({.cpus = 128, .queues = 16});
    tuning_plan plan = plan_for(host, {.rps = rps_mode::all});
    EXPECT_EQ(planned(plan, rx(15, "rps_cpus")), "ffffffff,ffffffff,ffffffff,ffffffff");
}

TEST(tune_plan, rps_all_on_72_cpus_has_a_short_leading_group) {
    test::fake_host host({.cpus = 72, .queues = 8});
    tuning_plan plan = plan_for(host, {.rps = rps_mode::all});
    EXPECT_EQ(planned(plan, rx(0, "rps_cpus")), "ff,ffffffff,ffffffff");
    EXPECT_EQ(format_cpu_list(plan.irq_cpus), "0-7");
}

TEST(tune_plan, an_8_cpu_machine_keeps_three_quarters_for_workers) {
    test::fake_host host({.cpus = 8, .queues = 4});
    tuning_plan plan = plan_for(host);
    EXPECT_EQ(format_cpu_list(plan.irq_cpus), "0-1");
    EXPECT_EQ(format_cpu_list(plan.worker_cpus), "2-7");
    EXPECT_EQ(planned(plan, affinity(100)), "0");
    EXPECT_EQ(planned(plan, affinity(101)), "1");
    EXPECT_EQ(planned(plan, affinity(102)), "0");
    EXPECT_EQ(planned(plan, rx(0, "rps_cpus")), "fc");
}

TEST(tune_plan, with_the_nic_on_node_1_its_irqs_stay_on_node_1) {
    test::fake_host host({.cpus = 128, .nodes = 2, .queues = 16, .nic_node = 1});
    tuning_plan plan = plan_for(host);
    EXPECT_EQ(format_cpu_list(plan.irq_cpus), "64-79");
    EXPECT_EQ(planned(plan, affinity(100)), "64");
    EXPECT_EQ(format_cpu_list(plan.worker_cpus), "0-63,80-127");
    EXPECT_TRUE(plan.notes.empty() || plan.notes[0].find("NUMA") == std::string::npos);
    tuning_plan far = plan_for(host, {.irq_cpus = parse_cpu_list("0-3")});
    ASSERT_FALSE(far.notes.empty());
    EXPECT_EQ(far.notes[0], "IRQ CPU 0-3 is not on eth0's NUMA node 1");
}

TEST(tune_plan, dedicated_irq_cores_with_rps_on_the_workers) {
    test::fake_host host({.cpus = 16, .queues = 4});
    tuning_plan plan = plan_for(host, {.irq_cpus = parse_cpu_list("0-3"), .rps = rps_mode::workers});
    EXPECT_EQ(format_cpu_list(plan.worker_cpus), "4-15");
    EXPECT_EQ(planned(plan, rx(2, "rps_cpus")), "fff0");
    EXPECT_EQ(planned(plan, affinity(103)), "3");
    EXPECT_EQ(plan.serve_command, "rpslab serve --workers 12 --cpus 4-15");
}

TEST(tune_plan, smt_siblings_of_irq_cpus_run_no_worker) {
    test::fake_host host({.cpus = 16, .threads_per_core = 2, .queues = 4});
    tuning_plan plan = plan_for(host);
    EXPECT_EQ(format_cpu_list(plan.irq_cpus), "0-1,8-9") << "whole cores";
    EXPECT_EQ(format_cpu_list(plan.worker_cpus), "2-7,10-15");
    tuning_plan explicit_split = plan_for(host, {.irq_cpus = cpu_set{0}, .worker_cpus = parse_cpu_list("1-15")});
    ASSERT_FALSE(explicit_split.notes.empty());
    EXPECT_EQ(explicit_split.notes[0], "workers on CPU 8 share physical cores (SMT siblings) with IRQ CPUs");
}

TEST(tune_plan, rfs_is_sized_in_powers_of_two_per_queue) {
    test::fake_host host({.cpus = 16, .queues = 4});
    tuning_plan plan = plan_for(host, {.rfs_flows = 10000});
    EXPECT_EQ(planned(plan, "proc/sys/net/core/rps_sock_flow_entries"), "16384");
    EXPECT_EQ(planned(plan, rx(3, "rps_flow_cnt")), "4096");
    tuning_plan off = plan_for(host, {.rfs_flows = 0});
    EXPECT_EQ(planned(off, rx(3, "rps_flow_cnt")), "") << "already 0";
}

TEST(tune_plan, sysctls_governor_and_nothing_already_right) {
    test::fake_host host({});
    tuning_plan plan = plan_for(host);
    EXPECT_EQ(planned(plan, "proc/sys/net/core/somaxconn"), "65535");
    EXPECT_EQ(planned(plan, "proc/sys/net/ipv4/ip_local_port_range"), "1024 65535");
    EXPECT_EQ(planned(plan, "proc/sys/fs/file-max"), "") << "already above the target";
    EXPECT_EQ(planned(plan, "proc/sys/net/core/busy_poll"), "") << "advisory only";
    EXPECT_EQ(planned(plan, "sys/devices/system/cpu/cpu7/cpufreq/scaling_governor"), "performance");
    host.write("proc/sys/net/core/somaxconn", "131072\n");
    EXPECT_EQ(planned(plan_for(host), "proc/sys/net/core/somaxconn"), "") << "never lowered";
}

TEST(tune_plan, unsafe_layouts_are_refused) {
    test::fake_host host({.cpus = 8});
    expect_refused(host, {.irq_cpus = parse_cpu_list("0-7")}, "no CPU left for workers");
    expect_refused(host, {.irq_cpus = parse_cpu_list("6-9")}, "names CPU 8-9, which is not online on this host");
    expect_refused(host, {.worker_cpus = parse_cpu_list("0,200")}, "names CPU 200");
    expect_refused(host, {.irq_cpus = parse_cpu_list("0-1"), .worker_cpus = parse_cpu_list("1-7")},
                   "CPU 1 is in both --irq-cpus and --worker-cpus");
    expect_refused(host, {.worker_cpus = parse_cpu_list("0-7")}, "no CPU left for the NIC's IRQs");
    expect_refused(host, {.rfs_flows = std::uint64_t{1} << 30}, "--rfs is at most");
    expect_refused(host, {.iface = "eth7"}, "no interface eth7");
    test::fake_host one({.cpus = 1, .queues = 1});
    expect_refused(one, {}, "no CPU left for workers");
}

TEST(tune_plan, several_nics_need_iface) {
    test::fake_host host({});
    host.write("sys/class/net/eth1/device/numa_node", "0\n");
    host.write("sys/class/net/eth1/queues/rx-0/rps_cpus", "00\n");
    host.write("sys/class/net/eth1/queues/rx-0/rps_flow_cnt", "0\n");
    expect_refused(host, {}, "several NICs (eth0, eth1); choose one with --iface");
    host_root root(host.root());
    EXPECT_EQ(make_plan(inspect_host(root, "eth1"), {.iface = "eth1"}).iface, "eth1");
}

TEST(tune_plan, unreadable_targets_are_left_out_with_a_note) {
    test::fake_host host({.queues = 2});
    host.remove("proc/irq/101/smp_affinity_list");
    tuning_plan plan = plan_for(host);
    EXPECT_EQ(planned(plan, affinity(100)), "0");
    EXPECT_EQ(planned(plan, affinity(101)), "");
    bool noted = false;
    for (const std::string& n : plan.notes) {
        noted = noted || n == "not planned, unreadable: " + host.root() +
                                  "/proc/irq/101/smp_affinity_list (eth0 IRQ "
                                  "101 (eth0-TxRx-1) -> CPU 1)";
    }
    EXPECT_TRUE(noted);
}

TEST(tune_plan_format, commands_and_undo_are_exact) {
    test::fake_host host({.cpus = 72, .queues = 1, .irqbalance = true});
    tuning_plan plan = plan_for(host, {.rps = rps_mode::all});
    std::string text = format_plan(plan);
    const std::string r = host.root();
    EXPECT_NE(text.find("\nsystemctl stop irqbalance\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\necho ff,ffffffff,ffffffff > " + r + "/sys/class/net/eth0/queues/rx-0/rps_cpus  #"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\necho 00,00000000,00000000 > " + r + "/sys/class/net/eth0/queues/rx-0/rps_cpus\n"),
              std::string::npos)
        << "the undo writes the old mask back";
    EXPECT_NE(text.find("\necho '32768 60999' > " + r + "/proc/sys/net/ipv4/ip_local_port_range\n"), std::string::npos);
    EXPECT_NE(text.find("\necho 0-71 > " + r + "/proc/irq/100/smp_affinity_list\n"), std::string::npos);
    EXPECT_NE(text.find("\nsystemctl start irqbalance\n"), std::string::npos);
    EXPECT_NE(text.find("\nrpslab serve --workers 71 --cpus 1-71\n"), std::string::npos);
    nlohmann::json j = plan_json(plan);
    EXPECT_EQ(j["writes"].size(), plan.writes.size());
    EXPECT_EQ(j["first"][0], "systemctl stop irqbalance");
}

TEST(tune_same_value, compares_as_the_kernel_reads) {
    EXPECT_TRUE(same_value(value_kind::cpu_list, "0,1,2,3\n", "0-3"));
    EXPECT_TRUE(same_value(value_kind::cpu_mask, "00000000,0000000f", "f"));
    EXPECT_TRUE(same_value(value_kind::words, "1024\t65535\n", "1024 65535"));
    EXPECT_TRUE(same_value(value_kind::number, "65535\n", "65535"));
    EXPECT_FALSE(same_value(value_kind::number, "x", "x"));
    EXPECT_FALSE(same_value(value_kind::cpu_list, "0-3", "0-4"));
}

} // namespace
} // namespace rpslab::tune
