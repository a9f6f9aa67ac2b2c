#include "load/report.h"

#include "stats/interval_log.h"
#include "stats/report.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace rpslab::load {

namespace {

struct series_stats {
    double mean = 0, stdev = 0;
    std::uint64_t peak = 0;
};

series_stats summarize(const std::vector<std::uint64_t>& per_second) {
    series_stats s;
    if (per_second.empty()) {
        return s;
    }
    for (auto v : per_second) {
        s.mean += static_cast<double>(v);
        s.peak = std::max(s.peak, v);
    }
    s.mean /= static_cast<double>(per_second.size());
    for (auto v : per_second) {
        s.stdev += (static_cast<double>(v) - s.mean) * (static_cast<double>(v) - s.mean);
    }
    s.stdev = std::sqrt(s.stdev / static_cast<double>(per_second.size()));
    return s;
}

std::string latency_line(std::string_view label, const stats::histogram& h) {
    std::string line = std::string(label);
    line.resize(16, ' ');
    for (const auto& row : stats::percentile_table(h)) {
        std::string cell = std::string(row.key) + " " + stats::format_latency_us(row.value);
        cell.resize(15, ' ');
        line += cell;
    }
    return line + "\n";
}

nlohmann::json percentiles_json(const stats::histogram& h) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& row : stats::percentile_table(h)) {
        j[std::string(row.key)] = row.value;
    }
    j["mean"] = h.mean();
    j["count"] = h.total_count();
    return j;
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

} // namespace

std::string format_table(const run_result& r, const run_labels& labels) {
    const thread_result& t = r.total;
    std::ostringstream out;
    out << labels.url << ": " << r.threads << (r.threads == 1 ? " thread, " : " threads, ") << r.connections
        << " connections, pipeline " << r.pipeline << ", "
        << (r.requested_rate > 0 ? "open loop at " + fmt("%.0f", r.requested_rate) + " req/s" : "closed loop") << ", "
        << fmt("%.2f", r.duration_s) << " s measured";
    if (r.warmup_ms > 0) {
        out << " after " << fmt("%.1f", static_cast<double>(r.warmup_ms) / 1000) << " s warm-up (" << t.warmup_responses
            << " responses not counted)";
    }
    out << "\n";
    series_stats s = summarize(t.per_second);
    out << "  requests      " << t.responses << " responses, " << fmt("%.1f", r.rps()) << " req/s (per second: mean "
        << fmt("%.0f", s.mean) << ", stdev " << fmt("%.0f", s.stdev) << ", peak " << s.peak << "), "
        << fmt("%.1f", static_cast<double>(t.bytes_read) / 1e6 / std::max(r.duration_s, 1e-9)) << " MB/s read\n";
    if (r.requested_rate > 0) {
        out << "  rate          achieved " << fmt("%.1f", r.rps()) << " of " << fmt("%.0f", r.requested_rate)
            << " req/s requested (" << fmt("%.1f", 100.0 * r.rps() / r.requested_rate) << "%)\n";
    }
    out << latency_line(r.requested_rate > 0 ? "  latency" : "  latency", t.latency);
    if (r.requested_rate > 0) {
        out << latency_line("  service time", t.service);
        out << latency_line("  generator lag", t.lag);
        out << "  (latency counts from each request's intended send time; service time from the actual send;\n"
               "   lag is how late the generator reached each request: a slow server shows in latency and\n"
               "   service time, a slow generator in lag)\n";
    }
    out << "  status       ";
    bool any = false;
    for (std::size_t code = 0; code < t.status.size(); ++code) {
        if (t.status[code] > 0) {
            out << " " << code << ": " << t.status[code];
            any = true;
        }
    }
    out << (any ? "\n" : " none\n");
    out << "  errors       ";
    if (t.errors.total() == 0) {
        out << " none\n";
    } else {
        for (std::size_t k = 0; k < t.errors.by_kind.size(); ++k) {
            if (t.errors.by_kind[k] > 0) {
                out << " " << error_name(static_cast<error_kind>(k)) << " " << t.errors.by_kind[k];
            }
        }
        out << "\n";
        for (const auto& [name, n] : t.errors.by_errno) {
            out << "                 " << name << ": " << n << "\n";
        }
    }
    out << "  generator     CPU per thread:";
    for (std::size_t i = 0; i < r.thread_cpu.size(); ++i) {
        out << " " << fmt("%.0f", r.thread_cpu[i] * 100) << "%";
        if (r.thread_busy[i] - r.thread_cpu[i] >= 0.05) {
            out << " (+" << fmt("%.0f", (r.thread_busy[i] - r.thread_cpu[i]) * 100) << "% waiting for a CPU)";
        }
    }
    if (t.responses > 0) {
        out << "; " << fmt("%.2f", t.cpu_s * 1e6 / static_cast<double>(t.responses)) << " us CPU per request";
    }
    out << "\n";
    if (r.generator_ceiling) {
        out << "  VERDICT: the generator was the ceiling (a thread was at or above " << fmt("%.0f", saturated_cpu * 100)
            << "% CPU): these figures are its limit, not the server's. Add threads (-t) or cores.\n";
    }
    return out.str();
}

