#include "unit/tune/fake_host.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace rpslab::tune::test {

namespace {

namespace fs = std::filesystem;

std::string range(int first, int last) {
    return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

std::string interrupts_header(int cpus) {
    std::string line = "   ";
    for (int c = 0; c < cpus; ++c) {
        std::string col = "CPU" + std::to_string(c);
        line += std::string(11 - col.size(), ' ') + col;
    }
    return line + "\n";
}

std::string interrupts_row(const std::string& label, int cpus, std::uint64_t count_on_0, const std::string& desc) {
    std::string line = label + ":";
    for (int c = 0; c < cpus; ++c) {
        std::string n = std::to_string(c == 0 ? count_on_0 : 0);
        line += std::string(11 - std::min<std::size_t>(n.size(), 10), ' ') + n;
    }
    return line + "  " + desc + "\n";
}

} // namespace

std::string zero_mask(int cpus) {
    std::string out;
    for (int bits = cpus; bits > 0; bits -= 32) {
        int digits = bits % 32 == 0 || bits > 32 ? 8 : (bits % 32 + 3) / 4;
        out = std::string(static_cast<std::size_t>(digits), '0') + (out.empty() ? "" : ",") + out;
    }
    return out;
}

fake_host::fake_host(const machine& m) {
    std::string pattern = (fs::temp_directory_path() / "rpslab-tune-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    _root = pattern;
    build(m);
}

fake_host::~fake_host() {
    std::error_code ignored;
    fs::remove_all(_root, ignored);
}

void fake_host::write(const std::string& rel, const std::string& text) const {
    fs::path p = fs::path(_root) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
        throw std::runtime_error("cannot write " + p.string());
    }
}

std::string fake_host::read(const std::string& rel) const {
    std::ifstream in(fs::path(_root) / rel, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void fake_host::remove(const std::string& rel) const {
    fs::remove_all(fs::path(_root) / rel);
}

bool fake_host::exists(const std::string& rel) const {
    return fs::exists(fs::symlink_status(fs::path(_root) / rel));
}

std::map<std::string, std::string> fake_host::contents() const {
    std::map<std::string, std::string> out;
    for (auto it = fs::recursive_directory_iterator(_root); it != fs::recursive_directory_iterator(); ++it) {
        const std::string rel = fs::relative(it->path(), _root).string();
        if (it->is_symlink()) {
            out[rel] = "-> " + fs::read_symlink(it->path()).string();
        } else if (it->is_directory()) {
            out[rel] = "<dir>";
        } else {
            out[rel] = read(rel);
        }
    }
    return out;
}

std::string fake_host::tree() const {
    std::string out;
    for (const auto& [rel, bytes] : contents()) {
        out += rel + " = " + bytes + (bytes.ends_with('\n') ? "" : "\n");
    }
    return out;
}

void fake_host::build(const machine& m) const {
    build_cpus(m);
    build_nic(m);
    build_proc(m);
}

void fake_host::build_cpus(const machine& m) const {
    const std::string cpu = "sys/devices/system/cpu/";
    write(cpu + "online", range(0, m.cpus - 1) + "\n");
    write(cpu + "possible", range(0, m.cpus - 1) + "\n");
    const int cores = m.cpus / m.threads_per_core;
    for (int c = 0; c < m.cpus; ++c) {
        std::string siblings;
        for (int t = 0; t < m.threads_per_core; ++t) {
            siblings += (t ? "," : "") + std::to_string(c % cores + t * cores);
        }
        write(cpu + "cpu" + std::to_string(c) + "/topology/thread_siblings_list", siblings + "\n");
        if (!m.governor.empty()) {
            write(cpu + "cpu" + std::to_string(c) + "/cpufreq/scaling_governor", m.governor + "\n");
        }
    }
    const int per_node = m.cpus / m.nodes;
    for (int n = 0; n < m.nodes; ++n) {
        write("sys/devices/system/node/node" + std::to_string(n) + "/cpulist",
              range(n * per_node, (n + 1) * per_node - 1) + "\n");
    }
}

void fake_host::build_nic(const machine& m) const {
    const std::string base = "sys/class/net/" + m.iface + "/";
    write(base + "speed", "25000\n");
    write(base + "napi_defer_hard_irqs", "0\n");
    write(base + "gro_flush_timeout", "0\n");
    write(base + "device/numa_node", std::to_string(m.nic_node) + "\n");
    for (int q = 0; q < m.queues; ++q) {
        write(base + "device/msi_irqs/" + std::to_string(m.first_irq + q), "msix\n");
        write(base + "queues/rx-" + std::to_string(q) + "/rps_cpus", zero_mask(m.cpus) + "\n");
        write(base + "queues/rx-" + std::to_string(q) + "/rps_flow_cnt", "0\n");
        write(base + "queues/tx-" + std::to_string(q) + "/xps_cpus", zero_mask(m.cpus) + "\n");
        const std::string irq = "proc/irq/" + std::to_string(m.first_irq + q) + "/";
        write(irq + "smp_affinity_list", range(0, m.cpus - 1) + "\n");
        write(irq + "effective_affinity_list", "0\n");
    }
    write("sys/class/net/lo/queues/rx-0/rps_cpus", zero_mask(m.cpus) + "\n");
    write("sys/class/net/lo/queues/rx-0/rps_flow_cnt", "0\n");
}

void fake_host::build_proc(const machine& m) const {
    std::string interrupts = interrupts_header(m.cpus);
    interrupts += interrupts_row("  0", m.cpus, 40, "IO-APIC   2-edge      timer");
    for (int q = 0; q < m.queues; ++q) {
        interrupts += interrupts_row(std::to_string(m.first_irq + q), m.cpus, 1000 + q,
                                     "PCI-MSIX-0000:3b:00.0 " + std::to_string(q) + "-edge      " + m.iface + "-TxRx-" +
                                         std::to_string(q));
    }
    interrupts += interrupts_row("NMI", m.cpus, 0, "Non-maskable interrupts");
    write("proc/interrupts", interrupts);
    const std::pair<const char*, const char*> sysctls[] = {
        {"net/core/somaxconn", "4096"},
        {"net/ipv4/tcp_max_syn_backlog", "2048"},
        {"net/core/netdev_max_backlog", "1000"},
        {"net/ipv4/ip_local_port_range", "32768\t60999"},
        {"net/ipv4/tcp_tw_reuse", "2"},
        {"net/core/rmem_max", "212992"},
        {"net/core/wmem_max", "212992"},
        {"fs/file-max", "9223372036854775807"},
        {"net/core/busy_poll", "0"},
        {"net/core/busy_read", "0"},
        {"net/core/rps_sock_flow_entries", "0"},
    };
    for (const auto& [key, value] : sysctls) {
        write(std::string("proc/sys/") + key, std::string(value) + "\n");
    }
    write("proc/self/limits", "Limit                     Soft Limit           Hard Limit           Units     \n"
                              "Max open files            1024                 524288               files     \n");
    write("proc/1/comm", "systemd\n");
    if (m.irqbalance) {
        write("proc/812/comm", "irqbalance\n");
    }
}

} // namespace rpslab::tune::test
