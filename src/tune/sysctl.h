// The kernel settings (sysctls) that decide how many connections and packets a host takes,
// the values a benchmark host wants, and the obsolete knobs old tuning guides still set.
#pragma once

#include "tune/host_root.h"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::tune {

// What a setting wants: at least a number, exactly a number, or a port range at least as wide.
enum class want { at_least, exactly, range_covers, advisory };

struct sysctl_target {
    std::string_view key; // "net.core.somaxconn"
    want how;
    std::string_view target; // "65535", "1024 65535"; for advisory, the usual value
    std::string_view why;
};

// The settings `check` reports and `plan` raises, in report order.
std::span<const sysctl_target> sysctl_targets();

// "net.core.somaxconn" -> "proc/sys/net/core/somaxconn".
std::string sysctl_path(std::string_view key);

// Whether `value` (as read, e.g. "32768\t60999\n") satisfies `t`; advisory targets always do.
bool satisfies(const sysctl_target& t, std::string_view value);

// Every target's value as read (nullopt: missing or unreadable, remembered by `root`), by key.
std::map<std::string, std::optional<std::string>> read_sysctls(host_root& root);

// A knob that does nothing on current kernels, found set somewhere.
struct obsolete_setting {
    std::string key;
    std::string where; // "/etc/sysctl.d/99-tuning.conf:3", or the /proc/sys path when the kernel still has it set
    std::string why;   // since when and what happened to it
};

// Scans etc/sysctl.conf and the sysctl.d directories (etc, run, usr/lib) under `root` for
// obsolete keys, and checks whether the kernel still has net.ipv4.tcp_tw_recycle switched on.
std::vector<obsolete_setting> find_obsolete_settings(host_root& root);

} // namespace rpslab::tune
