// One row's cells in a results table: each column's text from the row alone and the rpslab
// row at its point, and what kind of line the row makes. report_table.cc assembles them.
#pragma once

#include "bench/report_table.h"

#include <string>

namespace rpslab::bench {

struct line_context {
    int rank = 0;              // 0: not ranked
    const row* base = nullptr; // rpslab at the same point, when it has a figure
};

line_kind kind_of(const row& r); // ranked, floor or status
// Little's law is only checked where the runner computed it (a mean latency was measured).
bool littles_off(const row& r);
std::string notes_cell(const row& r); // empty when the row has nothing to note
std::string cell(column c, const row& r, const line_context& ctx);

} // namespace rpslab::bench
