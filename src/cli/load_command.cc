#include "cli/load_command.h"

#include "cli/duration.h"
#include "load/report.h"
#include "load/runner.h"
#include "server/config.h"
#include "stats/interval_log.h"
#include "stats/report.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace rpslab::cli {

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::invalid_argument("cannot read --body-file " + path);
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

load::run_config base_config(const load_flags& f, const load::url& u) {
    load::run_config c;
    load::request_spec spec{f.method, f.headers, f.body_file.empty() ? "" : read_file(f.body_file)};
    // 4,096 picks: a cycle long enough that the order repeats rarely, small enough to stay in cache.
    for (const std::string& path : load::expand_path_range(u.path_query, 4096, 42)) {
        load::url one = u;
        one.path_query = path;
        c.request_cycle.push_back(load::render_request(one, spec));
    }
    c.unix_socket = f.unix_socket;
    if (c.unix_socket.empty()) {
        c.address = load::resolve(u);
    }
    c.connections = f.connections;
    c.threads = f.threads;
    c.pipeline = f.pipeline;
    c.duration_ms = parse_duration_ms(f.duration);
    if (!f.requests.empty()) {
        c.requests = static_cast<std::uint64_t>(std::llround(parse_count(f.requests)));
        c.duration_ms = 0;
    }
    if (!f.rate.empty()) {
        c.rate = parse_count(f.rate);
    }
    c.warmup_ms = parse_duration_ms(f.warmup);
    c.timeout_ms = parse_duration_ms(f.timeout);
    if (!f.cpus.empty()) {
        c.cpus = server::parse_cpu_list(f.cpus);
    }
    c.verify_status = f.verify_status;
    return c;
}

std::vector<std::size_t> ramp_steps(const std::string& text) {
    std::vector<std::size_t> steps;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto comma = text.find(',', pos);
        std::string item = text.substr(pos, comma - pos);
        double n = parse_count(item);
        if (n < 1) {
            throw std::invalid_argument("--ramp: every step needs at least 1 connection");
        }
        steps.push_back(static_cast<std::size_t>(n));
        pos = comma == std::string::npos ? text.size() : comma + 1;
    }
    return steps;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

double wall_now_s() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace

void add_load(CLI::App& app, load_flags& f, CLI::App*& load_cmd, CLI::App*& merge_cmd) {
    auto* cmd =
        app.add_subcommand("load", "Drive an HTTP/1.1 server: closed or open loop, pipelined, per-request latency");
    load_cmd = cmd;
    cmd->add_option("URL", f.url, "http://HOST:PORT/PATH");
    cmd->add_option("-c,--connections", f.connections, "Connections in all")->capture_default_str();
    cmd->add_option("-t,--threads", f.threads, "Threads, one event loop each")->capture_default_str();
    cmd->add_option("-p,--pipeline", f.pipeline, "Requests in flight per connection")->capture_default_str();
    cmd->add_option("-d,--duration", f.duration, "Measured time, e.g. 10s, 1m")->capture_default_str();
    cmd->add_option("-n,--requests", f.requests, "Send exactly this many requests instead (e.g. 100k)");
    cmd->add_option("-R,--rate", f.rate, "Open loop: total requests per second (e.g. 50k)");
    cmd->add_option("--ramp", f.ramp, "Connection counts, one step each: 100,1000,10000");
    cmd->add_option("--step-duration", f.step_duration, "Measured time per ramp step (default: -d)");
    cmd->add_option("--warmup", f.warmup, "Excluded from every figure, before the measured time")
        ->capture_default_str();
    cmd->add_option("-m,--method", f.method, "Request method")->capture_default_str();
    cmd->add_option("-H,--header", f.headers, "'Name: value', repeatable");
    cmd->add_option("--body-file", f.body_file, "Request body from a file");
    cmd->add_option("--timeout", f.timeout, "A request without a response this long is an error")
        ->capture_default_str();
    cmd->add_option("--json", f.json_file, "Write the results as JSON to this file");
    cmd->add_option("--hdr-log", f.hdr_log, "Write an HdrHistogram interval log (v1.3), one interval a second");
    cmd->add_option("--cpus", f.cpus, "Pin thread i to the i-th CPU of this list");
    cmd->add_option("--verify-status", f.verify_status, "Count other statuses as errors");
    cmd->add_option("--slo", f.slo, "Conditions, e.g. 'p99<=5ms,errors<=0': exit 3 if one fails");
    cmd->add_flag("--strict", f.strict, "Exit 4 if the result is invalid (the generator was the ceiling)");
    cmd->add_option("--unix-socket", f.unix_socket, "Connect to this Unix socket instead of the URL's address");
    auto* merge = cmd->add_subcommand("merge", "Merge HdrHistogram logs of several runs into one report");
    merge_cmd = merge;
    merge->add_option("LOG", f.merge_logs, "Interval logs written with --hdr-log")->required();
    merge->add_option("--json", f.merge_json, "Write the merged report as JSON");
}

