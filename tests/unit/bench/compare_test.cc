// `compare` flags exactly the changes that exceed the runs' spread, and accounts for every
// row: matched, only in one run, or without figures on a side.
#include "bench/compare.h"
#include "unit/bench/fixture.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <stdexcept>
#include <string>

namespace rpslab::bench {
namespace {

using test_data::fixture;

row& find(results& r, const std::string& experiment, const std::string& server, const std::string& workload,
          int pipeline) {
    for (row& x : r.rows) {
        if (x.experiment == experiment && x.server == server && x.workload == workload && x.pipeline == pipeline) {
            return x;
        }
    }
    throw std::runtime_error("no row " + experiment + " " + server);
}

void scale_rps(row& x, double factor) {
    for (double& run : x.rps_runs) {
        run *= factor;
    }
    x.rps *= factor;
    x.rps_min *= factor;
    x.rps_max *= factor;
}

// The fixture, run again: two real changes in req/s, two within the noise, one in p99 only,
// one row gone and one new.
results next_run() {
    results next = fixture();
    scale_rps(find(next, "baseline", "rpslab", "/simple", 1), 1.2);      // ranges apart: faster
    scale_rps(find(next, "baseline", "nginx", "/simple", 1), 1.01);      // ranges overlap
    scale_rps(find(next, "pipelining", "fasthttp", "/simple", 16), 0.7); // ranges apart: slower
    scale_rps(find(next, "pipelining", "nginx", "/simple", 1), 1.005);   // ranges overlap
    find(next, "baseline", "fasthttp", "/compute", 1).latency.p99 *= 1.5;
    find(next, "baseline", "fasthttp", "/compute", 1).latency.p50 *= 1.005;
    row added = find(next, "pipelining", "nginx", "/simple", 1);
    added.server = "nethttp";
    next.rows.push_back(added);
    next.rows.erase(std::find_if(next.rows.begin(), next.rows.end(), [](const row& x) {
        return x.experiment == "pipelining" && x.server == "rpslab" && x.pipeline == 1;
    }));
    return next;
}

const row_change& change(const comparison& c, const std::string& experiment, const std::string& server,
                         const std::string& workload, int pipeline) {
    for (const row_change& x : c.rows) {
        if (x.experiment == experiment && x.server == server && x.workload == workload && x.pipeline == pipeline) {
            return x;
        }
    }
    throw std::runtime_error("no change " + experiment + " " + server);
}

TEST(compare, flags_exactly_the_rows_whose_ranges_do_not_overlap) {
    comparison c = compare_results(fixture(), next_run());
    std::vector<std::string> flagged;
    for (const row_change& x : c.rows) {
        if (x.comparable && x.figures[0].significant) {
            flagged.push_back(x.experiment + " " + x.server + " " + x.workload + " p" + std::to_string(x.pipeline));
        }
    }
    EXPECT_EQ(flagged, (std::vector<std::string>{"baseline rpslab /simple p1", "pipelining fasthttp /simple p16"}));
    EXPECT_EQ(change(c, "baseline", "rpslab", "/simple", 1).verdict, "faster");
    EXPECT_EQ(change(c, "pipelining", "fasthttp", "/simple", 16).verdict, "slower");
    EXPECT_EQ(change(c, "baseline", "nginx", "/simple", 1).verdict, "same");
    EXPECT_NEAR(change(c, "baseline", "rpslab", "/simple", 1).figures[0].ratio, 1.2, 1e-9);
}

TEST(compare, medians_without_a_range_are_judged_against_the_req_s_spread) {
    comparison c = compare_results(fixture(), next_run());
    const row_change& x = change(c, "baseline", "fasthttp", "/compute", 1);
    // Relative req/s spread (17,020 - 16,650) / 16,800 on both sides.
    EXPECT_NEAR(x.noise, 370.0 / 16800, 1e-9);
    ASSERT_EQ(x.figures.size(), 5u);
    EXPECT_EQ(x.figures[1].name, "p50");
    EXPECT_FALSE(x.figures[1].significant) << "0.5% is inside a 2.2% noise";
    EXPECT_EQ(x.figures[2].name, "p99");
    EXPECT_TRUE(x.figures[2].significant);
    EXPECT_NEAR(x.figures[2].ratio, 1.5, 1e-9);
    EXPECT_EQ(x.verdict, "same") << "req/s did not move";
    EXPECT_EQ(c.other_changed, 1);
}

TEST(compare, lists_rows_only_in_one_run_and_rows_without_figures) {
    comparison c = compare_results(fixture(), next_run());
    EXPECT_EQ(c.rows.size(), fixture().rows.size() + 1);
    EXPECT_EQ(change(c, "pipelining", "rpslab", "/simple", 1).where, presence::only_old);
    EXPECT_EQ(change(c, "pipelining", "rpslab", "/simple", 1).verdict, "only in OLD");
    EXPECT_EQ(change(c, "pipelining", "nethttp", "/simple", 1).where, presence::only_new);
    EXPECT_EQ(c.rows.back().server, "nethttp") << "rows only in NEW come last";
    const row_change& h2o = change(c, "baseline", "h2o", "/simple", 1);
    EXPECT_FALSE(h2o.comparable);
    EXPECT_EQ(h2o.verdict, "not comparable: OLD missing: h2o not found (package h2o; make deps)");
    EXPECT_EQ(c.compared, 10);
    EXPECT_EQ(c.not_comparable, 3);
    EXPECT_EQ(comparison_summary(c),
              "2 of 10 rows changed beyond their spread: 1 faster, 1 slower; 1 more changed in "
              "latency or CPU only; 1 only in OLD, 1 only in NEW; 3 without figures on one side");
}

TEST(compare, a_run_against_itself_changes_nothing) {
    comparison c = compare_results(fixture(), fixture());
    EXPECT_EQ(comparison_summary(c), "0 of 11 rows changed beyond their spread; 3 without figures on one side");
}

TEST(compare, a_single_repetition_has_no_spread_so_nothing_counts_as_beyond_it) {
    results old_run = fixture(), new_run = fixture();
    row& before = find(old_run, "baseline", "rpslab", "/simple", 1);
    row& after = find(new_run, "baseline", "rpslab", "/simple", 1);
    before.rps_runs = {before.rps};
    after.rps_runs = {after.rps * 2};
    after.rps *= 2;
    comparison c = compare_results(old_run, new_run);
    const row_change& x = change(c, "baseline", "rpslab", "/simple", 1);
    EXPECT_FALSE(x.spread_known);
    EXPECT_NEAR(x.figures[0].ratio, 2.0, 1e-9);
    EXPECT_FALSE(x.figures[0].significant);
}

std::size_t column_of(const std::string& line, const std::string& word) {
    std::string before = line.substr(0, line.find(word));
    return static_cast<std::size_t>(std::count_if(
        before.begin(), before.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

TEST(compare, the_text_form_is_an_aligned_table_ending_in_the_summary) {
    comparison c = compare_results(fixture(), next_run());
    std::string text = comparison_text(c);
    std::vector<std::string> lines;
    for (std::size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
        lines.push_back(text.substr(at, nl - at));
    }
    ASSERT_GT(lines.size(), c.rows.size() + 2);
    EXPECT_EQ(lines[0].rfind("experiment  server", 0), 0u) << lines[0];
    EXPECT_EQ(lines.back(), comparison_summary(c));
    const std::string& faster = lines[1]; // baseline rpslab /simple, the fixture's first row
    EXPECT_NE(faster.find("1.20×*"), std::string::npos) << faster;
    EXPECT_EQ(column_of(faster, "faster"), column_of(lines[0], "verdict"));
    EXPECT_EQ(column_of(faster, "±2.3%"), column_of(lines[0], "noise")) << "right-aligned under its header";
    EXPECT_NE(text.find("only in NEW"), std::string::npos);
}

TEST(compare, the_json_form_carries_every_row_and_the_rule) {
    comparison c = compare_results(fixture(), next_run());
    nlohmann::json j = comparison_json(c);
    EXPECT_EQ(j["rows"].size(), c.rows.size());
    EXPECT_EQ(j["summary"]["faster"], 1);
    EXPECT_EQ(j["summary"]["slower"], 1);
    EXPECT_EQ(j["summary"]["text"], comparison_summary(c));
    EXPECT_TRUE(j["noise_rule"].is_string());
    const nlohmann::json& first = j["rows"][0];
    EXPECT_EQ(first["server"], "rpslab");
    EXPECT_EQ(first["presence"], "both");
    EXPECT_NEAR(first["figures"]["rps"]["ratio"].get<double>(), 1.2, 1e-9);
    EXPECT_EQ(first["figures"]["rps"]["significant"], true);
    EXPECT_TRUE(first["figures"].contains("client_cpu_us_per_req"));
    nlohmann::json only_new = j["rows"].back();
    EXPECT_EQ(only_new["presence"], "only_new");
    EXPECT_TRUE(only_new["figures"].empty());
}

TEST(compare, a_figure_missing_on_one_side_has_no_ratio) {
    results old_run = fixture(), new_run = fixture();
    find(new_run, "baseline", "rpslab", "/simple", 1).client_cpu_us_per_req = 0;
    nlohmann::json j = comparison_json(compare_results(old_run, new_run));
    EXPECT_TRUE(j["rows"][0]["figures"]["client_cpu_us_per_req"]["ratio"].is_null());
}

} // namespace
} // namespace rpslab::bench
