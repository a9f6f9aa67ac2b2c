// The SVG writer draws charts a browser and an XML parser both accept: well-formed, text
// escaped, round tick values, every server of a run accounted for (drawn or named).
#include "bench/report_plots.h"
#include "bench/report_svg.h"
#include "unit/bench/fixture.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::bench {
namespace {

using test_data::count;

using test_data::fixture_path;

bool name_char(char c, bool first) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    return letter || (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

// "" when `text` at `at` starts a well-formed reference (&amp; &lt; &gt; &quot; &#39; &#NN;).
std::string entity_problem(std::string_view text, std::size_t at) {
    std::size_t end = text.find(';', at);
    if (end == std::string_view::npos || end - at > 8) {
        return "bare & at " + std::to_string(at);
    }
    std::string_view name = text.substr(at + 1, end - at - 1);
    static const std::set<std::string_view> named = {"amp", "lt", "gt", "quot", "apos"};
    bool numeric = name.size() > 1 && name[0] == '#' &&
                   std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
    return named.count(name) != 0 || numeric ? "" : "unknown entity &" + std::string(name) + ";";
}

std::string text_problem(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '<') {
            return "raw < in text";
        }
        if (text[i] == '&') {
            if (std::string p = entity_problem(text, i); !p.empty()) {
                return p;
            }
        }
    }
    return "";
}

// Checks name="value" pairs; returns the element name through `name`.
std::string tag_problem(std::string_view tag, std::string& name) {
    std::size_t i = 0;
    while (i < tag.size() && name_char(tag[i], i == 0)) {
        ++i;
    }
    name = std::string(tag.substr(0, i));
    if (name.empty()) {
        return "tag without a name: <" + std::string(tag) + ">";
    }
    while (true) {
        while (i < tag.size() && tag[i] == ' ') {
            ++i;
        }
        if (i == tag.size()) {
            return "";
        }
        std::size_t start = i;
        while (i < tag.size() && name_char(tag[i], i == start)) {
            ++i;
        }
        if (i == start || i + 1 >= tag.size() || tag[i] != '=' || (tag[i + 1] != '"' && tag[i + 1] != '\'')) {
            return "bad attribute in <" + std::string(tag) + ">";
        }
        std::size_t close = tag.find(tag[i + 1], i + 2);
        if (close == std::string_view::npos) {
            return "unterminated attribute in <" + name + ">";
        }
        if (std::string p = text_problem(tag.substr(i + 2, close - i - 2)); !p.empty()) {
            return p + " in an attribute of <" + name + ">";
        }
        i = close + 1;
    }
}

// A small structural XML check, enough for what the writer emits: one root, balanced and
// properly nested elements, quoted attributes, no raw '<' or bare '&' in text or values.
// "" when well-formed. (xmllint would do, but a unit test must not need it.)
std::string xml_problem(std::string_view doc) {
    std::vector<std::string> open;
    bool root_seen = false;
    std::size_t i = 0;
    while (i < doc.size()) {
        std::size_t lt = doc.find('<', i);
        std::string_view text = doc.substr(i, lt == std::string_view::npos ? std::string_view::npos : lt - i);
        if (std::string p = text_problem(text); !p.empty()) {
            return p;
        }
        bool blank = text.find_first_not_of(" \n\t\r") == std::string_view::npos;
        if (open.empty() && !blank) {
            return "text outside the root element";
        }
        if (lt == std::string_view::npos) {
            break;
        }
        std::size_t gt = doc.find('>', lt);
        if (gt == std::string_view::npos) {
            return "unterminated tag";
        }
        std::string_view tag = doc.substr(lt + 1, gt - lt - 1);
        if (!tag.empty() && tag[0] == '/') {
            if (open.empty() || open.back() != tag.substr(1)) {
                return "</" + std::string(tag.substr(1)) + "> closes " + (open.empty() ? "nothing" : open.back());
            }
            open.pop_back();
        } else {
            bool self_closing = !tag.empty() && tag.back() == '/';
            std::string name;
            if (std::string p = tag_problem(self_closing ? tag.substr(0, tag.size() - 1) : tag, name); !p.empty()) {
                return p;
            }
            if (open.empty() && root_seen) {
                return "a second root element <" + name + ">";
            }
            root_seen = true;
            if (!self_closing) {
                open.push_back(name);
            }
        }
        i = gt + 1;
    }
    if (!open.empty()) {
        return "<" + open.back() + "> is never closed";
    }
    return root_seen ? "" : "no root element";
}

