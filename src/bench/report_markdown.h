// results.md: the run as GitHub-flavoured Markdown, readable raw in a terminal as well as
// rendered. It prints the tables of report_table.h; the figures come from results alone.
#pragma once

#include "bench/report_plots.h"
#include "bench/report_table.h"
#include "bench/results.h"

#include <string>
#include <vector>

namespace rpslab::bench {

// The whole results.md: the run and machine, per experiment its tables (and links to `plots`,
// which are expected next to results.md under their file_name), the servers with their
// commands and configs, and how to read it all.
std::string render_markdown(const results& r, const std::vector<named_svg>& plots = {});

// One table as Markdown: columns padded to their width (status text overflows its cell
// rather than widening the column), numbers right-aligned, status lines in italics.
std::string markdown_table(const results_table& table);

} // namespace rpslab::bench
