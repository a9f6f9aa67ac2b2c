#include "cli/pool_flags.h"

#include "cli/duration.h"

namespace rpslab::cli {

void add_pool_flags(CLI::App& serve, pool_flags& f) {
    const char* group = "/work pool (server-wide figures, divided evenly among workers)";
    serve.add_option("--pool", f.mode, "bounded: the adaptive pool; naive: a new thread per job, answered 202")
        ->check(CLI::IsMember({"bounded", "naive"}))
        ->capture_default_str()
        ->group(group);
    serve.add_option("--pool-min", f.min_threads, "Threads kept when idle")->capture_default_str()->group(group);
    serve.add_option("--pool-max", f.max_threads, "Threads at most")
        ->check(CLI::Range(1, 1'000'000))
        ->capture_default_str()
        ->group(group);
    serve.add_option("--pool-queue", f.queue, "Jobs waiting at most; more are refused with 503")
        ->check(CLI::Range(1, 100'000'000))
        ->capture_default_str()
        ->group(group);
    serve.add_option("--pool-target-ms", f.target, "Under overload, a job waits at most this long (CoDel target)")
        ->capture_default_str()
        ->group(group);
    serve
        .add_option("--pool-interval-ms", f.interval,
                    "CoDel interval: the queue stands when no wait in one was under the target; also a job's wait "
                    "budget when not overloaded")
        ->capture_default_str()
        ->group(group);
    serve.add_option("--pool-idle-ms", f.idle, "A thread idle this long exits (above --pool-min)")
        ->capture_default_str()
        ->group(group);
    serve.add_option("--pool-limit", f.limit, "fixed, or adaptive: an AIMD limit on jobs in flight from queue times")
        ->check(CLI::IsMember({"fixed", "adaptive"}))
        ->capture_default_str()
        ->group(group);
    serve.add_option("--retry-after", f.retry_after_s, "Seconds in the Retry-After of a 503")
        ->check(CLI::Range(1, 86'400))
        ->capture_default_str()
        ->group(group);
    serve.add_option("--naive-max-rss", f.naive_max_rss, "--pool naive: exit once this much memory is resident")
        ->capture_default_str()
        ->group(group);
}

namespace {

// Flags named -ms take a bare number of milliseconds, or a duration with its unit.
std::int64_t parse_ms(const std::string& text) {
    bool bare = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    if (bare && text.size() > 9) {
        throw std::invalid_argument("'" + text + "' ms is more than anyone means");
    }
    return bare ? std::stoll(text) : parse_duration_ms(text);
}

} // namespace

void apply_pool_flags(const pool_flags& f, server::serve_config& config) {
    config.work_pool =
        f.mode == "naive" ? server::serve_config::pool_mode::naive : server::serve_config::pool_mode::bounded;
    pool::settings& s = config.pool;
    s.min_threads = f.min_threads;
    s.max_threads = f.max_threads;
    s.queue_capacity = f.queue;
    s.target_ns = parse_ms(f.target) * 1'000'000;
    s.interval_ns = parse_ms(f.interval) * 1'000'000;
    s.idle_retire_ns = parse_ms(f.idle) * 1'000'000;
    s.limit = f.limit == "adaptive" ? pool::limit_mode::adaptive : pool::limit_mode::fixed;
    s.retry_after_s = f.retry_after_s;
    config.naive_max_rss_bytes = parse_bytes(f.naive_max_rss);
}

} // namespace rpslab::cli
