// `rpslab bench [PLAN | --quick]` and `rpslab bench compare OLD NEW`: flags and wiring; the
// behaviour lives in src/bench.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace rpslab::cli {

struct bench_flags {
    std::string plan_file;
    bool quick = false;
    std::string out = "bench-results";
    std::string server_cpus, client_cpus;
    std::string peers;
    int repeat = 0;
    int port = 0;
    std::string repo;
    // compare
    std::string old_json, new_json;
    bool json = false;
};

struct bench_commands {
    CLI::App* bench = nullptr;
    CLI::App* compare = nullptr;
};

void add_bench(CLI::App& app, bench_flags& flags, bench_commands& commands);
// Exit codes: 0 done (rows that failed or whose server is missing say so in the report),
// 1 usage or a bad plan, 2 the run could not start.
int run_bench_command(const bench_flags& flags, const bench_commands& commands, const std::string& command_line);

} // namespace rpslab::cli