TEST(xml_check, catches_what_it_is_for) {
    EXPECT_EQ(xml_problem("<svg><g/><text x=\"1\">a &amp; b</text></svg>"), "");
    EXPECT_NE(xml_problem("<svg><g></svg>"), "");
    EXPECT_NE(xml_problem("<svg><text>a < b</text></svg>"), "");
    EXPECT_NE(xml_problem("<svg><text>a & b</text></svg>"), "");
    EXPECT_NE(xml_problem("<svg x=1></svg>"), "");
    EXPECT_NE(xml_problem("<svg></svg><svg></svg>"), "");
    EXPECT_NE(xml_problem("<svg><text x=\"<\">t</text></svg>"), "");
}

// The tick labels along the x axis, in order: they are the texts at the axis' label row.
std::vector<std::string> x_tick_labels(const std::string& svg) {
    std::size_t group = svg.find("text-anchor=\"middle\">\n");
    std::size_t end = svg.find("</g>", group);
    std::vector<std::string> labels;
    for (std::size_t at = svg.find("\">", svg.find("<text", group)); at < end;
         at = svg.find("\">", svg.find("<text", at))) {
        labels.push_back(svg.substr(at + 2, svg.find("</text>", at) - at - 2));
    }
    return labels;
}

plot_spec sweep(std::vector<double> xs, axis_scale scale) {
    plot_spec spec;
    spec.title = "t";
    spec.x_label = "x";
    spec.y_label = "y";
    spec.x_scale = scale;
    plot_series s{"rpslab", {}, -1};
    for (double x : xs) {
        s.points.push_back({x, 1000 * x, 0, 0, false});
    }
    spec.series.push_back(s);
    return spec;
}

TEST(svg_line_plot, is_well_formed_and_escapes_every_text) {
    plot_spec spec = sweep({1, 2, 4, 8, 16, 32, 50}, axis_scale::log);
    spec.title = "a <b> & \"c\" 'd'";
    spec.series.push_back({"<script>", {{1, 5000, 4000, 6000, true}, {50, 9000, 0, 0, false}}, 3});
    spec.notes = {"x & y"};
    std::string svg = svg_line_plot(spec);
    EXPECT_EQ(xml_problem(svg), "") << svg;
    EXPECT_EQ(svg.find("<script>"), std::string::npos);
    EXPECT_NE(svg.find("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;"), std::string::npos);
    EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
    EXPECT_NE(svg.find("x &amp; y"), std::string::npos);
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u) << "no XML declaration: it inlines";
}

TEST(svg_line_plot, log_x_ticks_are_round_values) {
    EXPECT_EQ(x_tick_labels(svg_line_plot(sweep({1, 2, 4, 8, 16, 32, 50}, axis_scale::log))),
              (std::vector<std::string>{"1", "2", "5", "10", "20", "50"}));
    EXPECT_EQ(x_tick_labels(svg_line_plot(sweep({100, 1000, 10000}, axis_scale::log))),
              (std::vector<std::string>{"100", "200", "500", "1k", "2k", "5k", "10k"}));
    // Past two decades only the decades are labelled.
    EXPECT_EQ(x_tick_labels(svg_line_plot(sweep({1, 30, 20000}, axis_scale::log))),
              (std::vector<std::string>{"1", "10", "100", "1k", "10k", "100k"}));
}

TEST(svg_line_plot, linear_y_ticks_start_at_zero_with_si_labels) {
    plot_spec spec = sweep({1, 16}, axis_scale::linear); // y up to 16,000
    spec.series[0].points.push_back({8, 412000, 0, 0, false});
    std::string svg = svg_line_plot(spec);
    for (const char* label : {">0<", ">100k<", ">200k<", ">300k<", ">400k<", ">500k<"}) {
        EXPECT_NE(svg.find(label), std::string::npos) << label;
    }
    EXPECT_EQ(svg.find(">600k<"), std::string::npos);
}

TEST(svg_line_plot, series_get_their_own_colour_marker_and_legend_entry) {
    plot_spec spec = sweep({1, 16}, axis_scale::log);
    spec.series.push_back({"nginx", {{1, 500, 0, 0, false}, {16, 900, 0, 0, true}}, -1});
    std::string svg = svg_line_plot(spec);
    EXPECT_EQ(count(svg, "<polyline"), 2u);
    EXPECT_NE(svg.find("stroke=\"#0072B2\""), std::string::npos);
    EXPECT_NE(svg.find("stroke=\"#D55E00\""), std::string::npos);
    EXPECT_NE(svg.find(">rpslab</text>"), std::string::npos);
    EXPECT_NE(svg.find(">nginx</text>"), std::string::npos);
    EXPECT_NE(svg.find("fill=\"#ffffff\" stroke=\"#D55E00\""), std::string::npos) << "hollow marker";
}

TEST(svg_line_plot, an_empty_chart_is_still_well_formed) {
    EXPECT_EQ(xml_problem(svg_line_plot(plot_spec{})), "");
    plot_spec spec = sweep({0, 0}, axis_scale::log); // nothing drawable on a log axis
    EXPECT_EQ(xml_problem(svg_line_plot(spec)), "");
}

