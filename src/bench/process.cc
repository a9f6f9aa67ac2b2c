#include "bench/process.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sched.h>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace rpslab::bench {

namespace {

// The process groups of the children still running: a signal that ends the bench kills
// them too (each child has its own group, so the terminal's SIGINT does not reach them).
constexpr std::size_t max_children = 16;
std::array<std::atomic<pid_t>, max_children> live_groups{};

void remember(pid_t pid) {
    for (auto& slot : live_groups) {
        pid_t empty = 0;
        if (slot.compare_exchange_strong(empty, pid)) {
            return;
        }
    }
}

void forget(pid_t pid) {
    for (auto& slot : live_groups) {
        pid_t mine = pid;
        slot.compare_exchange_strong(mine, 0);
    }
}

extern "C" void kill_children_and_exit(int sig) {
    for (auto& slot : live_groups) {
        pid_t pid = slot.load();
        if (pid > 0) {
            ::kill(-pid, SIGKILL);
        }
    }
    ::_exit(128 + sig);
}

void write_stderr(const char* msg) {
    [[maybe_unused]] auto n = ::write(2, msg, std::strlen(msg));
}

// Between fork and exec only async-signal-safe calls: everything is prepared before.
[[noreturn]] void exec_child(const spawn_spec& spec, char* const* argv, char* const* envp, const cpu_set_t* set,
                             pid_t parent) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL); // the bench killed without a chance to clean up
    if (::getppid() != parent) {
        ::_exit(127);
    }
    int fd = ::open(spec.log_path.empty() ? "/dev/null" : spec.log_path.c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
    }
    if (set != nullptr && ::sched_setaffinity(0, sizeof *set, set) != 0) {
        write_stderr("rpslab bench: cannot pin the child to its CPUs (sched_setaffinity failed)\n");
        ::_exit(127);
    }
    int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) {
        ::dup2(null_in, 0);
    }
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
        ::_exit(127);
    }
    ::execve(argv[0], argv, envp);
    write_stderr("rpslab bench: exec failed\n");
    ::_exit(127);
}

// Whether the child has exited, without reaping it: a zombie leader keeps its process
// group id reserved, so the group can still be killed safely.
bool has_exited(pid_t pid) {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

int reap(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    forget(pid);
    return status;
}

} // namespace

void kill_children_on_signals() {
    struct sigaction sa {};
    sa.sa_handler = kill_children_and_exit;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        ::sigaction(sig, &sa, nullptr);
    }
}

pid_t spawn(const spawn_spec& spec) {
    std::vector<char*> argv;
    for (const auto& a : spec.argv) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    // An inherited variable of the same name would win (getenv takes the first): drop it.
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view entry(*e);
        bool overridden = std::any_of(spec.env_extra.begin(), spec.env_extra.end(), [&](const std::string& x) {
            return entry.substr(0, entry.find('=') + 1) == std::string_view(x).substr(0, x.find('=') + 1);
        });
        if (!overridden) {
            envp.push_back(*e);
        }
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
    const pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        exec_child(spec, argv.data(), envp.data(), spec.cpus.empty() ? nullptr : &set, parent);
    }
    ::setpgid(pid, pid); // also here, so a stop right after the spawn finds the group
    remember(pid);
    return pid;
}

bool still_running(pid_t pid) {
    return !has_exited(pid);
}

bool wait_exit(pid_t pid, int timeout_ms, int* exit_status) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!has_exited(pid)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(-pid, SIGKILL); // whatever of its group outlived it, while the group id is still its
    int status = reap(pid);
    if (exit_status != nullptr) {
        *exit_status = status;
    }
    return true;
}

int stop_group(pid_t pid, int grace_ms) {
    if (!has_exited(pid)) {
        ::kill(-pid, SIGTERM);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
        while (!has_exited(pid) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    ::kill(-pid, SIGKILL); // the leader is unreaped (a zombie at worst): the group id is still its
    return reap(pid);
}

std::string cpu_list_text(const std::vector<int>& cpus) {
    std::string out;
    for (int c : cpus) {
        out += (out.empty() ? "" : ",") + std::to_string(c);
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string log_tail(const std::string& path, std::size_t lines) {
    std::string text = read_file(path);
    std::size_t pos = text.size();
    for (std::size_t n = 0; n <= lines && pos > 0; ++n) {
        pos = text.rfind('\n', pos - 1);
        if (pos == std::string::npos) {
            pos = 0;
            break;
        }
    }
    std::string tail = text.substr(pos);
    std::replace(tail.begin(), tail.end(), '\n', ' ');
    return tail;
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
        line += "taskset -c " + cpu_list_text(cpus) + " ";
    }
    for (std::size_t i = 0; i < argv.size(); ++i) {
        line += (i > 0 ? " " : "") + quote(argv[i]);
    }
    return line;
}

} // namespace rpslab::bench
