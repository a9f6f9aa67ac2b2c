// Reading a host: topology, NUMA, the NIC's queues and IRQs, through every layout sysfs
// uses (MSI-X under the device, a virtio NIC below its PCI function, IRQs only by name).
#include "tune/inspect.h"
#include "unit/tune/fake_host.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <stdexcept>

namespace rpslab::tune {
namespace {

TEST(tune_inspect, a_128_cpu_machine_with_smt_and_a_16_queue_nic) {
    test::fake_host host({.cpus = 128, .threads_per_core = 2, .queues = 16});
    host_root root(host.root());
    host_state h = inspect_host(root, "");
    EXPECT_EQ(h.topo.online.size(), 128u);
    EXPECT_EQ(h.topo.mask_width, 128);
    EXPECT_EQ(h.topo.threads_per_core(), 2);
    EXPECT_EQ(h.topo.cores.size(), 64u);
    EXPECT_EQ(h.topo.core_of(3), (cpu_set{3, 67}));
    EXPECT_EQ(h.topo.governors.at("powersave").size(), 128u);
    ASSERT_EQ(h.nics.size(), 1u);
    const nic_state& nic = h.nics[0];
    EXPECT_EQ(nic.name, "eth0");
    EXPECT_EQ(nic.rx.size(), 16u);
    EXPECT_EQ(nic.tx_queues, 16);
    EXPECT_EQ(nic.rx[10].name, "rx-10") << "queues in numeric order";
    EXPECT_EQ(nic.rx[0].rps_cpus, cpu_set{});
    EXPECT_EQ(nic.speed_mbps, 25000);
    ASSERT_EQ(nic.irqs.size(), 16u);
    EXPECT_EQ(nic.irqs[3].irq, 103);
    EXPECT_EQ(nic.irqs[3].name, "eth0-TxRx-3");
    EXPECT_EQ(nic.irqs[3].affinity->size(), 128u);
    EXPECT_EQ(nic.irqs[3].handled, (std::map<int, std::uint64_t>{{0, 1003}}));
    EXPECT_EQ(nic.irq_source, host.root() + "/sys/class/net/eth0/device/msi_irqs");
    EXPECT_EQ(h.virtual_ifaces, std::vector<std::string>{"lo"});
    EXPECT_TRUE(h.unreadable.empty()) << h.unreadable[0].path;
}

TEST(tune_inspect, two_numa_nodes_with_the_nic_on_node_1) {
    test::fake_host host({.cpus = 16, .nodes = 2, .nic_node = 1});
    host_root root(host.root());
    host_state h = inspect_host(root, "");
    ASSERT_EQ(h.topo.nodes.size(), 2u);
    EXPECT_EQ(h.topo.nodes.at(1), parse_cpu_list("8-15"));
    EXPECT_EQ(h.topo.node_of(9), 1);
    EXPECT_EQ(h.nics[0].numa_node, 1);
}

TEST(tune_inspect, a_virtio_nic_has_its_irqs_on_the_parent_pci_function) {
    test::fake_host host({.queues = 1, .nic_node = -1});
    // As on a VM: net/eth0/device -> .../0000:00:03.0/virtio2, msi_irqs one level up.
    host.remove("sys/class/net/eth0/device");
    host.write("sys/devices/pci0000:00/0000:00:03.0/msi_irqs/37", "msix\n");
    host.write("sys/devices/pci0000:00/0000:00:03.0/msi_irqs/100", "msix\n");
    host.write("sys/devices/pci0000:00/0000:00:03.0/numa_node", "-1\n");
    host.write("sys/devices/pci0000:00/0000:00:03.0/virtio2/vendor", "0x1af4\n");
    std::filesystem::create_directory_symlink("../../../devices/pci0000:00/0000:00:03.0/virtio2",
                                              host.root() + "/sys/class/net/eth0/device");
    host_root root(host.root());
    host_state h = inspect_host(root, "");
    ASSERT_EQ(h.nics.size(), 1u);
    ASSERT_EQ(h.nics[0].irqs.size(), 2u);
    EXPECT_EQ(h.nics[0].irqs[0].irq, 37);
    EXPECT_EQ(h.nics[0].irqs[1].irq, 100);
    EXPECT_EQ(h.nics[0].irq_source, host.root() + "/sys/class/net/eth0/device/../msi_irqs");
    EXPECT_EQ(h.nics[0].numa_node, -1);
}

TEST(tune_inspect, without_msi_irqs_the_irqs_are_found_by_name) {
    test::fake_host host({.queues = 2});
    host.remove("sys/class/net/eth0/device/msi_irqs");
    host_root root(host.root());
    host_state h = inspect_host(root, "");
    ASSERT_EQ(h.nics[0].irqs.size(), 2u);
    EXPECT_EQ(h.nics[0].irqs[1].name, "eth0-TxRx-1");
    EXPECT_EQ(h.nics[0].irq_source, "the /proc/interrupts rows named eth0-*");
}

TEST(tune_inspect, an_unknown_interface_is_refused) {
    test::fake_host host({});
    host_root root(host.root());
    EXPECT_THROW(inspect_host(root, "eth9"), std::invalid_argument);
}

TEST(tune_inspect, a_virtual_interface_can_be_named) {
    test::fake_host host({});
    host_root root(host.root());
    host_state h = inspect_host(root, "lo");
    ASSERT_EQ(h.nics.size(), 1u);
    EXPECT_EQ(h.nics[0].name, "lo");
    EXPECT_TRUE(h.nics[0].irqs.empty());
}

TEST(tune_inspect, missing_files_are_listed_and_the_rest_still_read) {
    test::fake_host host({});
    host.remove("proc/interrupts");
    host.remove("sys/devices/system/cpu/cpu5/topology");
    host.remove("proc/sys/net/core/somaxconn");
    host_root root(host.root());
    host_state h = inspect_host(root, "");
    std::vector<std::string> paths;
    for (const read_failure& f : h.unreadable) {
        EXPECT_EQ(f.reason(), "missing") << f.path;
        paths.push_back(f.path);
    }
    EXPECT_EQ(paths, (std::vector<std::string>{
                         host.root() + "/sys/devices/system/cpu/cpu5/topology/thread_siblings_list",
                         host.root() + "/proc/interrupts", host.root() + "/proc/sys/net/core/somaxconn"}));
    EXPECT_EQ(h.topo.online.size(), 8u);
    EXPECT_EQ(h.nics[0].irqs.size(), 4u) << "msi_irqs still name them";
    EXPECT_TRUE(h.nics[0].irqs[0].handled.empty());
    EXPECT_FALSE(h.sysctls.at("net.core.somaxconn"));
    EXPECT_EQ(h.sysctls.at("net.core.netdev_max_backlog"), "1000\n");
}

TEST(tune_inspect, unparseable_contents_are_listed_with_what_is_wrong) {
    test::fake_host host({});
    host.write("sys/class/net/eth0/queues/rx-1/rps_cpus", "ffffffffffffffffffffffffffffffff\n");
    host_root root(host.root());
    host_state h = inspect_host(root, "");
    ASSERT_EQ(h.unreadable.size(), 1u);
    EXPECT_EQ(h.unreadable[0].path, host.root() + "/sys/class/net/eth0/queues/rx-1/rps_cpus");
    EXPECT_NE(h.unreadable[0].reason().find("32-bit hex group"), std::string::npos) << h.unreadable[0].reason();
    EXPECT_FALSE(h.nics[0].rx[1].rps_cpus);
}

TEST(tune_inspect, irqbalance_and_the_open_files_limit) {
    test::fake_host with({.irqbalance = true});
    test::fake_host without({});
    host_root a(with.root()), b(without.root());
    EXPECT_EQ(inspect_host(a, "").irqbalance_pids, std::vector<int>{812});
    host_state h = inspect_host(b, "");
    EXPECT_TRUE(h.irqbalance_pids.empty());
    ASSERT_TRUE(h.open_files);
    EXPECT_EQ(h.open_files->soft, 1024u);
    EXPECT_EQ(h.open_files->hard, 524288u);
}

TEST(tune_inspect, obsolete_knobs_set_in_sysctl_conf_files) {
    test::fake_host host({});
    host.write("etc/sysctl.d/90-old-guide.conf", "# from a 2015 guide\nnet.core.somaxconn = 65535\n"
                                                 "net/ipv4/tcp_fack=1\n -net.ipv4.tcp_tw_recycle = 1\n");
    host.write("etc/sysctl.d/readme.txt", "net.ipv4.tcp_low_latency = 1\n");
    host_root root(host.root());
    host_state h = inspect_host(root, "");
    ASSERT_EQ(h.obsolete.size(), 2u);
    EXPECT_EQ(h.obsolete[0].key, "net.ipv4.tcp_fack");
    EXPECT_EQ(h.obsolete[0].where, host.root() + "/etc/sysctl.d/90-old-guide.conf:3");
    EXPECT_EQ(h.obsolete[1].key, "net.ipv4.tcp_tw_recycle");
}

} // namespace
} // namespace rpslab::tune

namespace rpslab::tune {
namespace {

// The ioctl only reads; lo has no channels to report on any kernel.
TEST(tune_ethtool, a_driver_without_channels_says_why) {
    channels_result lo = read_channels("lo");
    EXPECT_FALSE(lo.counts);
    EXPECT_NE(lo.error.find("ioctl ETHTOOL_GCHANNELS: "), std::string::npos) << lo.error;
    channels_result missing = read_channels("no-such-if0");
    EXPECT_FALSE(missing.counts);
    EXPECT_NE(missing.error.find("No such device"), std::string::npos) << missing.error;
    EXPECT_EQ(read_channels("an-interface-name-too-long").error, "interface name too long for the ethtool ioctl");
}

} // namespace
} // namespace rpslab::tune
