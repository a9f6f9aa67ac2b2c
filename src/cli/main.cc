// `rpslab`: the subcommands and their flags. Flag parsing and wiring only; every
// behaviour lives in the modules.
#include "app/pool_dump.h"
#include "app/workloads.h"
#include "cli/bench_command.h"
#include "cli/duration.h"
#include "cli/load_command.h"
#include "cli/pool_flags.h"
#include "cli/tune_command.h"
#include "core/error.h"
#include "server/config.h"
#include "server/server.h"
#include "server/supervisor.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

namespace {

using namespace rpslab;

struct serve_flags {
    std::string listen = "127.0.0.1:8080";
    unsigned workers = 0;
    std::string cpus;
    std::size_t max_conns = 0;
    std::string max_header_bytes = "64K";
    std::string max_body_bytes = "16M";
    std::string max_request_line_bytes = "16K";
    std::size_t max_header_count = 128;
    std::string header_timeout = "10s";
    std::string idle_timeout = "60s";
    std::string grace = "10s";
    std::uint64_t seed = 42;
    std::string mode = "threads";
    std::string test_fault;
    std::string stats;
    std::string debug_listen;
    bool debug_listen_any = false;
    bool fault_contended_lock = false;
    cli::pool_flags pool;
};

void add_serve(CLI::App& app, serve_flags& f) {
    auto* cmd = app.add_subcommand("serve", "Run the HTTP/1.1 server (one event loop per worker thread)");
    cmd->add_option("--listen", f.listen, "HOST:PORT to listen on (port 0 picks a free one)")->capture_default_str();
    cmd->add_option("--workers", f.workers, "Workers; 0 or absent: one per CPU in --cpus, else in the affinity mask")
        ->check(CLI::Range(0, 4096));
    cmd->add_option("--cpus", f.cpus, "CPUs to pin workers to, e.g. 2-7 or 0,2,4 (worker i on the i-th)");
    cmd->add_option("--max-conns", f.max_conns, "Open connections per worker; more are closed at once (0: no limit)")
        ->check(CLI::Range(0, 100'000'000));
    cmd->add_option("--max-header-bytes", f.max_header_bytes, "Request line and header section limit (431)")
        ->capture_default_str();
    cmd->add_option("--max-body-bytes", f.max_body_bytes, "Request body limit (413)")->capture_default_str();
    cmd->add_option("--max-request-line-bytes", f.max_request_line_bytes, "Request line limit (414)")
        ->capture_default_str();
    cmd->add_option("--max-header-count", f.max_header_count, "Header fields limit (431)")
        ->check(CLI::Range(1, 65'535))
        ->capture_default_str();
    cmd->add_option("--header-timeout", f.header_timeout, "From a request's first byte to its whole head")
        ->capture_default_str();
    cmd->add_option("--idle-timeout", f.idle_timeout, "A connection without progress is closed after")
        ->capture_default_str();
    cmd->add_option("--grace", f.grace, "After SIGTERM, how long requests in flight may take")->capture_default_str();
    cmd->add_option("--seed", f.seed, "Seed of the generated products and orders")->capture_default_str();
    cmd->add_option("--mode", f.mode, "threads: one process; processes: prefork workers under a supervisor")
        ->check(CLI::IsMember({"threads", "processes"}))
        ->capture_default_str();
    // Test-only: SLOT:N makes slot SLOT's worker abort at start N times (processes mode).
    cmd->add_option("--test-fault", f.test_fault, "")->group("");
    cmd->add_option("--stats", f.stats, "Print a one-line summary on stderr this often, e.g. 1s");
    cmd->add_option("--debug-listen", f.debug_listen,
                    "HOST:PORT of the debug listener (CPU profiles, /debug/wait), e.g. 127.0.0.1:6060; loopback only");
    cmd->add_flag("--debug-listen-any", f.debug_listen_any, "Allow --debug-listen on a non-loopback address");
    // Test-only: every request takes a lock a background thread holds most of the time.
    cmd->add_flag("--fault-contended-lock", f.fault_contended_lock, "")->group("");
    cli::add_pool_flags(*cmd, f.pool);
}

server::serve_config to_config(const serve_flags& f) {
    server::serve_config c;
    c.listen = core::parse_endpoint(f.listen);
    c.workers = f.workers;
    if (!f.cpus.empty()) {
        c.cpus = server::parse_cpu_list(f.cpus);
    }
    c.max_conns = f.max_conns;
    c.limits.max_header_bytes = static_cast<std::size_t>(cli::parse_bytes(f.max_header_bytes));
    c.limits.max_body_bytes = cli::parse_bytes(f.max_body_bytes);
    c.limits.max_request_line_bytes = static_cast<std::size_t>(cli::parse_bytes(f.max_request_line_bytes));
    c.limits.max_header_count = f.max_header_count;
    c.header_timeout_ms = cli::parse_duration_ms(f.header_timeout);
    c.idle_timeout_ms = cli::parse_duration_ms(f.idle_timeout);
    c.grace_ms = cli::parse_duration_ms(f.grace);
    c.seed = f.seed;
    cli::apply_pool_flags(f.pool, c);
    if (!f.stats.empty()) {
        c.stats_interval_ms = cli::parse_duration_ms(f.stats);
        if (c.stats_interval_ms <= 0) {
            throw std::invalid_argument("--stats takes a positive interval, e.g. 1s");
        }
    }
    if (!f.debug_listen.empty()) {
        c.debug_listen = core::parse_endpoint(f.debug_listen);
    }
    c.debug_listen_any = f.debug_listen_any;
    c.fault_contended_lock = f.fault_contended_lock;
    c.run_mode = f.mode == "processes" ? server::serve_config::mode::processes : server::serve_config::mode::threads;
    if (!f.test_fault.empty()) {
        auto colon = f.test_fault.find(':');
        if (colon == std::string::npos) {
            throw std::invalid_argument("--test-fault takes SLOT:CRASHES");
        }
        c.fault_slot = std::stoi(f.test_fault.substr(0, colon));
        c.fault_crashes = static_cast<unsigned>(std::stoul(f.test_fault.substr(colon + 1)));
    }
    return c;
}

int dump(const std::string& dir, std::uint64_t seed) {
    app::dataset data = app::dataset::build(seed);
    app::dump_pool(dir, data.products, data.orders);
    std::fprintf(stderr, "rpslab: wrote the pool (seed %llu) to %s\n", static_cast<unsigned long long>(seed),
                 dir.c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"rpslab: serve and measure HTTP at millions of requests per second"};
    app.require_subcommand(1);
    serve_flags serve;
    add_serve(app, serve);
    auto* pool = app.add_subcommand("pool", "The generated data the workloads serve");
    pool->require_subcommand(1);
    auto* dump_cmd = pool->add_subcommand("dump", "Write the exact bodies served, for peers to load");
    std::string dump_dir;
    std::uint64_t dump_seed = 42;
    dump_cmd->add_option("DIR", dump_dir, "Directory to write into")->required();
    dump_cmd->add_option("--seed", dump_seed, "Seed of the generated data")->capture_default_str();

    cli::load_flags load_flags;
    CLI::App* load_cmd = nullptr;
    CLI::App* merge_cmd = nullptr;
    cli::add_load(app, load_flags, load_cmd, merge_cmd);

    cli::tune_flags tune_flags;
    cli::tune_commands tune_cmds;
    cli::add_tune(app, tune_flags, tune_cmds);

    cli::bench_flags bench_flags;
    cli::bench_commands bench_cmds;
    cli::add_bench(app, bench_flags, bench_cmds);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 1;
    }
    try {
        std::string command_line;
        for (int i = 0; i < argc; ++i) {
            command_line += (i > 0 ? " " : "") + std::string(argv[i]);
        }
        if (bench_cmds.bench->parsed()) {
            return cli::run_bench_command(bench_flags, bench_cmds, command_line);
        }
        if (load_cmd->parsed()) {
            if (merge_cmd->parsed()) {
                return cli::run_merge_command(load_flags);
            }
            return cli::run_load_command(load_flags, command_line);
        }
        if (tune_cmds.tune->parsed()) {
            return cli::run_tune_command(tune_flags, tune_cmds);
        }
        if (app.got_subcommand("serve")) {
            server::serve_config config = to_config(serve);
            if (config.run_mode == server::serve_config::mode::processes) {
                return server::serve_processes(std::move(config));
            }
            return server::serve_threads(std::move(config));
        }
        return dump(dump_dir, dump_seed);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "rpslab: %s\n", e.what());
        return 1;
    } catch (const core::sys_error& e) {
        std::fprintf(stderr, "rpslab: %s\n", e.what());
        return e.code() == EADDRINUSE || e.code() == EACCES || e.code() == EADDRNOTAVAIL ? 1 : 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rpslab: %s\n", e.what());
        return 2;
    }
}
