// `rpslab load` and `rpslab load merge`: flags, wiring, output files and exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace rpslab::cli {

struct load_flags {
    std::string url;
    std::size_t connections = 10;
    std::size_t threads = 1;
    std::size_t pipeline = 1;
    std::string duration = "10s";
    std::string requests;
    std::string rate;
    std::string ramp;
    std::string step_duration;
    std::string warmup = "0s";
    std::string method = "GET";
    std::vector<std::string> headers;
    std::string body_file;
    std::string timeout = "10s";
    std::string json_file;
    std::string hdr_log;
    std::string cpus;
    int verify_status = 0;
    std::string slo;
    bool strict = false;
    std::string unix_socket;
    // merge
    std::vector<std::string> merge_logs;
    std::string merge_json;
};

// Exit codes (DESIGN.md): 0 ok, 1 usage or configuration, 2 runtime failure, 3 a --slo
// failed, 4 (--strict) the result is invalid, e.g. the generator was the ceiling.
void add_load(CLI::App& app, load_flags& flags, CLI::App*& load_cmd, CLI::App*& merge_cmd);
int run_load_command(const load_flags& flags, const std::string& command_line);
int run_merge_command(const load_flags& flags);

} // namespace rpslab::cli
