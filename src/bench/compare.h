// `rpslab bench compare OLD.json NEW.json`: the ratio NEW/OLD of each figure of each row the
// two runs share, and whether it exceeds the runs' spread, as a text table or JSON.
//
// When a difference counts: for req/s, when the two runs' ranges (min–max over their
// repetitions) do not overlap. Latency and CPU per request are medians without a range of
// their own, so their noise is estimated from req/s: the mean of the two runs' relative spread
// (max - min) / median. For ranges of equal relative width that is the same bar as
// non-overlap (new_min > old_max is roughly ratio - 1 > (s_old + s_new) / 2); a change counts
// only when |ratio - 1| exceeds it. Rows with fewer than two repetitions on either side have
// no spread, so nothing in them counts as beyond it.
#pragma once

#include "bench/results.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rpslab::bench {

struct figure_change {
    std::string name; // "rps", "p50", "p99", "server_cpu_us_per_req", "client_cpu_us_per_req"
    double old_value = 0, new_value = 0;
    double ratio = 0; // new / old; 0 when either side has no figure
    bool significant = false;
};

enum class presence { both, only_old, only_new };

struct row_change {
    std::string experiment, server, workload, encoding;
    int connections = 0, pipeline = 1;
    presence where = presence::both;
    std::string old_status, new_status; // empty on the side the row is absent from
    bool comparable = false;            // in both runs, status "ok" on both sides
    bool spread_known = false;          // two or more repetitions on both sides
    double noise = 0;                   // the relative noise bar for the median-only figures
    std::vector<figure_change> figures; // comparable rows only, in the order of the list above
    // "faster" or "slower" (req/s beyond the spread), "same", "only in OLD", "only in NEW",
    // or "not comparable: NEW missing: ..."
    std::string verdict;
};

struct comparison {
    std::vector<row_change> rows; // OLD's order, then the rows only NEW has in NEW's order
    int compared = 0;             // comparable rows
    int faster = 0, slower = 0;   // req/s beyond the spread
    int other_changed = 0;        // req/s within it, but latency or CPU beyond the noise bar
    int only_old = 0, only_new = 0, not_comparable = 0;
};

// Rows match on (experiment, server, workload, encoding, connections, pipeline).
comparison compare_results(const results& old_run, const results& new_run);

// "3 of 12 rows changed beyond their spread: 2 faster, 1 slower", then what else happened.
std::string comparison_summary(const comparison& c);

// An aligned plain-text table, one line per row, a legend and the summary line.
std::string comparison_text(const comparison& c);

// {"noise_rule", "summary": {counts, "text"}, "rows": [{keys, "presence", statuses, "noise",
// "spread_known", "verdict", "figures": {"rps": {"old", "new", "ratio", "significant"}, ...}}]}.
// A ratio that cannot be computed is null.
nlohmann::json comparison_json(const comparison& c);

} // namespace rpslab::bench
