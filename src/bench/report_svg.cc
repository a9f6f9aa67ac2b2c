#include "bench/report_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace rpslab::bench {

namespace {

// Okabe-Ito colours, told apart with most kinds of colour blindness; yellow is left out as
// unreadable on white.
constexpr const char* palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                   "#E69F00", "#56B4E9", "#000000", "#999999"};
constexpr std::size_t palette_size = sizeof palette / sizeof palette[0];
// Light to dark: the further into the tail, the darker the bar.
constexpr const char* percentile_colours[] = {"#9ECAE1", "#6BAED6", "#3182BD", "#08519C"};
constexpr const char* percentile_names[] = {"p50", "p90", "p99", "p99.9"};

constexpr double margin_left = 76, margin_right = 168, margin_top = 44, margin_bottom = 58;
constexpr double note_line_px = 16;
constexpr double subtitle_px = 18;
constexpr double inf = std::numeric_limits<double>::infinity();

// Coordinates with at most one decimal keep the files small and diffable.
std::string px(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", v);
    std::string s = text;
    return s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0 ? s.substr(0, s.size() - 2) : s;
}

// Up to two decimals, trailing zeros dropped: 2.5 -> "2.5", 400 -> "400".
std::string trim_number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", v);
    std::string s = text;
    while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
        s.pop_back();
    }
    return s == "-0" ? "0" : s;
}

// Tick labels: 1000 -> "1k", 1200000 -> "1.2M".
std::string si_label(double v) {
    double a = std::fabs(v);
    if (a >= 1e9) {
        return trim_number(v / 1e9) + "G";
    }
    if (a >= 1e6) {
        return trim_number(v / 1e6) + "M";
    }
    return a >= 1e3 ? trim_number(v / 1e3) + "k" : trim_number(v);
}

std::string latency_label(double us) {
    if (us >= 1e6) {
        return trim_number(us / 1e6) + " s";
    }
    return us >= 1e3 ? trim_number(us / 1e3) + " ms" : trim_number(us) + " µs";
}

// An axis maps its domain to 0..1 and knows its ticks.
struct axis {
    axis_scale scale = axis_scale::linear;
    double lo = 0, hi = 1;
    std::vector<double> ticks;

    double unit(double v) const {
        if (scale == axis_scale::log) {
            return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
        }
        return (v - lo) / (hi - lo);
    }
};

// The round step (1, 2, 2.5 or 5 times a power of ten) nearest above `raw`.
double nice_step(double raw) {
    double power = std::pow(10.0, std::floor(std::log10(raw)));
    double f = raw / power;
    double step = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return step * power;
}

axis linear_axis(double lo, double hi) {
    if (!(hi > lo)) {
        hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.1);
    }
    double step = nice_step((hi - lo) / 5);
    axis a{axis_scale::linear, std::floor(lo / step) * step, std::ceil(hi / step) * step, {}};
    long long count = std::llround((a.hi - a.lo) / step);
    for (long long i = 0; i <= count; ++i) {
        a.ticks.push_back(a.lo + static_cast<double>(i) * step);
    }
    return a;
}

// The 1-2-5 values around [lo, hi]; a span of over two decades gets ticks at decades only.
axis log_axis(double lo, double hi) {
    auto value = [](long long k) { // 1-2-5 sequence: k = 3 * decade + {0, 1, 2}
        long long decade = k >= 0 ? k / 3 : -((-k + 2) / 3);
        long long step = k - 3 * decade;
        return (step == 0 ? 1.0 : step == 1 ? 2.0 : 5.0) * std::pow(10.0, static_cast<double>(decade));
    };
    auto index_below = [&](double v) {
        long long k = 3 * static_cast<long long>(std::floor(std::log10(v)));
        while (value(k + 1) <= v * (1 + 1e-9)) {
            ++k;
        }
        return k;
    };
    long long first = index_below(lo);
    long long last = index_below(hi);
    if (value(last) < hi * (1 - 1e-9) || last == first) {
        ++last;
    }
    bool decades_only = std::log10(value(last) / value(first)) > 2.01;
    if (decades_only) { // so that both ends of the axis are labelled
        first -= ((first % 3) + 3) % 3;
        last += (3 - ((last % 3) + 3) % 3) % 3;
    }
    axis a{axis_scale::log, value(first), value(last), {}};
    for (long long k = first; k <= last; ++k) {
        if (!decades_only || k % 3 == 0) {
            a.ticks.push_back(value(k));
        }
    }
    return a;
}

// The plot area of a chart and the whole canvas.
struct frame {
    double width = 0, height = 0; // canvas, notes included
    double left = margin_left, top = margin_top, plot_w = 0, plot_h = 0;