TEST(svg_latency_plot, draws_four_bars_per_server_on_a_log_axis_and_names_the_missing) {
    latency_plot_spec spec;
    spec.title = "latency & more";
    spec.groups = {{"rpslab", {640, 910, 1480, 2950, 5100, 690}, ""},
                   {"nginx", {700, 990, 1710, 3400, 6200, 752}, "client-bound"},
                   {"h2o", {}, "missing"}};
    spec.notes = {"h2o: missing: h2o not found (package h2o; make deps)"};
    std::string svg = svg_latency_plot(spec);
    EXPECT_EQ(xml_problem(svg), "") << svg;
    EXPECT_EQ(count(svg, "<rect x=") - 4, 8u) << "4 legend swatches, then 4 bars for each server with figures";
    EXPECT_NE(svg.find("<title>rpslab p99: 1.48 ms</title>"), std::string::npos);
    EXPECT_NE(svg.find("<title>nginx p99.9: 3.4 ms</title>"), std::string::npos);
    EXPECT_NE(svg.find(">1 ms</text>"), std::string::npos);
    EXPECT_NE(svg.find(">500 µs</text>"), std::string::npos);
    EXPECT_NE(svg.find(">missing</text>"), std::string::npos);
    EXPECT_NE(svg.find(">client-bound</text>"), std::string::npos);
    EXPECT_NE(svg.find("latency &amp; more"), std::string::npos);
    EXPECT_NE(svg.find("(package h2o; make deps)"), std::string::npos);
    EXPECT_EQ(xml_problem(svg_latency_plot(latency_plot_spec{})), "");
}

TEST(file_name_part, keeps_lowercase_letters_digits_and_single_dashes) {
    EXPECT_EQ(file_name_part("/read"), "read");
    EXPECT_EQ(file_name_part("Conn Ramp: 100 → 10,000"), "conn-ramp-100-10-000");
    EXPECT_EQ(file_name_part("../etc/passwd"), "etc-passwd");
    EXPECT_EQ(file_name_part("///"), "");
}

TEST(render_plots, chooses_rps_charts_for_sweeps_and_latency_charts_for_every_experiment) {
    results r = load_results_file(fixture_path());
    std::vector<named_svg> plots = render_plots(r);
    std::vector<std::string> names;
    for (const named_svg& p : plots) {
        names.push_back(p.file_name);
        EXPECT_EQ(xml_problem(p.svg), "") << p.file_name;
        EXPECT_EQ(p.file_name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-."), std::string::npos);
    }
    EXPECT_EQ(names, (std::vector<std::string>{
                         "baseline-simple-identity-c50-p1-latency.svg", "baseline-compute-identity-c50-p1-latency.svg",
                         "pipelining-simple-identity-rps.svg", "pipelining-simple-identity-c50-p1-latency.svg",
                         "pipelining-simple-identity-c50-p16-latency.svg"}));
}

TEST(render_plots, a_missing_peer_is_named_in_the_chart_and_client_bound_points_are_open) {
    results r = load_results_file(fixture_path());
    std::vector<named_svg> plots = render_plots(r);
    const std::string& simple = plots[0].svg;
    EXPECT_NE(simple.find("h2o: missing: h2o not found (package h2o; make deps)"), std::string::npos);
    const std::string& compute = plots[1].svg;
    EXPECT_NE(compute.find("nginx: not applicable: a static server does not compute"), std::string::npos);
    const std::string& sweep_svg = plots[2].svg;
    EXPECT_EQ(plots[2].experiment, "pipelining");
    EXPECT_EQ(count(sweep_svg, "<polyline"), 3u);
    EXPECT_NE(sweep_svg.find("open markers: client-bound"), std::string::npos);
    EXPECT_EQ(count(sweep_svg, "fill=\"#ffffff\" stroke="), 1u) << "rpslab at pipeline 16 only";
}

TEST(render_plots, a_server_keeps_its_colour_across_charts) {
    results r = load_results_file(fixture_path());
    r.rows.erase(std::remove_if(r.rows.begin(), r.rows.end(), [](const row& x) { return x.server == "rpslab"; }),
                 r.rows.end());
    std::vector<named_svg> plots = render_plots(r);
    const std::string& sweep_svg = plots[2].svg;
    EXPECT_EQ(sweep_svg.find("stroke=\"#0072B2\""), std::string::npos) << "rpslab's colour stays unused";
    EXPECT_NE(sweep_svg.find("stroke=\"#D55E00\""), std::string::npos) << "nginx keeps the second colour";
}

} // namespace
} // namespace rpslab::bench
