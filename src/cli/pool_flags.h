// The `rpslab serve` flags of the /work pool (docs/overload.md): parsing and wiring only.
#pragma once

#include "server/config.h"

#include <CLI/CLI.hpp>
#include <string>

namespace rpslab::cli {

struct pool_flags {
    std::string mode = "bounded";
    unsigned min_threads = 4;
    unsigned max_threads = 256;
    std::size_t queue = 4096;
    std::string target = "5ms";
    std::string interval = "100ms";
    std::string idle = "1s";
    std::string limit = "fixed";
    unsigned retry_after_s = 1;
    std::string naive_max_rss = "8G";
};

void add_pool_flags(CLI::App& serve, pool_flags& f);

// Copies the flags into `config`; throws std::invalid_argument for a bad duration or size.
void apply_pool_flags(const pool_flags& f, server::serve_config& config);

} // namespace rpslab::cli