    double right() const { return left + plot_w; }
    double bottom() const { return top + plot_h; }
    double x_of(const axis& a, double v) const { return left + plot_w * a.unit(v); }
    double y_of(const axis& a, double v) const { return bottom() - plot_h * a.unit(v); }
};

frame make_frame(int width_px, int height_px, std::size_t notes, bool subtitle) {
    frame f;
    f.top = margin_top + (subtitle ? subtitle_px : 0);
    f.width = std::max(width_px, 320);
    f.height = std::max(height_px, 200) + note_line_px * static_cast<double>(notes);
    f.plot_w = f.width - margin_left - margin_right;
    f.plot_h = std::max(height_px, 200) - f.top - margin_bottom;
    return f;
}

std::string text_at(double x, double y, std::string_view text, std::string_view attributes = "") {
    return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\"" + (attributes.empty() ? "" : " ") + std::string(attributes) +
           ">" + escape_xml(text) + "</text>\n";
}

std::string line_at(double x1, double y1, double x2, double y2) {
    return "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) + "\"/>\n";
}

// Titles longer than the canvas is wide get a smaller font rather than being cut off.
std::string title_font(const frame& f, const std::string& title) {
    double chars = 0;
    for (char c : title) {
        chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    double fits = (f.width - f.left - 8) / (0.6 * std::max(chars, 1.0)); // bold sans: about 0.6 em a character
    return px(std::clamp(std::floor(fits), 10.0, 16.0));
}

std::string open_svg(const frame& f, const std::string& title, const std::string& subtitle) {
    std::string w = px(f.width), h = px(f.height);
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
                      "\" viewBox=\"0 0 " + w + " " + h +
                      "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\" role=\"img\">\n<title>" +
                      escape_xml(subtitle.empty() ? title : title + " (" + subtitle + ")") +
                      "</title>\n<rect width=\"" + w + "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n";
    out +=
        text_at(f.left, 26, title, "font-size=\"" + title_font(f, title) + "\" font-weight=\"bold\" fill=\"#111827\"");
    if (!subtitle.empty()) {
        out += text_at(f.left, 26 + subtitle_px, subtitle, "font-size=\"12\" fill=\"#6B7280\"");
    }
    return out;
}

// Gridlines and tick labels across the plot for the y axis.
std::string y_grid(const frame& f, const axis& a, std::string (*label)(double)) {
    std::string grid = "<g stroke=\"#E5E7EB\" stroke-width=\"1\">\n";
    std::string labels = "<g fill=\"#374151\" font-size=\"12\" text-anchor=\"end\">\n";
    for (double t : a.ticks) {
        double y = f.y_of(a, t);
        grid += line_at(f.left, y, f.right(), y);
        labels += text_at(f.left - 8, y + 4, label(t));
    }
    return grid + "</g>\n" + labels + "</g>\n";
}

std::string x_grid(const frame& f, const axis& a) {
    std::string grid = "<g stroke=\"#F3F4F6\" stroke-width=\"1\">\n";
    std::string labels = "<g fill=\"#374151\" font-size=\"12\" text-anchor=\"middle\">\n";
    for (double t : a.ticks) {
        double x = f.x_of(a, t);
        grid += line_at(x, f.top, x, f.bottom());
        labels += text_at(x, f.bottom() + 18, si_label(t));
    }
    return grid + "</g>\n" + labels + "</g>\n";
}

std::string axes_lines(const frame& f) {
    return "<g stroke=\"#6B7280\" stroke-width=\"1\">\n" + line_at(f.left, f.top, f.left, f.bottom()) +
           line_at(f.left, f.bottom(), f.right(), f.bottom()) + "</g>\n";
}

std::string axis_labels(const frame& f, const std::string& x_label, const std::string& y_label) {
    std::string out;
    if (!x_label.empty()) {
        out += text_at(f.left + f.plot_w / 2, f.bottom() + 42, x_label, "text-anchor=\"middle\" fill=\"#111827\"");
    }
    std::string y = px(f.top + f.plot_h / 2);
    return out + "<text x=\"18\" y=\"" + y + "\" transform=\"rotate(-90 18 " + y +
           ")\" text-anchor=\"middle\" fill=\"#111827\">" + escape_xml(y_label) + "</text>\n";
}

std::string notes_text(const frame& f, const std::vector<std::string>& notes) {
    std::string out;
    double y = f.bottom() + margin_bottom;
    for (const std::string& note : notes) {
        out += text_at(f.left, y, note, "font-size=\"12\" fill=\"#6B7280\"");
        y += note_line_px;
    }
    return out;
}

// Circle, square, triangle, diamond: series stay apart in grey print too.
std::string marker(int style, double x, double y, const std::string& colour, bool hollow) {
    std::string paint =
        "fill=\"" + (hollow ? std::string("#ffffff") : colour) + "\" stroke=\"" + colour + "\" stroke-width=\"1.5\"";
    switch (style % 4) {
    case 0:
        return "<circle cx=\"" + px(x) + "\" cy=\"" + px(y) + "\" r=\"4\" " + paint + "/>";
    case 1:
        return "<rect x=\"" + px(x - 3.5) + "\" y=\"" + px(y - 3.5) + "\" width=\"7\" height=\"7\" " + paint + "/>";
    case 2:
        return "<path d=\"M" + px(x) + " " + px(y - 5) + "L" + px(x + 4.5) + " " + px(y + 3.5) + "L" + px(x - 4.5) +
               " " + px(y + 3.5) + "Z\" " + paint + "/>";
    default:
        return "<path d=\"M" + px(x) + " " + px(y - 5) + "L" + px(x + 5) + " " + px(y) + "L" + px(x) + " " + px(y + 5) +
               "L" + px(x - 5) + " " + px(y) + "Z\" " + paint + "/>";
    }
}

int style_of(const plot_series& s, std::size_t index) {
    return s.style >= 0 ? s.style : static_cast<int>(index);
}

const char* colour_of(int style) {
    return palette[static_cast<std::size_t>(style) % palette_size];
}

std::vector<plot_point> drawable(const plot_series& s, axis_scale x_scale) {
    std::vector<plot_point> points;
    for (const plot_point& p : s.points) {
        if (std::isfinite(p.x) && std::isfinite(p.y) && (x_scale == axis_scale::linear || p.x > 0)) {
            points.push_back(p);
        }
    }
    std::sort(points.begin(), points.end(), [](const plot_point& a, const plot_point& b) { return a.x < b.x; });
    return points;
}

std::string whisker(const frame& f, const axis& y_axis, const plot_point& p, double x, const std::string& colour) {
    if (!(p.y_high > p.y_low)) {
        return "";
    }
    double y1 = f.y_of(y_axis, p.y_low), y2 = f.y_of(y_axis, p.y_high);
    return "<g stroke=\"" + colour + "\" stroke-width=\"1\">" + line_at(x, y1, x, y2) + line_at(x - 3, y1, x + 3, y1) +
           line_at(x - 3, y2, x + 3, y2) + "</g>\n";
}

std::string series_svg(const frame& f, const axis& x_axis, const axis& y_axis, const plot_series& s, int style) {
    std::string colour = colour_of(style);
    std::vector<plot_point> points = drawable(s, x_axis.scale);
    std::string line = "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\" points=\"";
    std::string marks;
    for (const plot_point& p : points) {
        double x = f.x_of(x_axis, p.x), y = f.y_of(y_axis, p.y);
        line += px(x) + "," + px(y) + " ";
        marks += whisker(f, y_axis, p, x, colour) + "<g><title>" +
                 escape_xml(s.name + ": " + si_label(p.x) + ", " + trim_number(p.y)) + "</title>" +
                 marker(style, x, y, colour, p.hollow) + "</g>\n";
    }
    if (!points.empty()) {
        line.pop_back();
    }
    return "<g>\n" + line + "\"/>\n" + marks + "</g>\n";
}

std::string legend_entry(const frame& f, std::size_t index, const std::string& name, const std::string& swatch) {
    double y = f.top + 8 + 20 * static_cast<double>(index);
    return swatch + text_at(f.right() + 44, y + 4, name, "fill=\"#111827\"");
}

std::string line_legend(const frame& f, const std::vector<plot_series>& series) {
    std::string out = "<g>\n";
    for (std::size_t i = 0; i < series.size(); ++i) {
        int style = style_of(series[i], i);
        std::string colour = colour_of(style);
        double y = f.top + 8 + 20 * static_cast<double>(i);
        std::string swatch = "<g stroke=\"" + colour + "\" stroke-width=\"2\">" +
                             line_at(f.right() + 14, y, f.right() + 38, y) + "</g>" +
                             marker(style, f.right() + 26, y, colour, false) + "\n";
        out += legend_entry(f, i, series[i].name, swatch);
    }
    return out + "</g>\n";
}

std::pair<double, double> y_extent(const plot_spec& spec) {
    double lo = inf, hi = -inf;
    for (const plot_series& s : spec.series) {
        for (const plot_point& p : drawable(s, spec.x_scale)) {
            lo = std::min({lo, p.y, p.y_high > p.y_low ? p.y_low : p.y});
            hi = std::max({hi, p.y, p.y_high > p.y_low ? p.y_high : p.y});
        }
    }
    if (!(hi >= lo)) {
        return {0, 1};
    }
    return {spec.y_from_zero ? std::min(0.0, lo) : lo, hi};
}

axis x_axis_of(const plot_spec& spec) {
    double lo = inf, hi = -inf;
    for (const plot_series& s : spec.series) {
        for (const plot_point& p : drawable(s, spec.x_scale)) {
            lo = std::min(lo, p.x);
            hi = std::max(hi, p.x);
        }
    }
    if (!(hi >= lo)) {
        lo = 1;
        hi = 10;
    }
    return spec.x_scale == axis_scale::log ? log_axis(lo, hi) : linear_axis(lo, hi);
}

// Bars of one server: p50, p90, p99, p99.9 side by side.
std::string bar_group(const frame& f, const axis& y_axis, const latency_bars& g, double x0, double group_w) {
    const double values[] = {g.latency.p50, g.latency.p90, g.latency.p99, g.latency.p999};
    double bar_w = group_w * 0.7 / 4;
    std::string out;
    for (std::size_t i = 0; i < 4; ++i) {
        if (!(values[i] > 0)) {
            continue;
        }
        double y = f.y_of(y_axis, std::max(values[i], y_axis.lo));
        double x = x0 + group_w * 0.15 + bar_w * static_cast<double>(i);
        out += "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(bar_w - 1) + "\" height=\"" +
               px(f.bottom() - y) + "\" fill=\"" + percentile_colours[i] + "\"><title>" +
               escape_xml(g.name + " " + percentile_names[i] + ": " + latency_label(values[i])) + "</title></rect>\n";
    }
    bool drawn = !out.empty();
    if (!drawn) {
        out = text_at(x0 + group_w / 2, f.top + f.plot_h / 2, g.tag.empty() ? "no figures" : g.tag,
                      "text-anchor=\"middle\" font-style=\"italic\" fill=\"#6B7280\"");
    }
    double label_x = x0 + group_w / 2;
    out += text_at(label_x, f.bottom() + 18, g.name, "text-anchor=\"middle\" fill=\"#111827\"");
    if (drawn && !g.tag.empty()) {
        out += text_at(label_x, f.bottom() + 32, g.tag, "text-anchor=\"middle\" font-size=\"11\" fill=\"#6B7280\"");
    }
    return out;
}

axis latency_axis(const latency_plot_spec& spec) {
    double lo = inf, hi = -inf;
    for (const latency_bars& g : spec.groups) {
        for (double v : {g.latency.p50, g.latency.p90, g.latency.p99, g.latency.p999}) {
            if (v > 0 && std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    }
    if (!(hi >= lo)) {
        return log_axis(10, 1000);
    }
    // Start the bars below the smallest value, or the shortest bar would be a sliver.
    return log_axis(lo / 1.5, hi);
}

std::string percentile_legend(const frame& f) {
    std::string out = "<g>\n";
    for (std::size_t i = 0; i < 4; ++i) {
        double y = f.top + 8 + 20 * static_cast<double>(i);
        std::string swatch = "<rect x=\"" + px(f.right() + 18) + "\" y=\"" + px(y - 6) +
                             "\" width=\"16\" height=\"12\" fill=\"" + percentile_colours[i] + "\"/>\n";
        out += legend_entry(f, i, percentile_names[i], swatch);
    }
    return out + "</g>\n";
}

} // namespace

std::string escape_xml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string svg_line_plot(const plot_spec& spec) {
    frame f = make_frame(spec.width_px, spec.height_px, spec.notes.size(), !spec.subtitle.empty());
    axis x_axis = x_axis_of(spec);
    auto [y_lo, y_hi] = y_extent(spec);
    axis y_axis = linear_axis(y_lo, y_hi);
    std::string out = open_svg(f, spec.title, spec.subtitle) + y_grid(f, y_axis, si_label) + x_grid(f, x_axis) +
                      axes_lines(f) + axis_labels(f, spec.x_label, spec.y_label);
    for (std::size_t i = 0; i < spec.series.size(); ++i) {
        out += series_svg(f, x_axis, y_axis, spec.series[i], style_of(spec.series[i], i));
    }
    return out + line_legend(f, spec.series) + notes_text(f, spec.notes) + "</svg>\n";
}

std::string svg_latency_plot(const latency_plot_spec& spec) {
    frame f = make_frame(spec.width_px, spec.height_px, spec.notes.size(), !spec.subtitle.empty());
    axis y_axis = latency_axis(spec);
    std::string out = open_svg(f, spec.title, spec.subtitle) + y_grid(f, y_axis, latency_label) + axes_lines(f) +
                      axis_labels(f, "", "latency (log scale)");
    double group_w = f.plot_w / static_cast<double>(std::max<std::size_t>(spec.groups.size(), 1));
    for (std::size_t i = 0; i < spec.groups.size(); ++i) {
        out += bar_group(f, y_axis, spec.groups[i], f.left + group_w * static_cast<double>(i), group_w);
    }
    return out + percentile_legend(f) + notes_text(f, spec.notes) + "</svg>\n";
}

} // namespace rpslab::bench
