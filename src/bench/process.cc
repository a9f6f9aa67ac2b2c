#include "bench/process.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace rpslab::bench {

namespace {

// Between fork and exec only async-signal-safe calls: everything is prepared before.
[[noreturn]] void exec_child(const spawn_spec& spec, char* const* argv, char* const* envp, const cpu_set_t* set) {
    ::setpgid(0, 0);
    if (set != nullptr) {
        ::sched_setaffinity(0, sizeof *set, set);
    }
    int fd = ::open(spec.log_path.empty() ? "/dev/null" : spec.log_path.c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
    }
    int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) {
        ::dup2(null_in, 0);
    }
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
        ::_exit(127);
    }
    ::execve(argv[0], argv, envp);
    const char msg[] = "rpslab bench: exec failed\n";
    [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
    ::_exit(127);
}

} // namespace

pid_t spawn(const spawn_spec& spec) {
    std::vector<char*> argv;
    for (const auto& a : spec.argv) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) {
        envp.push_back(*e);
    }
    for (const auto& e : spec.env_extra) {
        envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu : spec.cpus) {
        CPU_SET(cpu, &set);
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        exec_child(spec, argv.data(), envp.data(), spec.cpus.empty() ? nullptr : &set);
    }
    ::setpgid(pid, pid); // also here, so a stop right after the spawn finds the group
    return pid;
}

bool still_running(pid_t pid, int* exit_status) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid && exit_status != nullptr) {
        *exit_status = status;
    }
    return r == 0;
}

bool wait_exit(pid_t pid, int timeout_ms, int* exit_status) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (still_running(pid, exit_status)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

int stop_group(pid_t pid, int grace_ms) {
    int status = -1;
    if (!still_running(pid, &status)) {
        ::kill(-pid, SIGKILL); // orphaned workers of an exited supervisor
        return status;
    }
    ::kill(-pid, SIGTERM);
    if (!wait_exit(pid, grace_ms, &status)) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    ::kill(-pid, SIGKILL); // whatever of the group outlived its leader
    return status;
}

std::string shell_line(const std::vector<std::string>& env_extra, const std::vector<int>& cpus,
                       const std::vector<std::string>& argv) {
    auto quote = [](const std::string& s) {
        if (!s.empty() &&
            s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+") ==
                std::string::npos) {
            return s;
        }
        std::string q = "'";
        for (char c : s) {
            q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        }
        return q + "'";
    };
    std::string line;
    for (const auto& e : env_extra) {
        line += quote(e) + " ";
    }
    if (!cpus.empty()) {
        std::string list;
        for (int c : cpus) {
            list += (list.empty() ? "" : ",") + std::to_string(c);
        }
        line += "taskset -c " + list + " ";
    }
    for (std::size_t i = 0; i < argv.size(); ++i) {
        line += (i > 0 ? " " : "") + quote(argv[i]);
    }
    return line;
}

} // namespace rpslab::bench
