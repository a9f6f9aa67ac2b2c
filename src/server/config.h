// Everything `rpslab serve` is told on its command line, checked before anything starts.
#pragma once

#include "core/socket.h"
#include "http/limits.h"
#include "pool/policy.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rpslab::server {

struct serve_config {
    core::endpoint listen;
    unsigned workers = 0;      // 0: one per CPU in the process's affinity mask (or per --cpus entry)
    std::vector<int> cpus;     // worker i runs on cpus[i % size]; empty: unpinned
    std::size_t max_conns = 0; // per worker; 0: no limit but the open-files limit
    http::limits limits;
    std::int64_t header_timeout_ms = 10'000; // from a request's first byte to its complete head
    std::int64_t idle_timeout_ms = 60'000;   // without any progress on a connection
    std::int64_t grace_ms = 10'000;          // for in-flight requests after SIGTERM
    std::uint64_t seed = 42;
    // Unsent output above which a connection stops reading (backpressure): a slow reader
    // makes the server stop reading its requests, so memory per connection stays bounded.
    std::size_t max_pending_output_bytes = 1 << 20;
    int listen_backlog = 4096;
    std::int64_t stats_interval_ms = 0; // --stats: a summary line on stderr this often; 0: none

    enum class mode : std::uint8_t { threads, processes };
    mode run_mode = mode::threads;

    // /work runs on a bounded pool per worker (`pool`'s thread and queue figures are for
    // the whole server, divided evenly among the workers) or, as the control of the
    // overload experiment, on an unbounded new thread per request.
    enum class pool_mode : std::uint8_t { bounded, naive };
    pool_mode work_pool = pool_mode::bounded;
    pool::settings pool;
    std::uint64_t naive_max_rss_bytes = 8ULL << 30; // naive: exit before this much is resident

    // Test-only fault injection (processes mode): the worker of slot `fault_slot` aborts
    // at start for its first `fault_crashes` starts, to exercise restarts and hand-off.
    int fault_slot = -1;
    unsigned fault_crashes = 0;
    // Test-only: every request takes a lock a background thread holds most of the time
    // (server/contended_lock.h), so that /debug/wait shows a lock wait.
    bool fault_contended_lock = false;

    // --debug-listen: the operations listener (server/debug_listener.h); port 0 when off.
    // Loopback only unless debug_listen_any.
    core::endpoint debug_listen;
    bool debug_listen_any = false;
};

// Parses a CPU list such as "0-3,6,8-9". Throws std::invalid_argument naming the bad part.
std::vector<int> parse_cpu_list(std::string_view text);

// The CPUs in the calling process's affinity mask, in order.
std::vector<int> affinity_cpus();

// One worker's share of the server-wide pool settings (at least one thread and one queue
// slot each).
pool::settings worker_pool_settings(const serve_config& config);

// The naive control's memory cap for one process: the whole cap in threads mode, a
// worker's share of it in processes mode (each worker process has its own runner).
std::uint64_t naive_rss_cap(const serve_config& config);

// Fills in defaults that depend on the machine (workers) and checks the rest; throws
// std::invalid_argument with a message for the user.
void resolve(serve_config& config);

} // namespace rpslab::server
