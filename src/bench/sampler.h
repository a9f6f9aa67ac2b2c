// What the bench reads from /proc around a run: the CPU time of every thread of a process
// tree (a server with its workers, or the load generator), and the host's per-CPU busy,
// softirq and interrupt counts and packet counts. Parsing is pure, for the tests; the
// take_* functions read the live /proc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace rpslab::bench {

// One line of /proc/PID/stat or /proc/PID/task/TID/stat.
struct stat_line {
    std::string comm;
    pid_t ppid = 0;
    std::uint64_t utime = 0, stime = 0; // clock ticks
};
// Throws std::invalid_argument on text that is not a stat line.
stat_line parse_stat_line(std::string_view text);

struct tree_sample {
    std::int64_t time_ns = 0;                     // monotonic
    std::map<pid_t, std::uint64_t> thread_ticks;  // tid -> utime + stime
    std::map<pid_t, std::string> thread_names;    // tid -> comm
    std::map<pid_t, std::uint64_t> process_ticks; // pid -> utime + stime, exited threads included
    int processes = 0;
};

// Every thread of `root` and of its descendants (found by parent pid in /proc).
tree_sample take_tree_sample(pid_t root);

struct tree_usage {
    double cpu_s = 0;               // all threads, over the interval
    double busiest_thread_util = 0; // the busiest thread's share of one CPU
    std::string busiest_thread;     // its name
    int processes = 0, threads = 0;
};
// CPU time from the processes' totals, which keep the time of threads that exited; the
// busiest thread from the threads in both samples (threads born in between count all
// their time). A process born in between counts all its time; one that exited is lost.
tree_usage usage_between(const tree_sample& before, const tree_sample& after, long ticks_per_s);

struct cpu_counters {
    int cpu = 0;
    std::uint64_t busy = 0, total = 0, softirq = 0; // ticks; busy = total - idle - iowait
};

struct host_sample {
    std::int64_t time_ns = 0;
    std::vector<cpu_counters> cpus;
    std::uint64_t interrupts = 0; // /proc/stat "intr" total
    std::uint64_t packets = 0;    // rx + tx packets of every interface in /proc/net/dev
};

// The "cpuN" and "intr" lines of /proc/stat.
void parse_host_stat(std::string_view text, host_sample& out);
// Sum of rx and tx packets over /proc/net/dev.
std::uint64_t parse_net_dev_packets(std::string_view text);

host_sample take_host_sample();

struct host_usage {
    double busy = 0;    // of the CPUs asked about: busy ticks / total ticks
    double softirq = 0; // softirq ticks / total ticks of those CPUs
    double interrupts_per_s = 0;
    double packets_per_s = 0;
};
// Over `cpus` (empty: every CPU).
host_usage host_between(const host_sample& before, const host_sample& after, const std::vector<int>& cpus);

} // namespace rpslab::bench
