// report.html: the run as one self-contained page (inline CSS and SVG, no script, nothing
// fetched), holding the tables of report_table.h, the charts, the machine and the servers.
#pragma once

#include "bench/report_plots.h"
#include "bench/results.h"

#include <string>
#include <vector>

namespace rpslab::bench {

// The whole page. Each chart is inlined under the (experiment, workload, encoding) it belongs
// to; charts naming none of the run's tables are placed at the end of their experiment.
std::string render_html(const results& r, const std::vector<named_svg>& plots);

} // namespace rpslab::bench