int run_load_command(const load_flags& f, const std::string& command_line) {
    if (f.url.empty()) {
        throw std::invalid_argument("load: give the URL to load, e.g. http://127.0.0.1:8080/simple");
    }
    load::url u = load::parse_url(f.url);
    load::run_config base = base_config(f, u);
    std::vector<load::slo> slos = f.slo.empty() ? std::vector<load::slo>{} : load::parse_slos(f.slo);
    std::vector<std::size_t> steps = f.ramp.empty() ? std::vector<std::size_t>{base.connections} : ramp_steps(f.ramp);
    const bool live = ::isatty(2) != 0;
    const double start_time_s = wall_now_s();
    load::run_labels labels{f.url, command_line};
    nlohmann::json steps_json = nlohmann::json::array();
    std::vector<load::run_result> results;
    for (std::size_t connections : steps) {
        load::run_config step = base;
        step.connections = connections;
        if (!f.step_duration.empty()) {
            step.duration_ms = parse_duration_ms(f.step_duration);
        }
        results.push_back(load::run_load(step, live));
        std::fputs(load::format_table(results.back(), labels).c_str(), stdout);
        std::fflush(stdout);
        steps_json.push_back(load::to_json(results.back()));
    }
    const load::run_result& last = results.back();
    if (!f.json_file.empty()) {
        nlohmann::json j = load::to_json(last);
        j["url"] = f.url;
        j["command"] = command_line;
        j["steps"] = steps_json;
        write_text(f.json_file, j.dump(2) + "\n");
    }
    if (!f.hdr_log.empty()) {
        std::ostringstream log;
        load::write_hdr_log(log, last, start_time_s, labels);
        write_text(f.hdr_log, log.str());
    }
    if (last.total.responses == 0) {
        std::fprintf(stderr, "rpslab load: no response was received\n");
        return 2;
    }
    std::vector<std::string> failed = load::failed_slos(slos, last);
    for (const std::string& why : failed) {
        std::fprintf(stderr, "rpslab load: SLO failed: %s\n", why.c_str());
    }
    if (!failed.empty()) {
        return 3;
    }
    if (f.strict && last.generator_ceiling) {
        std::fprintf(stderr, "rpslab load: --strict: the generator was the ceiling; the result is invalid\n");
        return 4;
    }
    return 0;
}

int run_merge_command(const load_flags& f) {
    stats::histogram total = load::make_latency_histogram();
    std::size_t intervals = 0;
    double first_start = 0, last_end = 0;
    for (const std::string& path : f.merge_logs) {
        std::ifstream in(path);
        if (!in) {
            throw std::invalid_argument("cannot read " + path);
        }
        stats::interval_log_reader reader(in);
        while (auto iv = reader.next()) {
            total.merge(iv->hist);
            if (intervals == 0 || iv->start_s < first_start) {
                first_start = iv->start_s;
            }
            last_end = std::max(last_end, iv->start_s + iv->length_s);
            ++intervals;
        }
        if (reader.error()) {
            throw std::invalid_argument(path + ": " + reader.error()->to_string());
        }
    }
    double span_s = last_end - first_start;
    std::printf("merged %zu logs, %zu intervals, %llu requests over %.1f s (%.1f req/s combined)\n",
                f.merge_logs.size(), intervals, static_cast<unsigned long long>(total.total_count()), span_s,
                span_s > 0 ? static_cast<double>(total.total_count()) / span_s : 0.0);
    std::fputs(stats::format_percentile_table(total).c_str(), stdout);
    if (!f.merge_json.empty()) {
        nlohmann::json j;
        j["logs"] = f.merge_logs;
        j["requests"] = total.total_count();
        j["intervals"] = intervals;
        j["span_s"] = span_s;
        nlohmann::json lat = nlohmann::json::object();
        for (const auto& row : stats::percentile_table(total)) {
            lat[std::string(row.key)] = row.value;
        }
        j["latency_us"] = lat;
        write_text(f.merge_json, j.dump(2) + "\n");
    }
    return 0;
}

} // namespace rpslab::cli
