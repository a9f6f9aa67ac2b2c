// What the bench reads from /proc around a run: the CPU time of every thread of a process
// tree (a server with its workers, or the load generator), the host's per-CPU busy,
// softirq and steal time, interrupt and packet counts, and every process's CPU time (to
// name what else ran on the measured CPUs). Parsing is pure, for the tests; the
// take_* functions read the live /proc.
#pragma once

#include <cstdint>
#include <map>
#include <set>
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
    int processor = -1;                 // the CPU it last ran on (-1: the line is too old to say)
};
// Throws std::invalid_argument on text that is not a stat line.
stat_line parse_stat_line(std::string_view text);

// Every process on the host: its stat line, by pid.
struct process_sample {
    std::map<pid_t, stat_line> processes;
};
process_sample take_process_sample();

struct tree_sample {
    std::int64_t time_ns = 0;                     // monotonic
    std::map<pid_t, std::uint64_t> thread_ticks;  // tid -> utime + stime
    std::map<pid_t, std::string> thread_names;    // tid -> comm
    std::map<pid_t, std::uint64_t> process_ticks; // pid -> utime + stime, exited threads included
    int processes = 0;
};

// Every thread of `root` and of its descendants, found by parent pid in `everyone` (taken
// just before, so one scan of /proc serves both samples).
tree_sample take_tree_sample(pid_t root, const process_sample& everyone);

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
    // Ticks. busy = total - idle - iowait - steal: time the hypervisor gave to another
    // guest is not work done on this machine, so it never makes a CPU look saturated.
    std::uint64_t busy = 0, total = 0, softirq = 0, steal = 0;
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
    double steal = 0;   // likewise for time stolen by the hypervisor
    double interrupts_per_s = 0;
    double packets_per_s = 0;
};
// Over `cpus` (empty: every CPU).
host_usage host_between(const host_sample& before, const host_sample& after, const std::vector<int>& cpus);

// CPU time used between the samples by processes outside `ours` that were last seen on one
// of `cpus`, as a share of those CPUs, and the busiest of them: "yes (pid 4242, 97% of a
// CPU)". Kernel threads are left out: ksoftirqd and the kworkers do the measured traffic's
// own work. Where a process last ran is where it was at the second sample: exact for a
// pinned process, a hint for one that moves (reports say "e.g.").
struct other_work {
    double share = 0;
    std::string busiest;
};
other_work other_work_on(const process_sample& before, const process_sample& after, const std::set<pid_t>& ours,
                         const std::vector<int>& cpus, double wall_s, long ticks_per_s);

} // namespace rpslab::bench
