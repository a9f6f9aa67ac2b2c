// Fake hosts for the tune tests: a sysfs/procfs tree in a temporary directory, shaped like
// a real machine (CPUs, SMT siblings, NUMA nodes, one NIC with queues and MSI-X IRQs, the
// sysctls, /proc/interrupts, irqbalance or not). Nothing here touches the real host.
#pragma once

#include <map>
#include <string>

namespace rpslab::tune::test {

struct machine {
    int cpus = 8;
    int threads_per_core = 1; // CPU i's siblings: i + k * (cpus / threads_per_core), as on x86
    int nodes = 1;            // CPUs split into equal consecutive ranges
    std::string iface = "eth0";
    int queues = 4;   // rx and tx each; one MSI-X IRQ per queue
    int nic_node = 0; // -1: not reported
    int first_irq = 100;
    bool irqbalance = false;
    std::string governor = "powersave"; // empty: no cpufreq
};

class fake_host {
public:
    explicit fake_host(const machine& m);
    ~fake_host();
    fake_host(const fake_host&) = delete;
    fake_host& operator=(const fake_host&) = delete;

    const std::string& root() const { return _root; }
    // Creates or replaces ROOT/rel, making its directories.
    void write(const std::string& rel, const std::string& text) const;
    std::string read(const std::string& rel) const;
    void remove(const std::string& rel) const;
    bool exists(const std::string& rel) const;

    // Every path under the root: a file maps to its bytes, a directory to "<dir>", a
    // symlink to "-> target". Two equal maps mean two byte-identical trees.
    std::map<std::string, std::string> contents() const;
    // contents() as one sorted listing, for comparisons that print well when they fail.
    std::string tree() const;

private:
    void build(const machine& m) const;
    void build_cpus(const machine& m) const;
    void build_nic(const machine& m) const;
    void build_proc(const machine& m) const;

    std::string _root;
};

// The all-zero mask text the kernel prints for `cpus` CPUs ("00,00000000,00000000" for 72).
std::string zero_mask(int cpus);

} // namespace rpslab::tune::test
