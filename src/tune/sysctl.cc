#include "tune/sysctl.h"

#include "tune/text.h"

#include <algorithm>
#include <array>

namespace rpslab::tune {

namespace {

constexpr std::array targets{
    sysctl_target{"net.core.somaxconn", want::at_least, "65535",
                  "every listen() backlog is silently capped at this; when an accept queue is full the kernel "
                  "drops handshakes and clients retry only after a second"},
    sysctl_target{"net.ipv4.tcp_max_syn_backlog", want::at_least, "65535",
                  "half-open connections per listener; beyond it new SYNs are dropped or answered with SYN cookies"},
    sysctl_target{"net.core.netdev_max_backlog", want::at_least, "65536",
                  "packets queued per CPU for protocol processing (RPS included); beyond it they are dropped and "
                  "counted in /proc/net/softnet_stat's second column"},
    sysctl_target{"net.ipv4.ip_local_port_range", want::range_covers, "1024 65535",
                  "the ephemeral ports bound how many connections a load generator holds to one server address"},
    sysctl_target{"net.ipv4.tcp_tw_reuse", want::exactly, "1",
                  "lets a client reuse ports in TIME-WAIT for new outgoing connections (2 limits that to loopback); "
                  "a load generator opening and closing connections runs out of ports without it"},
    sysctl_target{"net.core.rmem_max", want::at_least, "16777216", "the largest receive buffer SO_RCVBUF may ask for"},
    sysctl_target{"net.core.wmem_max", want::at_least, "16777216",
                  "the largest send buffer SO_SNDBUF may ask for; /list answers are about 450 KB each"},
    sysctl_target{"fs.file-max", want::at_least, "2097152",
                  "open files on the whole host: every connection is one, twice when the generator runs here too"},
    sysctl_target{"net.core.busy_poll", want::advisory, "0",
                  "busy polling spins in poll/epoll for up to this many µs: lower latency, but it burns the cycles "
                  "a worker per core needs; measure it as an experiment, never leave it on by accident"},
    sysctl_target{"net.core.busy_read", want::advisory, "0",
                  "as busy_poll, for blocking reads; rpslab's sockets are non-blocking"},
};

struct obsolete_knob {
    std::string_view key;
    std::string_view why;
};

constexpr std::array obsolete_knobs{
    obsolete_knob{"net.ipv4.tcp_tw_recycle",
                  "removed in Linux 4.12; where it still exists it breaks clients behind NAT"},
    obsolete_knob{"net.ipv4.tcp_low_latency", "a no-op since Linux 4.14 (prequeue was removed)"},
    obsolete_knob{"net.ipv4.tcp_fack", "a no-op since Linux 4.15 (FACK was removed)"},
};

std::vector<std::int64_t> numbers_in(std::string_view text) {
    std::vector<std::int64_t> out;
    for (std::string_view w : words(text)) {
        auto n = parse_int(w);
        if (!n) {
            return {};
        }
        out.push_back(*n);
    }
    return out;
}

// "net/ipv4/tcp_fack" and "net.ipv4.tcp_fack" name the same knob in sysctl.conf.
std::string dotted(std::string_view key) {
    std::string out(trim(key));
    std::replace(out.begin(), out.end(), '/', '.');
    return out;
}

void scan_conf(host_root& root, const std::string& rel, std::vector<obsolete_setting>& found) {
    auto text = root.read_if_present(rel);
    if (!text) {
        return;
    }
    std::size_t line_no = 0;
    for (std::string_view line : lines(*text)) {
        ++line_no;
        line = trim(line);
        auto eq = line.find('=');
        if (line.empty() || line[0] == '#' || line[0] == ';' || eq == std::string_view::npos) {
            continue;
        }
        std::string key = dotted(line.substr(0, eq));
        key = key.starts_with('-') ? key.substr(1) : key; // "-key = v": ignore errors setting it
        for (const obsolete_knob& k : obsolete_knobs) {
            if (key == k.key) {
                found.push_back({key, root.path(rel) + ":" + std::to_string(line_no), std::string(k.why)});
            }
        }
    }
}

} // namespace

std::span<const sysctl_target> sysctl_targets() {
    return targets;
}

std::string sysctl_path(std::string_view key) {
    std::string rel = "proc/sys/" + std::string(key);
    std::replace(rel.begin() + 9, rel.end(), '.', '/');
    return rel;
}

bool satisfies(const sysctl_target& t, std::string_view value) {
    auto have = numbers_in(value);
    auto want_values = numbers_in(t.target);
    switch (t.how) {
    case want::advisory:
        return true;
    case want::at_least:
        return have.size() == 1 && have[0] >= want_values[0];
    case want::exactly:
        return have.size() == 1 && have[0] == want_values[0];
    case want::range_covers:
        return have.size() == 2 && have[0] <= want_values[0] && have[1] >= want_values[1];
    }
    return false;
}

std::map<std::string, std::optional<std::string>> read_sysctls(host_root& root) {
    std::map<std::string, std::optional<std::string>> values;
    for (const sysctl_target& t : targets) {
        values[std::string(t.key)] = root.read(sysctl_path(t.key));
    }
    return values;
}

std::vector<obsolete_setting> find_obsolete_settings(host_root& root) {
    std::vector<obsolete_setting> found;
    scan_conf(root, "etc/sysctl.conf", found);
    for (const char* dir : {"etc/sysctl.d", "run/sysctl.d", "usr/lib/sysctl.d"}) {
        for (const std::string& name : root.list_if_present(dir).value_or(std::vector<std::string>{})) {
            if (name.ends_with(".conf")) {
                scan_conf(root, std::string(dir) + "/" + name, found);
            }
        }
    }
    const std::string recycle = sysctl_path("net.ipv4.tcp_tw_recycle");
    if (parse_int(root.read_if_present(recycle).value_or("")).value_or(0) != 0) {
        found.push_back({"net.ipv4.tcp_tw_recycle", root.path(recycle) + " = 1", std::string(obsolete_knobs[0].why)});
    }
    return found;
}

} // namespace rpslab::tune
