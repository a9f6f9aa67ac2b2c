// Which charts a run's results get, and their file names: req/s along each sweep and latency
// percentiles per server. The drawing itself is report_svg.h.
#pragma once

#include "bench/report_svg.h"
#include "bench/results.h"

#include <string>
#include <string_view>
#include <vector>

namespace rpslab::bench {

struct named_svg {
    std::string file_name; // "pipelining-simple-identity-rps.svg": unique within a run
    std::string title;
    std::string experiment, workload, encoding; // where the reports place it
    std::string svg;
};

// For each experiment whose plan x_axis is "connections" or "pipeline": req/s along the sweep
// with min–max whiskers, one series per server (a server keeps its colour across charts;
// client-bound points are open markers), one chart per (workload, encoding, value of the other
// axis). For every experiment, per (workload, encoding): latency percentiles per server at
// every point when there are at most three, else at the first and the last. Servers without
// figures are named in each chart's notes.
std::vector<named_svg> render_plots(const results& r);

// Lowercase letters, digits and '-' only; runs of anything else become one '-', none at the
// ends: "/read" -> "read".
std::string file_name_part(std::string_view text);

} // namespace rpslab::bench
