// The report writers: a known results.json renders to the expected tables, in Markdown and
// HTML alike; client-bound rows are never ranked, and a missing peer is never dropped.
#include "bench/report_html.h"
#include "bench/report_markdown.h"
#include "bench/report_plots.h"
#include "bench/report_table.h"
#include "unit/bench/fixture.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <limits>
#include <string>

namespace rpslab::bench {
namespace {

using test_data::count;

using test_data::fixture;

const table_line& line_of(const results_table& table, const std::string& server, int pipeline) {
    for (const table_line& line : table.lines) {
        if (line.server == server && line.cells[3] == std::to_string(pipeline)) {
            return line;
        }
    }
    throw std::runtime_error("no line for " + server);
}

std::string cell(const results_table& table, const table_line& line, column c) {
    auto it = std::find(table.columns.begin(), table.columns.end(), c);
    if (it == table.columns.end()) {
        throw std::runtime_error("no such column");
    }
    return line.cells[static_cast<std::size_t>(it - table.columns.begin())];
}

TEST(format, numbers_and_latencies_read_the_way_people_write_them) {
    EXPECT_EQ(format_count(0), "0");
    EXPECT_EQ(format_count(999), "999");
    EXPECT_EQ(format_count(1234567.4), "1,234,567");
    EXPECT_EQ(format_count(-1234), "-1,234");
    EXPECT_EQ(format_count(std::numeric_limits<double>::infinity()), "?");
    EXPECT_EQ(format_fixed(13.06, 1), "13.1");
    EXPECT_EQ(format_percent(0.0213, 1), "2.1%");
    EXPECT_EQ(format_latency(0), "—");
    EXPECT_EQ(format_latency(8.46), "8.5 µs");
    EXPECT_EQ(format_latency(640), "640 µs");
    EXPECT_EQ(format_latency(999.6), "1.00 ms");
    EXPECT_EQ(format_latency(1480), "1.48 ms");
    EXPECT_EQ(format_latency(14100), "14.1 ms");
    EXPECT_EQ(format_latency(250000), "250 ms");
    EXPECT_EQ(format_latency(2.5e6), "2.50 s");
}

TEST(report_table, the_baseline_simple_table_renders_exactly) {
    std::vector<experiment_section> sections = build_sections(fixture());
    ASSERT_EQ(sections.size(), 2u);
    EXPECT_EQ(sections[0].name, "baseline");
    EXPECT_EQ(sections[0].title, "Servers x workloads");
    ASSERT_EQ(sections[0].tables.size(), 2u);
    EXPECT_EQ(sections[0].tables[0].workload, "/simple") << "plan order, not row order";
    const char* expected =
        R"md(| Rank | Server   | Conns | Pipeline |  Req/s | CV (min–max)               |    p50 |     p99 |   p99.9 | Server µs/req | Client µs/req | vs rpslab | Errors | Ceiling                                  |
|-----:|:---------|------:|---------:|-------:|:---------------------------|-------:|--------:|--------:|--------------:|--------------:|----------:|:-------|:-----------------------------------------|
|    1 | rpslab   |    50 |        1 | 71,234 | 1.2% (70,980–72,610)       | 640 µs | 1.48 ms | 2.95 ms |          13.1 |          11.2 |         — | 0      | server: server CPUs 99% busy, client 78% |
|    2 | nginx    |    50 |        1 | 69,800 | 2.4% (68,200–71,500)       | 700 µs | 1.71 ms | 3.40 ms |          13.7 |          11.3 | 0.98× tie | 0      | server: server CPUs 99% busy, client 78% |
|    3 | fasthttp |    50 |        1 | 58,100 | 6.5% noisy (55,300–62,900) | 790 µs | 2.21 ms | 5.90 ms |          16.1 |          11.4 |     0.82× | 0      | server: server CPUs 99% busy, client 78% |
|    — | h2o      |    50 |        1 | *missing: h2o not found (package h2o; make deps)* |                            |        |         |         |               |               |           |        |                                          |
)md";
    EXPECT_EQ(markdown_table(sections[0].tables[0]), expected);
}

TEST(report_table, the_sweep_table_has_a_column_per_point_and_marks_client_bound_cells) {
    std::vector<experiment_section> sections = build_sections(fixture());
    ASSERT_EQ(sections[1].sweeps.size(), 1u);
    std::string markdown = render_markdown(fixture());
    const char* expected = R"md(Req/s by pipeline, 50 connections:

| Server   | pipeline 1 |          pipeline 16 |
|:---------|-----------:|---------------------:|
| rpslab   |     71,020 | 412,000 client-bound |
| nginx    |     66,100 |               91,300 |
| fasthttp |     59,800 |              331,000 |
)md";
    EXPECT_NE(markdown.find(expected), std::string::npos) << markdown;
}

