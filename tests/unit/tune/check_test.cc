// `tune check` says what a user must change and why: each finding names what it observed,
// what it expected and the fix, and nothing unreadable is passed off as fine.
#include "tune/check.h"
#include "tune/check_format.h"
#include "unit/tune/fake_host.h"

#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>

namespace rpslab::tune {
namespace {

const finding& find(const std::vector<finding>& findings, const std::string& topic) {
    for (const finding& f : findings) {
        if (f.topic == topic) {
            return f;
        }
    }
    throw std::runtime_error("no finding " + topic);
}

std::vector<finding> check(const test::fake_host& host, open_fn open = {}) {
    host_root root(host.root(), std::move(open));
    return check_host(inspect_host(root, ""));
}

TEST(tune_check, sixteen_queues_on_128_cpus_without_rps_is_a_warning) {
    test::fake_host host({.cpus = 128, .queues = 16});
    auto findings = check(host);
    const finding& rps = find(findings, "eth0 rps");
    EXPECT_EQ(rps.level, verdict::warn);
    EXPECT_EQ(rps.observed, "rx-0..rx-15: off");
    EXPECT_EQ(rps.fix, "rpslab tune plan --iface eth0 --rps workers");
    const finding& queues = find(findings, "eth0 queues");
    EXPECT_NE(queues.observed.find("16 rx, 16 tx queues"), std::string::npos) << queues.observed;
    EXPECT_NE(queues.observed.find("not asked"), std::string::npos) << "no ethtool ioctl on a fake root";
}

TEST(tune_check, irqs_allowed_everywhere_are_a_warning_and_pinned_ones_are_not) {
    test::fake_host host({.queues = 2});
    const finding irqs = find(check(host), "eth0 irqs");
    EXPECT_EQ(irqs.level, verdict::warn);
    EXPECT_NE(irqs.observed.find("100 (eth0-TxRx-0) -> 0-7 (effective 0); taken: cpu0 1000"), std::string::npos)
        << irqs.observed;
    host.write("proc/irq/100/smp_affinity_list", "0\n");
    host.write("proc/irq/101/smp_affinity_list", "1\n");
    EXPECT_EQ(find(check(host), "eth0 irqs").level, verdict::ok);
}

TEST(tune_check, irqbalance_present_is_a_warning_with_the_command_to_stop_it) {
    test::fake_host host({.irqbalance = true});
    const finding f = find(check(host), "irqbalance");
    EXPECT_EQ(f.level, verdict::warn);
    EXPECT_EQ(f.observed, "running (pid 812)");
    EXPECT_EQ(f.expected, "not running once IRQs are pinned");
    EXPECT_EQ(f.fix, "systemctl stop irqbalance && systemctl disable irqbalance");
    test::fake_host quiet({});
    EXPECT_EQ(find(check(quiet), "irqbalance").level, verdict::ok);
}

TEST(tune_check, irqbalance_hidden_from_this_user_is_unknown_not_absent) {
    test::fake_host hidden({}); // as with hidepid=2: other users' /proc/PID directories are not listed
    hidden.remove("proc/1");
    host_root root(hidden.root());
    host_state h = inspect_host(root, "");
    EXPECT_EQ(find(check_host(h), "irqbalance").level, verdict::unknown);
    ASSERT_EQ(h.unreadable.size(), 1u);
    EXPECT_EQ(h.unreadable[0].path, hidden.root() + "/proc/1");

    test::fake_host refused({.irqbalance = true}); // as with hidepid=1: listed, but not readable
    const std::string prefix = refused.root() + "/proc/";
    open_fn deny_comm = [prefix](const std::string& path, int flags) {
        if (path.starts_with(prefix) && path.ends_with("/comm")) {
            errno = EACCES;
            return -1;
        }
        return ::open(path.c_str(), flags | O_CLOEXEC);
    };
    host_root denied(refused.root(), deny_comm);
    host_state d = inspect_host(denied, "");
    EXPECT_EQ(find(check_host(d), "irqbalance").level, verdict::unknown);
    ASSERT_EQ(d.unreadable.size(), 1u) << "one line, not one per process";
    EXPECT_EQ(d.unreadable[0].path, refused.root() + "/proc/*/comm");
    EXPECT_EQ(d.unreadable[0].reason(), "permission denied (2 processes)");
}

TEST(tune_check, the_nic_on_node_1_with_irqs_allowed_on_node_0) {
    test::fake_host host({.cpus = 16, .nodes = 2, .nic_node = 1});
    const finding f = find(check(host), "numa");
    EXPECT_EQ(f.level, verdict::warn);
    EXPECT_NE(f.observed.find("eth0 on node1, with IRQs allowed off its node"), std::string::npos) << f.observed;
    for (int irq = 100; irq < 104; ++irq) {
        host.write("proc/irq/" + std::to_string(irq) + "/smp_affinity_list", std::to_string(irq - 92) + "\n");
    }
    EXPECT_EQ(find(check(host), "numa").level, verdict::ok);
}

TEST(tune_check, sysctls_below_target_come_with_the_command) {
    test::fake_host host({});
    auto findings = check(host);
    const finding& somaxconn = find(findings, "net.core.somaxconn");
    EXPECT_EQ(somaxconn.level, verdict::warn);
    EXPECT_EQ(somaxconn.observed, "4096");
    EXPECT_EQ(somaxconn.expected, ">= 65535");
    EXPECT_EQ(somaxconn.fix, "sysctl -w net.core.somaxconn=65535");
    EXPECT_FALSE(somaxconn.why.empty());
    const finding& ports = find(findings, "net.ipv4.ip_local_port_range");
    EXPECT_EQ(ports.fix, "sysctl -w net.ipv4.ip_local_port_range='1024 65535'");
    EXPECT_EQ(find(findings, "fs.file-max").level, verdict::ok);
    EXPECT_EQ(find(findings, "governor").level, verdict::warn);
    EXPECT_EQ(find(findings, "open files").level, verdict::warn);
}

TEST(tune_check, rfs_tables_that_disagree) {
    test::fake_host host({.queues = 4});
    EXPECT_EQ(find(check(host), "eth0 rfs").level, verdict::info) << "off is a choice";
    host.write("proc/sys/net/core/rps_sock_flow_entries", "32768\n");
    const finding half = find(check(host), "eth0 rfs");
    EXPECT_EQ(half.level, verdict::warn);
    EXPECT_NE(half.observed.find("queues with rps_flow_cnt 0 do not steer"), std::string::npos) << half.observed;
    for (int q = 0; q < 4; ++q) {
        host.write("sys/class/net/eth0/queues/rx-" + std::to_string(q) + "/rps_flow_cnt", "8192\n");
    }
    EXPECT_EQ(find(check(host), "eth0 rfs").level, verdict::ok);
    host.write("proc/sys/net/core/rps_sock_flow_entries", "0\n");
    EXPECT_EQ(find(check(host), "eth0 rfs").level, verdict::warn) << "per-queue tables without the global one";
}

TEST(tune_check, an_unreadable_sysctl_is_unknown_and_listed_with_the_reason) {
    test::fake_host host({});
    const std::string denied = host.root() + "/proc/sys/net/core/somaxconn";
    open_fn deny = [denied](const std::string& path, int flags) {
        if (path == denied) {
            errno = EACCES;
            return -1;
        }
        return ::open(path.c_str(), flags | O_CLOEXEC);
    };
    host_root root(host.root(), deny);
    host_state h = inspect_host(root, "");
    auto findings = check_host(h);
    EXPECT_EQ(find(findings, "net.core.somaxconn").level, verdict::unknown);
    std::string report = format_check(h, findings);
    EXPECT_NE(report.find("could not read: 1 files\n  " + denied + ": permission denied\n"), std::string::npos)
        << report;
    nlohmann::json j = check_json(h, findings);
    ASSERT_EQ(j["unreadable"].size(), 1u);
    EXPECT_EQ(j["unreadable"][0]["reason"], "permission denied");
    EXPECT_EQ(j["unreadable"][0]["errno"], EACCES);
}

TEST(tune_check, missing_irq_affinity_makes_the_irqs_unknown) {
    test::fake_host host({.queues = 2});
    host.remove("proc/irq/101");
    host_root root(host.root());
    host_state h = inspect_host(root, "");
    EXPECT_EQ(find(check_host(h), "eth0 irqs").level, verdict::unknown);
    ASSERT_EQ(h.unreadable.size(), 1u);
    EXPECT_EQ(h.unreadable[0].path, host.root() + "/proc/irq/101/smp_affinity_list");
}

TEST(tune_check, an_obsolete_knob_in_a_conf_file_names_the_line_to_remove) {
    test::fake_host host({});
    host.write("etc/sysctl.conf", "net.ipv4.tcp_low_latency=1\n");
    const finding f = find(check(host), "net.ipv4.tcp_low_latency");
    EXPECT_EQ(f.level, verdict::warn);
    EXPECT_EQ(f.fix, "remove it from " + host.root() + "/etc/sysctl.conf:1");
}

TEST(tune_check, every_warning_says_what_was_expected_why_and_the_fix) {
    test::fake_host host({.cpus = 16, .nodes = 2, .queues = 2, .nic_node = 1, .irqbalance = true});
    host.write("etc/sysctl.conf", "net.ipv4.tcp_fack = 1\n");
    host.write("proc/sys/net/core/rps_sock_flow_entries", "4096\n");
    auto findings = check(host);
    int warnings = 0;
    for (const finding& f : findings) {
        EXPECT_FALSE(f.observed.empty()) << f.topic;
        EXPECT_FALSE(f.why.empty()) << f.topic;
        if (f.level == verdict::warn) {
            ++warnings;
            EXPECT_FALSE(f.expected.empty()) << f.topic;
            EXPECT_FALSE(f.fix.empty()) << f.topic;
        }
    }
    EXPECT_EQ(warnings, 15) << "numa, governor, irqs, rps, rfs, irqbalance, 7 sysctls, tcp_fack, open files";
}

TEST(tune_check, text_report_shows_every_field_of_a_warning) {
    test::fake_host host({});
    host_root root(host.root());
    host_state h = inspect_host(root, "");
    std::string report = format_check(h, check_host(h));
    EXPECT_NE(report.find("[warn]    net.core.somaxconn\n          observed: 4096\n          expected: >= 65535\n"),
              std::string::npos)
        << report;
    EXPECT_NE(report.find("could not read: nothing\n"), std::string::npos);
    EXPECT_NE(report.find("virtual interfaces, not checked: lo\n"), std::string::npos);
}

} // namespace
} // namespace rpslab::tune