nlohmann::json to_json(const run_result& r) {
    const thread_result& t = r.total;
    nlohmann::json j;
    j["requests"] = t.responses;
    j["sent"] = t.sent;
    j["rps"] = r.rps();
    j["duration_s"] = r.duration_s;
    j["warmup_s"] = static_cast<double>(r.warmup_ms) / 1000.0;
    j["warmup_responses"] = t.warmup_responses;
    j["connections"] = r.connections;
    j["connections_established"] = t.connections_established;
    // CLOCK_MONOTONIC, so a tool sampling other processes can check its window lies inside.
    j["measured_window_ns"] = {t.measure_start_ns, t.measure_end_ns};
    j["threads"] = r.threads;
    j["pipeline"] = r.pipeline;
    j["rate_requested"] = r.requested_rate;
    j["bytes_read"] = t.bytes_read;
    j["max_in_flight_per_connection"] = t.max_in_flight;
    nlohmann::json status = nlohmann::json::object();
    for (std::size_t code = 0; code < t.status.size(); ++code) {
        if (t.status[code] > 0) {
            status[std::to_string(code)] = t.status[code];
        }
    }
    j["status"] = status;
    nlohmann::json errors = nlohmann::json::object();
    for (std::size_t k = 0; k < t.errors.by_kind.size(); ++k) {
        errors[error_name(static_cast<error_kind>(k))] = t.errors.by_kind[k];
    }
    j["errors"] = errors;
    j["errors_by_errno"] = t.errors.by_errno;
    j["latency_us"] = percentiles_json(t.latency);
    if (r.requested_rate > 0) {
        j["service_time_us"] = percentiles_json(t.service);
        j["lag_us"] = percentiles_json(t.lag);
    }
    j["client_cpu"] = r.thread_cpu;
    j["client_busy"] = r.thread_busy;
    j["client_cpu_us_per_req"] = t.responses > 0 ? t.cpu_s * 1e6 / static_cast<double>(t.responses) : 0.0;
    j["generator_ceiling"] = r.generator_ceiling;
    j["per_second"] = t.per_second;
    return j;
}

void write_hdr_log(std::ostream& out, const run_result& r, double start_time_s, const run_labels& labels) {
    stats::interval_log_writer w(out);
    w.write_header(start_time_s);
    if (!labels.command.empty()) {
        w.write_comment("rpslab load: " + labels.command);
    }
    stats::histogram h = make_latency_histogram();
    for (std::size_t i = 0; i < r.total.intervals.size(); ++i) {
        h.reset();
        for (const auto& [index, count] : r.total.intervals[i].buckets) {
            h.add_at_index(index, count);
        }
        w.write_interval(static_cast<double>(i), 1.0, h);
    }
}

std::vector<slo> parse_slos(std::string_view text) {
    std::vector<slo> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string item(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        auto op = item.find_first_of("<>");
        if (op == std::string::npos || op == 0) {
            throw std::invalid_argument("bad --slo '" + item + "': expected e.g. p99<=5ms, errors<=0, rps>=1000");
        }
        slo s;
        s.text = item;
        s.metric = item.substr(0, op);
        s.at_most = item[op] == '<';
        s.strict = op + 1 >= item.size() || item[op + 1] != '=';
        std::string value = item.substr(op + (s.strict ? 1 : 2));
        static const char* latency_metrics[] = {"p50", "p90", "p95", "p99", "p999", "p9999", "max"};
        bool latency = false;
        for (const char* m : latency_metrics) {
            latency = latency || s.metric == m;
        }
        if (!latency && s.metric != "errors" && s.metric != "rps") {
            throw std::invalid_argument("bad --slo '" + item + "': unknown metric '" + s.metric + "'");
        }
        char* end = nullptr;
        s.limit = std::strtod(value.c_str(), &end);
        std::string unit = end != nullptr ? std::string(end) : "";
        if (end == value.c_str()) {
            throw std::invalid_argument("bad --slo '" + item + "': no number");
        }
        if (latency) {
            double scale = unit == "us" ? 1 : unit == "ms" ? 1e3 : unit == "s" ? 1e6 : -1;
            if (scale < 0) {
                throw std::invalid_argument("bad --slo '" + item + "': latency needs a unit (us, ms, s)");
            }
            s.limit *= scale;
        } else if (!unit.empty()) {
            throw std::invalid_argument("bad --slo '" + item + "': '" + s.metric + "' takes a plain number");
        }
        out.push_back(s);
    }
    return out;
}

std::vector<std::string> failed_slos(const std::vector<slo>& slos, const run_result& r) {
    std::vector<std::string> failed;
    for (const slo& s : slos) {
        double actual = 0;
        std::string shown;
        if (s.metric == "errors") {
            actual = static_cast<double>(r.total.errors.total());
            shown = fmt("%.0f", actual);
        } else if (s.metric == "rps") {
            actual = r.rps();
            shown = fmt("%.1f", actual);
        } else {
            for (const auto& row : stats::percentile_table(r.total.latency)) {
                if (row.key == s.metric) {
                    actual = static_cast<double>(row.value);
                }
            }
            shown = stats::format_latency_us(static_cast<std::uint64_t>(actual));
        }
        bool ok = s.at_most ? (s.strict ? actual < s.limit : actual <= s.limit)
                            : (s.strict ? actual > s.limit : actual >= s.limit);
        if (!ok) {
            failed.push_back(s.metric + " = " + shown + ", want " + s.text);
        }
    }
    return failed;
}

} // namespace rpslab::load