TEST(report_table, client_bound_rows_carry_no_rank_and_bound_the_ratios_against_them) {
    std::vector<experiment_section> sections = build_sections(fixture());
    const results_table& table = sections[1].tables[0];
    const table_line& rpslab = line_of(table, "rpslab", 16);
    EXPECT_EQ(rpslab.kind, line_kind::floor);
    EXPECT_EQ(cell(table, rpslab, column::rank), "—");
    EXPECT_EQ(cell(table, rpslab, column::ceiling), "client-bound, not ranked");
    EXPECT_EQ(rpslab.ceiling_reason, "client CPUs 99% busy, server 61%");
    // Ranked among the server-bound rows only, and rpslab's figure is a floor: "at most".
    EXPECT_EQ(cell(table, line_of(table, "fasthttp", 16), column::rank), "1");
    EXPECT_EQ(cell(table, line_of(table, "nginx", 16), column::rank), "2");
    EXPECT_EQ(cell(table, line_of(table, "fasthttp", 16), column::vs_rpslab), "≤0.80×");
    // The client-bound line comes after the ranked ones of its point.
    EXPECT_EQ(table.lines.back().server, "rpslab");
    EXPECT_TRUE(table.lines[3].first_of_point);
}

TEST(report_table, every_row_has_a_rank_only_when_it_was_not_client_bound) {
    for (const experiment_section& section : build_sections(fixture())) {
        for (const results_table& table : section.tables) {
            for (const table_line& line : table.lines) {
                bool ranked = cell(table, line, column::rank) != "—";
                EXPECT_EQ(ranked, line.kind == line_kind::ranked) << section.name << " " << line.server;
            }
        }
    }
}

TEST(report_table, a_contended_row_is_a_floor_with_its_reason_in_the_notes) {
    results r = fixture();
    row* nginx = nullptr;
    for (row& each : r.rows) {
        if (each.experiment == r.rows.front().experiment && each.server == "nginx" && each.pipeline == 1 &&
            each.workload == r.rows.front().workload) {
            nginx = &each;
        }
    }
    ASSERT_NE(nginx, nullptr);
    nginx->ceiling = "network/other";
    nginx->contention = "other work took 31% of the server CPUs (e.g. yes (pid 4242, 62% of a CPU))";
    const std::vector<experiment_section> sections = build_sections(r);
    const results_table& table = sections[0].tables[0];
    const table_line& line = line_of(table, "nginx", 1);
    EXPECT_EQ(line.kind, line_kind::floor);
    EXPECT_EQ(line.floor_label, "contended");
    EXPECT_EQ(cell(table, line, column::rank), "—");
    EXPECT_EQ(cell(table, line, column::ceiling), "network/other, contended, not ranked");
    EXPECT_EQ(cell(table, line, column::notes), "contended: " + nginx->contention);
    // After the ranked lines of its point, before the status line of the missing h2o.
    ASSERT_EQ(table.lines.size(), 4u);
    EXPECT_EQ(table.lines[2].server, "nginx");
    EXPECT_EQ(cell(table, line_of(table, "fasthttp", 1), column::rank), "2");
}

TEST(report_table, littles_law_failures_and_noise_are_flagged) {
    std::vector<experiment_section> sections = build_sections(fixture());
    const results_table& table = sections[1].tables[0];
    const table_line& fasthttp = line_of(table, "fasthttp", 16);
    EXPECT_TRUE(fasthttp.littles_off);
    EXPECT_EQ(cell(table, fasthttp, column::notes),
              "Little's law off: connections × pipeline = 800, req/s × mean latency = 629");
    const results_table& baseline = sections[0].tables[0];
    EXPECT_TRUE(line_of(baseline, "fasthttp", 1).noisy);
    EXPECT_FALSE(line_of(baseline, "nginx", 1).noisy);
    EXPECT_EQ(std::count(baseline.columns.begin(), baseline.columns.end(), column::notes), 0)
        << "no notes column where no row has a note";
}

TEST(report_markdown, missing_and_not_applicable_peers_keep_their_rows) {
    std::string md = render_markdown(fixture());
    EXPECT_EQ(count(md, "*missing: h2o not found (package h2o; make deps)*"), 2u) << "both baseline workloads";
    EXPECT_EQ(count(md, "*not applicable: a static server does not compute*"), 1u);
    EXPECT_NE(md.find("| h2o      |                           | missing: h2o not found (package h2o; make deps) |"),
              std::string::npos)
        << "and in the servers table";
}

