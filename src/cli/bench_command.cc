#include "cli/bench_command.h"

#include "bench/plan.h"
#include "bench/process.h"
#include "bench/reports.h"
#include "bench/runner.h"
#include "core/cpu_list.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sched.h>
#include <sstream>
#include <unistd.h>

namespace rpslab::cli {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream s(text);
    std::string part;
    while (std::getline(s, part, ',')) {
        if (!part.empty()) {
            out.push_back(part);
        }
    }
    return out;
}

// The repository holding bench/peers: --repo, else up from the binary (build/release/rpslab),
// else the working directory.
std::string find_repo(const std::string& given, const std::string& exe) {
    if (!given.empty()) {
        return fs::absolute(given).string();
    }
    for (fs::path p = fs::path(exe).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
        if (fs::exists(p / "bench/peers/nginx.conf.in")) {
            return p.string();
        }
    }
    return fs::current_path().string();
}

// Default split: the first half of the online CPUs serve, the rest drive the load.
void default_cpus(std::vector<int>& server, std::vector<int>& client) {
    const int n = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
    if (server.empty()) {
        for (int c = 0; c < std::max(1, n / 2); ++c) {
            server.push_back(c);
        }
    }
    if (client.empty()) {
        for (int c = std::max(1, n / 2); c < n; ++c) {
            client.push_back(c);
        }
        if (client.empty()) {
            client.push_back(0); // one CPU: both sides share it, and the verdicts will say so
        }
    }
}

// Pinning to a CPU the bench may not use would fail in the child; sharing one between the
// sides would make every verdict meaningless. Both are usage errors, said before any run.
void check_cpus(const std::vector<int>& server, const std::vector<int>& client) {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    ::sched_getaffinity(0, sizeof allowed, &allowed);
    for (int cpu : server) {
        if (!CPU_ISSET(cpu, &allowed)) {
            throw std::invalid_argument("bench: --server-cpus: CPU " + std::to_string(cpu) + " is not available here");
        }
        if (std::find(client.begin(), client.end(), cpu) != client.end() && client != server) {
            throw std::invalid_argument("bench: CPU " + std::to_string(cpu) +
                                        " is both a server and a client CPU (give separate lists)");
        }
    }
    for (int cpu : client) {
        if (!CPU_ISSET(cpu, &allowed)) {
            throw std::invalid_argument("bench: --client-cpus: CPU " + std::to_string(cpu) + " is not available here");
        }
    }
}

int run_compare(const bench_flags& f) {
    bench::results before = bench::load_results_file(f.old_json);
    bench::results after = bench::load_results_file(f.new_json);
    std::cout << bench::compare_text(before, after, f.json);
    return 0;
}

} // namespace

void add_bench(CLI::App& app, bench_flags& f, bench_commands& c) {
    c.bench = app.add_subcommand("bench", "Run experiments side by side with peers; write tables, JSON and plots");
    c.bench->add_option("PLAN", f.plan_file, "A plan file (bench/plans/*.json; docs/bench.md)");
    c.bench->add_flag("--quick", f.quick, "The built-in plan of about a minute");
    c.bench->add_option("--out", f.out, "Directory for results.json, results.md, plots and report.html")
        ->capture_default_str();
    c.bench->add_option("--server-cpus", f.server_cpus, "CPUs of the servers (default: the first half)");
    c.bench->add_option("--client-cpus", f.client_cpus, "CPUs of the load generator (default: the rest)");
    c.bench->add_option("--peers", f.peers, "Only these servers of the plan, e.g. rpslab,nginx");
    c.bench->add_option("--repeat", f.repeat, "Rounds of every point (default: the plan's)");
    c.bench->add_option("--port", f.port, "Port the servers listen on (default: a free one per run)");
    c.bench->add_option("--repo", f.repo, "The rpslab checkout holding bench/peers (default: found from the binary)");
    c.compare = c.bench->add_subcommand("compare", "Ratios of every figure between two results.json");
    c.compare->add_option("OLD", f.old_json, "results.json of the earlier run")->required();
    c.compare->add_option("NEW", f.new_json, "results.json of the later run")->required();
    c.compare->add_flag("--json", f.json, "Print the comparison as JSON");
}

int run_bench_command(const bench_flags& f, const bench_commands& c, const std::string& command_line) {
    if (c.compare->parsed()) {
        return run_compare(f);
    }
    if (f.quick == !f.plan_file.empty()) {
        throw std::invalid_argument("bench: give a plan file or --quick (one of them)");
    }
    if (f.repeat < 0 || f.repeat > 100 || f.port < 0 || f.port > 65535) {
        throw std::invalid_argument("bench: --repeat takes 1..100 and --port 1..65535");
    }
    bench::plan p;
    try {
        p = f.quick ? bench::quick_plan() : bench::load_plan_file(f.plan_file);
    } catch (const bench::plan_error& e) {
        throw std::invalid_argument(e.what()); // a bad plan is a usage error: exit 1
    }
    bench::run_options o;
    o.out_dir = f.out;
    o.only_servers = split_commas(f.peers);
    for (const auto& s : o.only_servers) {
        if (std::find(std::begin(bench::known_servers), std::end(bench::known_servers), s) ==
            std::end(bench::known_servers)) {
            throw std::invalid_argument("bench: --peers: unknown server '" + s + "'");
        }
    }
    o.repeat = f.repeat;
    o.port = static_cast<std::uint16_t>(f.port);
    o.command_line = command_line;
    o.env.rpslab_bin = fs::canonical("/proc/self/exe").string();
    o.env.repo = find_repo(f.repo, o.env.rpslab_bin);
    o.env.server_cpus = core::parse_cpu_list(f.server_cpus);
    o.env.client_cpus = core::parse_cpu_list(f.client_cpus);
    default_cpus(o.env.server_cpus, o.env.client_cpus);
    check_cpus(o.env.server_cpus, o.env.client_cpus);
    bench::kill_children_on_signals();
    bench::results r = bench::run_plan(p, o, std::cerr);
    for (const auto& path : bench::write_reports(r, f.out)) {
        std::cerr << "bench: wrote " << path << "\n";
    }
    std::cout << bench::summary_text(r);
    return 0;
}

} // namespace rpslab::cli
