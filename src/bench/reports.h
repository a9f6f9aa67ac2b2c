// Writing a finished run into its output directory (results.json, results.md, the SVG
// plots and report.html), the one-screen summary printed at the end, and `compare`.
#pragma once

#include "bench/results.h"

#include <string>
#include <vector>

namespace rpslab::bench {

// Returns the paths written.
std::vector<std::string> write_reports(const results& r, const std::string& dir);

// One line per row: server, point, req/s with spread, CPU µs/req both sides, ceiling.
std::string summary_text(const results& r);

std::string compare_text(const results& before, const results& after, bool json);

} // namespace rpslab::bench