TEST(report_markdown, the_header_names_the_machine_and_the_command) {
    std::string md = render_markdown(fixture());
    EXPECT_EQ(md.rfind("# rpslab bench: fixture\n", 0), 0u);
    EXPECT_NE(md.find("- **Machine:** bench-2c: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz, 2 cores\n"),
              std::string::npos);
    EXPECT_NE(md.find("- **Kernel:** 6.1.0-18-cloud-amd64, governor performance\n"), std::string::npos);
    EXPECT_NE(md.find("- **CPUs:** server on 0, load generator on 1\n"), std::string::npos);
    EXPECT_NE(md.find("- **Command:** `rpslab bench bench/plans/fixture.json --out out/fixture --server-cpus 0 "
                      "--client-cpus 1`\n"),
              std::string::npos);
    EXPECT_NE(md.find("```nginx\nworker_processes 1;\n"), std::string::npos);
    EXPECT_NE(md.find("## How to read this"), std::string::npos);
    EXPECT_LT(md.find("## Servers x workloads (`baseline`)"), md.find("## Pipelining on /simple (`pipelining`)"));
}

TEST(report_markdown, links_the_plots_next_to_their_table) {
    std::vector<named_svg> plots = render_plots(fixture());
    std::string md = render_markdown(fixture(), plots);
    for (const named_svg& plot : plots) {
        EXPECT_NE(md.find("](" + plot.file_name + ")"), std::string::npos) << plot.file_name;
    }
}

TEST(report_markdown, a_machine_without_its_keys_and_a_pipe_in_a_cell_do_not_break_it) {
    results r = fixture();
    r.machine = nlohmann::json();
    r.plan = nlohmann::json::object();
    r.rows[0].ceiling_reason = "a | b";
    std::string md = render_markdown(r);
    EXPECT_NE(md.find("- **Machine:** ?: ?, ? cores\n"), std::string::npos);
    EXPECT_NE(md.find("a \\| b"), std::string::npos);
    EXPECT_NE(md.find("## baseline\n"), std::string::npos) << "experiments named by their rows";
}

TEST(report_markdown, a_row_of_an_experiment_the_plan_does_not_name_is_still_reported) {
    results r = fixture();
    r.rows.push_back(r.rows.front());
    r.rows.back().experiment = "";
    r.rows.back().server = "stray";
    std::string md = render_markdown(r);
    EXPECT_NE(md.find("## Unnamed experiment\n"), std::string::npos);
    EXPECT_NE(md.find("| stray "), std::string::npos);
}

TEST(report_markdown, a_long_ceiling_reason_is_shortened_in_the_table_and_kept_whole_below_it) {
    results r = fixture();
    r.rows[0].ceiling_reason =
        "server CPUs 99% busy, client CPUs 81%; at their CPU cost the server sustains 96231 req/s";
    std::string md = render_markdown(r);
    EXPECT_NE(md.find("| server: server CPUs 99% busy, client CPUs 81% |"), std::string::npos);
    EXPECT_NE(md.find("<details><summary>Ceilings in full</summary>\n\n- rpslab, 50 connections, pipeline 1: server "
                      "CPUs 99% busy, client CPUs 81%; at their CPU cost the server sustains 96231 req/s\n"),
              std::string::npos);
    std::string html = render_html(r, {});
    EXPECT_NE(html.find("<details class=\"why\"><summary>server CPUs 99% busy, client CPUs 81%</summary> at their"),
              std::string::npos);
}

TEST(report_html, holds_the_same_tables_and_every_plot_inline) {
    std::vector<named_svg> plots = render_plots(fixture());
    std::string html = render_html(fixture(), plots);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_EQ(count(html, "<svg "), plots.size());
    EXPECT_EQ(count(html, "<tr class=\"floor"), 1u);
    EXPECT_EQ(count(html, "<td class=\"status\" colspan=\"10\">missing: h2o not found (package h2o; make deps)</td>"),
              2u);
    EXPECT_NE(html.find("<td class=\"num\">71,234</td>"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"num\">0.98× tie</td>"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"text notes warn\">Little&#39;s law off"), std::string::npos);
    EXPECT_NE(html.find("<span class=\"tag warn\">noisy</span>"), std::string::npos);
    EXPECT_NE(html.find("position: sticky"), std::string::npos);
    EXPECT_NE(html.find("-g &#39;daemon off;&#39;"), std::string::npos) << "commands escaped";
}

TEST(report_html, is_self_contained) {
    std::string html = render_html(fixture(), render_plots(fixture()));
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_EQ(html.find("url("), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(count(html, "http://"), count(html, "http://www.w3.org/2000/svg") + count(html, "http://127.0.0.1"))
        << "only SVG namespaces and the load commands";
}

TEST(report_html, escapes_what_the_run_recorded) {
    results r = fixture();
    r.rows[0].server = "<b>x</b>";
    r.servers[0].config = "</pre><script>";
    std::string html = render_html(r, {});
    EXPECT_EQ(html.find("<b>x</b>"), std::string::npos);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_NE(html.find("&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
}

} // namespace
} // namespace rpslab::bench
