// The report's charts, written as SVG by hand (no plotting library): a line plot of req/s
// along a sweep and a grouped bar chart of latency percentiles. Every chart is self-contained
// SVG that can also be inlined into HTML. Which charts a run gets is report_plots.h.
#pragma once

#include "bench/results.h" // latency_us

#include <string>
#include <string_view>
#include <vector>

namespace rpslab::bench {

enum class axis_scale { linear, log };

struct plot_point {
    double x = 0, y = 0;
    double y_low = 0, y_high = 0; // a whisker from y_low to y_high when y_high > y_low
    bool hollow = false;          // drawn as an open marker: a figure that is only a floor
};

struct plot_series {
    std::string name;
    std::vector<plot_point> points; // drawn in x order; points with x <= 0 are skipped on a log x axis
    int style = -1;                 // colour and marker index; -1: the series' position
};

struct plot_spec {
    std::string title;
    std::string subtitle; // a smaller second line: the experiment
    std::string x_label, y_label;
    axis_scale x_scale = axis_scale::linear;
    bool y_from_zero = true; // otherwise the y axis starts near the smallest value
    std::vector<plot_series> series;
    std::vector<std::string> notes; // small print under the chart: "not shown: h2o (missing)"
    int width_px = 760, height_px = 420;
};

// A line chart with axes, round-valued ticks ("1k", "10k", "1.2M"), gridlines, a legend, one
// colour and marker per series, and whiskers. Text is escaped; no XML declaration, so the
// result can be written to a .svg file or inlined into HTML as it is.
std::string svg_line_plot(const plot_spec& spec);

struct latency_bars {
    std::string name;
    latency_us latency;
    std::string tag; // printed under the name: "client-bound"; "missing" draws no bars
};

struct latency_plot_spec {
    std::string title, subtitle;
    std::vector<latency_bars> groups;
    std::vector<std::string> notes;
    int width_px = 760, height_px = 420;
};

// p50, p90, p99 and p99.9 as grouped bars per server on a log axis in µs ("100 µs", "1 ms").
std::string svg_latency_plot(const latency_plot_spec& spec);

// Escapes &, <, >, " and ' for XML and HTML text and attribute values.
std::string escape_xml(std::string_view text);

} // namespace rpslab::bench
