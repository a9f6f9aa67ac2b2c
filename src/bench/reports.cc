#include "bench/reports.h"

#include "bench/compare.h"
#include "bench/report_html.h"
#include "bench/report_markdown.h"
#include "bench/report_plots.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace rpslab::bench {

namespace {

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

} // namespace

std::vector<std::string> write_reports(const results& r, const std::string& dir) {
    std::filesystem::create_directories(dir);
    std::vector<std::string> written;
    const std::string json_path = dir + "/results.json";
    write_file(json_path, nlohmann::json(r).dump(2) + "\n");
    written.push_back(json_path);
    const std::vector<named_svg> plots = render_plots(r);
    for (const named_svg& plot : plots) {
        write_file(dir + "/" + plot.file_name, plot.svg);
        written.push_back(dir + "/" + plot.file_name);
    }
    write_file(dir + "/results.md", render_markdown(r, plots));
    written.push_back(dir + "/results.md");
    write_file(dir + "/report.html", render_html(r, plots));
    written.push_back(dir + "/report.html");
    return written;
}

std::string summary_text(const results& r) {
    std::string out;
    char line[512];
    for (const row& w : r.rows) {
        if (w.status != "ok") {
            std::snprintf(line, sizeof line, "%-16s %-8s %-8s c%-6d p%-3d %s\n", w.server.c_str(), w.workload.c_str(),
                          w.encoding.c_str(), w.connections, w.pipeline, w.status.c_str());
        } else {
            std::snprintf(line, sizeof line,
                          "%-16s %-8s %-8s c%-6d p%-3d %10.0f req/s (%.0f-%.0f, cv %.1f%%)  server %6.2f us/req  "
                          "client %6.2f us/req  ceiling %s\n",
                          w.server.c_str(), w.workload.c_str(), w.encoding.c_str(), w.connections, w.pipeline, w.rps,
                          w.rps_min, w.rps_max, w.rps_cv * 100, w.server_cpu_us_per_req, w.client_cpu_us_per_req,
                          w.ceiling.c_str());
        }
        out += line;
    }
    return out;
}

std::string compare_text(const results& before, const results& after, bool json) {
    comparison c = compare_results(before, after);
    return json ? comparison_json(c).dump(2) + "\n" : comparison_text(c);
}

} // namespace rpslab::bench
