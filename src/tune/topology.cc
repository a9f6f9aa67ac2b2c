#include "tune/topology.h"

#include "tune/text.h"

#include <algorithm>
#include <stdexcept>

namespace rpslab::tune {

namespace {

const std::string cpu_dir = "sys/devices/system/cpu/";

// A CPU list file, or nullopt when it cannot be read or parsed (a parse error is
// remembered like a read error would be: the report must not hide it).
std::optional<cpu_set> read_list(host_root& root, const std::string& rel) {
    auto text = root.read(rel);
    if (!text) {
        return std::nullopt;
    }
    try {
        return parse_cpu_list(*text);
    } catch (const std::invalid_argument& e) {
        root.remember_unparseable(rel, e.what());
        return std::nullopt;
    }
}

std::vector<cpu_set> read_cores(host_root& root, const cpu_set& online) {
    std::vector<cpu_set> cores;
    for (int cpu : online) {
        auto siblings = read_list(root, cpu_dir + "cpu" + std::to_string(cpu) + "/topology/thread_siblings_list");
        cpu_set core = siblings && !siblings->empty() ? cpu_intersection(*siblings, online) : cpu_set{cpu};
        if (std::find(cores.begin(), cores.end(), core) == cores.end()) {
            cores.push_back(core);
        }
    }
    return cores;
}

std::map<int, cpu_set> read_nodes(host_root& root, const cpu_set& online) {
    std::map<int, cpu_set> nodes;
    auto entries = root.list_if_present("sys/devices/system/node");
    for (const std::string& name : entries.value_or(std::vector<std::string>{})) {
        auto id = name.rfind("node", 0) == 0 ? parse_int(std::string_view(name).substr(4)) : std::nullopt;
        if (!id) {
            continue;
        }
        if (auto cpus = read_list(root, "sys/devices/system/node/" + name + "/cpulist")) {
            nodes[static_cast<int>(*id)] = cpu_intersection(*cpus, online);
        }
    }
    return nodes;
}

std::map<std::string, cpu_set> read_governors(host_root& root, const cpu_set& online) {
    std::map<std::string, cpu_set> governors;
    for (int cpu : online) {
        auto text = root.read_if_present(cpu_dir + "cpu" + std::to_string(cpu) + "/cpufreq/scaling_governor");
        if (text) {
            governors[std::string(trim(*text))].push_back(cpu);
        }
    }
    return governors;
}

} // namespace

int topology::threads_per_core() const {
    std::size_t most = 1;
    for (const cpu_set& core : cores) {
        most = std::max(most, core.size());
    }
    return static_cast<int>(most);
}

int topology::node_of(int cpu) const {
    for (const auto& [node, cpus] : nodes) {
        if (std::binary_search(cpus.begin(), cpus.end(), cpu)) {
            return node;
        }
    }
    return -1;
}

cpu_set topology::core_of(int cpu) const {
    for (const cpu_set& core : cores) {
        if (std::binary_search(core.begin(), core.end(), cpu)) {
            return core;
        }
    }
    return {cpu};
}

topology read_topology(host_root& root) {
    topology t;
    t.online = read_list(root, cpu_dir + "online").value_or(cpu_set{});
    auto possible = read_list(root, cpu_dir + "possible");
    if (possible && !possible->empty()) {
        t.mask_width = possible->back() + 1;
    } else if (!t.online.empty()) {
        t.mask_width = t.online.back() + 1;
    }
    t.cores = read_cores(root, t.online);
    t.nodes = read_nodes(root, t.online);
    t.governors = read_governors(root, t.online);
    return t;
}

} // namespace rpslab::tune
