#include "server/config.h"

#include "core/cpu_list.h"

#include <algorithm>
#include <charconv>
#include <sched.h>
#include <stdexcept>
#include <string>

namespace rpslab::server {

std::vector<int> parse_cpu_list(std::string_view text) {
    std::vector<int> cpus = core::parse_cpu_list(text);
    if (cpus.empty()) {
        throw std::invalid_argument("bad CPU list '" + std::string(text) + "': empty");
    }
    return cpus;
}

std::vector<int> affinity_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; ++c) {
            if (CPU_ISSET(c, &set)) {
                cpus.push_back(c);
            }
        }
    }
    return cpus;
}

pool::settings worker_pool_settings(const serve_config& config) {
    pool::settings s = config.pool;
    const unsigned n = std::max(config.workers, 1U);
    s.max_threads = std::max(1U, s.max_threads / n);
    s.min_threads = std::min(s.max_threads, s.min_threads / n);
    s.queue_capacity = std::max<std::size_t>(1, s.queue_capacity / n);
    return s;
}

std::uint64_t naive_rss_cap(const serve_config& config) {
    if (config.run_mode == serve_config::mode::processes) {
        return config.naive_max_rss_bytes / std::max(config.workers, 1U);
    }
    return config.naive_max_rss_bytes;
}

namespace {

void check_pool(const serve_config& config) {
    const pool::settings& p = config.pool;
    if (p.max_threads == 0 || p.min_threads > p.max_threads) {
        throw std::invalid_argument("--pool-min must not exceed --pool-max, and --pool-max must be at least 1");
    }
    if (p.max_threads < config.workers || p.queue_capacity < config.workers) {
        throw std::invalid_argument("--pool-max and --pool-queue are for the whole server: each must be at least "
                                    "the number of workers (" +
                                    std::to_string(config.workers) + ")");
    }
    if (p.target_ns <= 0 || p.interval_ns < p.target_ns) {
        throw std::invalid_argument("--pool-target-ms must be positive and at most --pool-interval-ms");
    }
    if (p.idle_retire_ns <= 0) {
        throw std::invalid_argument("--pool-idle-ms must be positive");
    }
}

// The debug listener hands out profiles and the server's inner figures: loopback only,
// unless the operator says otherwise, and never the public port.
void check_debug_listen(const serve_config& config) {
    const core::endpoint& d = config.debug_listen;
    if (d.len == 0) {
        if (config.debug_listen_any) {
            throw std::invalid_argument("--debug-listen-any needs --debug-listen HOST:PORT");
        }
        return;
    }
    if (!d.is_loopback() && !config.debug_listen_any) {
        throw std::invalid_argument("--debug-listen " + d.to_string() +
                                    " is not a loopback address: profiles and internals would be open to the "
                                    "network; add --debug-listen-any to mean it");
    }
    if (d.port() != 0 && d.port() == config.listen.port()) {
        throw std::invalid_argument("--debug-listen must not use the public port " + std::to_string(d.port()));
    }
}

} // namespace

void resolve(serve_config& config) {
    std::vector<int> allowed = affinity_cpus();
    for (int cpu : config.cpus) {
        bool ok = false;
        for (int a : allowed) {
            ok = ok || a == cpu;
        }
        if (!ok) {
            throw std::invalid_argument("--cpus: CPU " + std::to_string(cpu) +
                                        " is not in this process's affinity mask (see taskset -p $$)");
        }
    }
    if (config.workers == 0) {
        config.workers =
            static_cast<unsigned>(!config.cpus.empty() ? config.cpus.size() : std::max<std::size_t>(allowed.size(), 1));
    }
    if (config.workers > 4096) {
        throw std::invalid_argument("--workers: at most 4096");
    }
    if (config.header_timeout_ms <= 0 || config.idle_timeout_ms <= 0 || config.grace_ms < 0) {
        throw std::invalid_argument("timeouts must be positive");
    }
    if (config.limits.max_header_count == 0 || config.limits.max_header_bytes < 64 ||
        config.limits.max_request_line_bytes < 16) {
        throw std::invalid_argument("header limits are too small to parse any request");
    }
    check_pool(config);
    check_debug_listen(config);
}

} // namespace rpslab::server
