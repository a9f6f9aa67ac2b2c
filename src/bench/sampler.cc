#include "bench/sampler.h"

#include "bench/process.h"
#include "core/clock.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <dirent.h>
#include <set>
#include <stdexcept>

namespace rpslab::bench {

namespace {

std::uint64_t to_u64(std::string_view t) {
    std::uint64_t v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
}

std::vector<std::string_view> split_ws(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
            ++i;
        }
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') {
            ++j;
        }
        if (j > i) {
            out.push_back(s.substr(i, j - i));
        }
        i = j + 1;
    }
    return out;
}

std::vector<pid_t> numeric_entries(const std::string& dir) {
    std::vector<pid_t> out;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        return out;
    }
    while (dirent* e = ::readdir(d)) {
        pid_t v = 0;
        auto [end, ec] = std::from_chars(e->d_name, e->d_name + std::char_traits<char>::length(e->d_name), v);
        if (ec == std::errc() && *end == '\0') {
            out.push_back(v);
        }
    }
    ::closedir(d);
    return out;
}

// The root and its descendants, from every process's parent pid.
std::vector<pid_t> tree_of(pid_t root, const process_sample& everyone) {
    std::multimap<pid_t, pid_t> children;
    for (const auto& [pid, line] : everyone.processes) {
        children.emplace(line.ppid, pid);
    }
    std::vector<pid_t> out{root};
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto [lo, hi] = children.equal_range(out[i]);
        for (auto it = lo; it != hi; ++it) {
            out.push_back(it->second);
        }
    }
    return out;
}

} // namespace

stat_line parse_stat_line(std::string_view text) {
    // comm may hold spaces and parentheses: it ends at the last ')'.
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        throw std::invalid_argument("not a /proc stat line");
    }
    auto fields = split_ws(text.substr(close + 1));
    // After comm: state(0) ppid(1) ... utime(11) stime(12).
    if (fields.size() < 13) {
        throw std::invalid_argument("short /proc stat line");
    }
    stat_line s;
    s.comm = std::string(text.substr(open + 1, close - open - 1));
    s.ppid = static_cast<pid_t>(to_u64(fields[1]));
    s.utime = to_u64(fields[11]);
    s.stime = to_u64(fields[12]);
    if (fields.size() > 36) {
        s.processor = static_cast<int>(to_u64(fields[36])); // field 39 of proc(5), counted from state
    }
    return s;
}

tree_sample take_tree_sample(pid_t root, const process_sample& everyone) {
    tree_sample s;
    for (pid_t pid : tree_of(root, everyone)) {
        const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
        bool any = false;
        for (pid_t tid : numeric_entries(task_dir)) {
            try {
                stat_line l = parse_stat_line(read_file(task_dir + "/" + std::to_string(tid) + "/stat"));
                s.thread_ticks[tid] = l.utime + l.stime;
                s.thread_names[tid] = l.comm;
                any = true;
            } catch (const std::invalid_argument&) {
            }
        }
        s.processes += any ? 1 : 0;
        if (auto p = everyone.processes.find(pid); p != everyone.processes.end()) {
            s.process_ticks[pid] = p->second.utime + p->second.stime;
        }
    }
    s.time_ns = core::monotonic_ns();
    return s;
}

tree_usage usage_between(const tree_sample& before, const tree_sample& after, long ticks_per_s) {
    tree_usage u;
    const double wall_s = static_cast<double>(after.time_ns - before.time_ns) / 1e9;
    const double tick_s = 1.0 / static_cast<double>(ticks_per_s);
    for (const auto& [tid, ticks] : after.thread_ticks) {
        auto it = before.thread_ticks.find(tid);
        std::uint64_t start = it == before.thread_ticks.end() ? 0 : it->second;
        double s = static_cast<double>(ticks >= start ? ticks - start : 0) * tick_s;
        double util = wall_s > 0 ? s / wall_s : 0;
        if (util > u.busiest_thread_util || u.busiest_thread.empty()) {
            u.busiest_thread_util = util;
            u.busiest_thread = after.thread_names.at(tid);
        }
    }
    for (const auto& [pid, ticks] : after.process_ticks) {
        auto it = before.process_ticks.find(pid);
        std::uint64_t start = it == before.process_ticks.end() ? 0 : it->second;
        u.cpu_s += static_cast<double>(ticks >= start ? ticks - start : 0) * tick_s;
    }
    u.processes = after.processes;
    u.threads = static_cast<int>(after.thread_ticks.size());
    return u;
}

