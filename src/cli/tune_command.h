// `rpslab tune check|plan|apply|revert|watch`: flags and wiring; the behaviour lives in src/tune.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace rpslab::cli {

struct tune_flags {
    std::string root = "/";
    std::string iface;
    bool json = false;
    // plan and apply
    std::string irq_cpus;
    std::string worker_cpus;
    std::string rps = "workers";
    std::string rfs;
    // apply and revert
    std::string state;
    // watch
    std::string interval = "1s";
    std::string duration;
};

struct tune_commands {
    CLI::App* tune = nullptr;
    CLI::App* check = nullptr;
    CLI::App* plan = nullptr;
    CLI::App* apply = nullptr;
    CLI::App* revert = nullptr;
    CLI::App* watch = nullptr;
};

// Exit codes: 0 done, 1 usage or a refused layout or missing privileges, 2 a write failed
// (apply restores what it wrote first).
void add_tune(CLI::App& app, tune_flags& flags, tune_commands& commands);
int run_tune_command(const tune_flags& flags, const tune_commands& commands);

} // namespace rpslab::cli
