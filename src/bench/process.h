// Child processes of a bench run: started pinned to a CPU set in their own process group
// (so a prefork server's workers are stopped with it), with output to a log file, and
// stopped by group. The runner never leaves a server it started running.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace rpslab::bench {

struct spawn_spec {
    std::vector<std::string> argv;
    std::vector<std::string> env_extra; // "NAME=value", added to this process's environment
    std::vector<int> cpus;              // the child's affinity; empty: inherited
    std::string log_path;               // stdout and stderr; empty: /dev/null
    std::string cwd;                    // empty: inherited
};

// Starts the child; throws std::runtime_error when fork fails. A failing exec shows in the
// log and as exit status 127.
pid_t spawn(const spawn_spec& spec);

// True while `pid` (a child of ours) has not exited. Never reaps: only stop_group and
// wait_exit do, after killing what is left of the child's group.
bool still_running(pid_t pid);

// SIGTERM to the child's process group, SIGKILL to the group after `grace_ms` (and always
// at the end, for workers that outlived their leader); reaps the child and returns its
// status as waitpid reports it.
int stop_group(pid_t pid, int grace_ms);

// Waits for the child to exit by itself, up to `timeout_ms`, then kills what is left of its
// group and reaps it; false on timeout (it is left running).
bool wait_exit(pid_t pid, int timeout_ms, int* exit_status);

// SIGINT, SIGTERM and SIGHUP kill every child's group before the bench exits: the children
// run in their own groups, so the terminal's signals do not reach them. Children also die
// with the bench (PR_SET_PDEATHSIG) when it is killed outright.
void kill_children_on_signals();

// A CPU list as flags and taskset take it, order kept ("2,0": worker 0 on CPU 2).
std::string cpu_list_text(const std::vector<int>& cpus);

// A child's log (or any small file) whole; empty when it cannot be read.
std::string read_file(const std::string& path);

// The last `lines` lines of a child's log on one line, for an error message.
std::string log_tail(const std::string& path, std::size_t lines);

// The command as one shell-quoted line, for the report.
std::string shell_line(const std::vector<std::string>& env_extra, const std::vector<int>& cpus,
                       const std::vector<std::string>& argv);

} // namespace rpslab::bench