void parse_host_stat(std::string_view text, host_sample& out) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        pos = end == std::string_view::npos ? text.size() : end + 1;
        auto f = split_ws(line);
        if (f.size() >= 2 && f[0] == "intr") {
            out.interrupts = to_u64(f[1]);
        } else if (f.size() >= 8 && f[0].size() > 3 && f[0].substr(0, 3) == "cpu") {
            cpu_counters c;
            c.cpu = static_cast<int>(to_u64(f[0].substr(3)));
            // user nice system idle iowait irq softirq steal [guest guest_nice: inside user]
            std::uint64_t total = 0;
            for (std::size_t i = 1; i < std::min<std::size_t>(f.size(), 9); ++i) {
                total += to_u64(f[i]);
            }
            c.total = total;
            c.softirq = to_u64(f[7]);
            c.steal = f.size() > 8 ? to_u64(f[8]) : 0;
            c.busy = total - to_u64(f[4]) - to_u64(f[5]) - c.steal;
            out.cpus.push_back(c);
        }
    }
}

std::uint64_t parse_net_dev_packets(std::string_view text) {
    std::uint64_t packets = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        pos = end == std::string_view::npos ? text.size() : end + 1;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            continue; // the two header lines
        }
        auto f = split_ws(line.substr(colon + 1));
        // rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes packets ...
        // A loopback packet is counted once sent and once received: count it once.
        const bool loopback = split_ws(line.substr(0, colon)).front() == "lo";
        if (f.size() >= 10) {
            packets += to_u64(f[1]) + (loopback ? 0 : to_u64(f[9]));
        }
    }
    return packets;
}

host_sample take_host_sample() {
    host_sample s;
    parse_host_stat(read_file("/proc/stat"), s);
    s.packets = parse_net_dev_packets(read_file("/proc/net/dev"));
    s.time_ns = core::monotonic_ns();
    return s;
}

host_usage host_between(const host_sample& before, const host_sample& after, const std::vector<int>& cpus) {
    host_usage u;
    std::set<int> wanted(cpus.begin(), cpus.end());
    std::uint64_t busy = 0, total = 0, softirq = 0, steal = 0;
    for (const cpu_counters& a : after.cpus) {
        if (!wanted.empty() && wanted.count(a.cpu) == 0) {
            continue;
        }
        auto b = std::find_if(before.cpus.begin(), before.cpus.end(), [&](const auto& c) { return c.cpu == a.cpu; });
        if (b == before.cpus.end()) {
            continue;
        }
        busy += a.busy - b->busy;
        total += a.total - b->total;
        softirq += a.softirq - b->softirq;
        steal += a.steal - b->steal;
    }
    if (total > 0) {
        const auto share = [total](std::uint64_t ticks) {
            return static_cast<double>(ticks) / static_cast<double>(total);
        };
        u.busy = share(busy);
        u.softirq = share(softirq);
        u.steal = share(steal);
    }
    const double wall_s = static_cast<double>(after.time_ns - before.time_ns) / 1e9;
    if (wall_s > 0) {
        u.interrupts_per_s = static_cast<double>(after.interrupts - before.interrupts) / wall_s;
        u.packets_per_s = static_cast<double>(after.packets - before.packets) / wall_s;
    }
    return u;
}

process_sample take_process_sample() {
    process_sample s;
    for (pid_t pid : numeric_entries("/proc")) {
        try {
            s.processes.emplace(pid, parse_stat_line(read_file("/proc/" + std::to_string(pid) + "/stat")));
        } catch (const std::invalid_argument&) {
            // exited while we looked
        }
    }
    return s;
}

other_work other_work_on(const process_sample& before, const process_sample& after, const std::set<pid_t>& ours,
                         const std::vector<int>& cpus, double wall_s, long ticks_per_s) {
    const std::set<int> wanted(cpus.begin(), cpus.end());
    constexpr pid_t kthreadd = 2; // the parent of every kernel thread
    pid_t top = 0;
    std::uint64_t top_ticks = 0, all_ticks = 0;
    for (const auto& [pid, now] : after.processes) {
        if (ours.count(pid) != 0 || pid == kthreadd || now.ppid == kthreadd || wanted.count(now.processor) == 0) {
            continue;
        }
        auto was = before.processes.find(pid);
        const std::uint64_t start = was == before.processes.end() ? 0 : was->second.utime + was->second.stime;
        const std::uint64_t used = now.utime + now.stime >= start ? now.utime + now.stime - start : 0;
        all_ticks += used;
        if (used > top_ticks) {
            top = pid;
            top_ticks = used;
        }
    }
    other_work out;
    if (top_ticks == 0 || wall_s <= 0 || wanted.empty()) {
        return out;
    }
    const double tick_s = 1.0 / static_cast<double>(ticks_per_s);
    out.share = static_cast<double>(all_ticks) * tick_s / (wall_s * static_cast<double>(wanted.size()));
    char share[32];
    std::snprintf(share, sizeof share, "%.0f%%", static_cast<double>(top_ticks) * tick_s / wall_s * 100);
    out.busiest = after.processes.at(top).comm + " (pid " + std::to_string(top) + ", " + share + " of a CPU)";
    return out;
}

} // namespace rpslab::bench
