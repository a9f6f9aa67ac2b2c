#include "bench/runner.h"

#include "bench/load_run.h"
#include "bench/machine.h"
#include "bench/probe.h"
#include "bench/process.h"
#include "bench/verdict.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

namespace rpslab::bench {

namespace {

namespace fs = std::filesystem;

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

struct point {
    std::string workload, encoding;
    int connections = 0, pipeline = 1;
};

std::vector<point> points_of(const experiment& e) {
    std::vector<point> out;
    for (const auto& w : e.workloads) {
        for (const auto& enc : e.encodings) {
            if (enc == "gzip" && w != "/read" && w != "/list") {
                continue;
            }
            for (int c : e.connections) {
                for (int p : e.pipeline) {
                    out.push_back({w, enc, c, p});
                }
            }
        }
    }
    return out;
}

std::vector<std::string> servers_of(const experiment& e, const run_options& o) {
    std::vector<std::string> out;
    for (const auto& s : e.servers) {
        if (o.only_servers.empty() ||
            std::find(o.only_servers.begin(), o.only_servers.end(), s) != o.only_servers.end()) {
            out.push_back(s);
        }
    }
    return out;
}

// The workers a server runs with: the first experiment's setting that names it, else one
// per server CPU (what the report's settings line states).
int workers_of(const plan& p, const std::string& server, const run_options& o) {
    for (const auto& e : p.experiments) {
        if (std::find(e.servers.begin(), e.servers.end(), server) != e.servers.end() && e.server_workers > 0) {
            return e.server_workers;
        }
    }
    return static_cast<int>(o.env.server_cpus.size());
}

void write_pool_dump(const run_options& o) {
    spawn_spec s;
    s.argv = {o.env.rpslab_bin, "pool", "dump", o.env.pool_dir};
    s.log_path = o.env.run_dir + "/pool-dump.log";
    pid_t pid = spawn(s);
    int status = 0;
    if (!wait_exit(pid, 120'000, &status)) {
        stop_group(pid, 1000);
        throw std::runtime_error("rpslab pool dump " + o.env.pool_dir + " did not finish in 120 s");
    }
    if (status != 0) {
        throw std::runtime_error("rpslab pool dump " + o.env.pool_dir + " failed: " + read_file(s.log_path));
    }
}

// One repetition's figures, or the reason it has none.
struct attempt {
    run_sample sample;
    std::string command;
    std::string failure;
};

class plan_runner {
public:
    plan_runner(const run_options& o, std::ostream& log) : _o(o), _log(log) {}

    std::vector<row> run_experiment(const experiment& e, int repeat);
    std::map<std::string, server_info> infos;

private:
    attempt run_once(const experiment& e, const std::string& server, const point& pt, int index);
    std::string check_bytes(const std::string& server, const point& pt, std::uint16_t port);

    const run_options& _o;
    std::ostream& _log;
    int _runs = 0;
};

std::string plan_runner::check_bytes(const std::string& server, const point& pt, std::uint16_t port) {
    const bool gzip = pt.encoding == "gzip";
    body_check c = check_for(server, pt.workload, gzip);
    std::vector<std::string> headers;
    if (gzip) {
        headers.push_back("Accept-Encoding: gzip");
    }
    probe_response r = http_get(port, c.path, headers, 5000);
    std::string expected = read_file(_o.env.pool_dir + "/" + c.file);
    if (r.status != 200 || r.body != expected) {
        return server + " does not send the dump's bytes for GET " + c.path + (gzip ? " (gzip)" : "") + ": status " +
               std::to_string(r.status) + ", " + std::to_string(r.body.size()) + " bytes, expected " + c.file + " (" +
               std::to_string(expected.size()) + " bytes)";
    }
    return "";
}

attempt plan_runner::run_once(const experiment& e, const std::string& server, const point& pt, int index) {
    attempt a;
    const int workers = e.server_workers > 0 ? e.server_workers : static_cast<int>(_o.env.server_cpus.size());
    const std::uint16_t port = _o.port != 0 ? _o.port : free_port();
    started_server s;
    try {
        s = start_server(server, port, workers, _o.env);
    } catch (const start_error& err) {
        a.failure = err.what();
        return a;
    }
    infos[server].command = s.command;
    infos[server].config = s.config;
    try {
        a.failure = check_bytes(server, pt, port);
        if (a.failure.empty()) {
            load_request req;
            req.url = "http://127.0.0.1:" + std::to_string(port) + load_path(server, pt.workload);
            req.gzip = pt.encoding == "gzip";
            req.connections = pt.connections;
            req.pipeline = pt.pipeline;
            req.threads = e.client_threads > 0 ? e.client_threads : static_cast<int>(_o.env.client_cpus.size());
            req.duration_ms = e.duration_ms;
            req.server_workers = static_cast<std::size_t>(workers);
            req.warmup_ms = e.warmup_ms;
            req.json_path = _o.env.run_dir + "/load-" + std::to_string(index) + ".json";
            load_outcome out = run_load_sampled(req, s.pid, _o.env);
            a.sample = out.sample;
            a.command = out.command;
            a.failure = out.failure;
        }
    } catch (const std::exception& err) {
        a.failure = err.what();
    }
    stop_server(s);
    return a;
}

std::vector<row> plan_runner::run_experiment(const experiment& e, int repeat) {
    const std::vector<point> points = points_of(e);
    const std::vector<std::string> servers = servers_of(e, _o);
    std::vector<row> rows;
    for (const point& pt : points) {
        std::map<std::string, std::vector<run_sample>> samples;
        std::map<std::string, std::vector<std::string>> commands;
        std::map<std::string, std::string> failed;
        for (int r = 0; r < repeat; ++r) {
            for (const auto& server : servers) {
                if (!infos[server].missing.empty() || failed.count(server) != 0 ||
                    load_path(server, pt.workload).empty()) {
                    continue;
                }
                _log << "bench: " << e.name << " " << pt.workload << (pt.encoding == "gzip" ? " gzip" : "") << " c"
                     << pt.connections << " p" << pt.pipeline << " " << server << " round " << r + 1 << "/" << repeat
                     << " ... " << std::flush;
                attempt a = run_once(e, server, pt, ++_runs);
                if (!a.failure.empty()) {
                    _log << "failed: " << a.failure << "\n";
                    failed[server] = a.failure;
                    continue;
                }
                _log << static_cast<long long>(a.sample.rps) << " req/s, " << a.sample.ceiling << "\n";
                samples[server].push_back(a.sample);
                commands[server].push_back(a.command);
            }
        }
        for (const auto& server : servers) {
            row w;
            w.experiment = e.name;
            w.server = server;
            w.workload = pt.workload;
            w.encoding = pt.encoding;
            w.connections = pt.connections;
            w.pipeline = pt.pipeline;
            if (!infos[server].missing.empty()) {
                w.status = "missing: " + infos[server].missing;
            } else if (load_path(server, pt.workload).empty()) {
                w.status = "not applicable: " + server + " is a static server and does not compute";
            } else if (failed.count(server) != 0) {
                w.status = "failed: " + failed[server];
            } else {
                aggregate(w, samples[server], commands[server]);
            }
            rows.push_back(std::move(w));
        }
    }
    return rows;
}

} // namespace

results run_plan(const plan& p, run_options o, std::ostream& log) {
    fs::create_directories(o.out_dir);
    o.env.run_dir = fs::absolute(fs::path(o.out_dir) / "run").string();
    o.env.pool_dir = fs::absolute(fs::path(o.out_dir) / "pool").string();
    fs::create_directories(o.env.run_dir);
    results res;
    res.started_at = utc_now();
    res.command = o.command_line;
    res.tool_version = "rpslab bench 1";
    res.plan = nlohmann::json::parse(plan_to_json(p));
    res.machine = describe_machine(o.env.server_cpus, o.env.client_cpus);
    write_pool_dump(o);

    plan_runner runner(o, log);
    std::set<std::string> all;
    for (const auto& e : p.experiments) {
        for (const auto& s : servers_of(e, o)) {
            all.insert(s);
        }
    }
    for (const auto& s : all) {
        server_info& info = runner.infos[s];
        info.name = s;
        info.missing = missing_reason(s, o.env);
        info.version = version_of(s, o.env);
        info.settings = settings_of(s, workers_of(p, s, o));
        if (!info.missing.empty()) {
            log << "bench: " << s << " is missing: " << info.missing << "\n";
        }
    }
    const int repeat = o.repeat > 0 ? o.repeat : p.repeat;
    for (const auto& e : p.experiments) {
        auto rows = runner.run_experiment(e, repeat);
        res.rows.insert(res.rows.end(), rows.begin(), rows.end());
    }
    for (auto& [name, info] : runner.infos) {
        res.servers.push_back(info);
    }
    res.server_cpus = cpu_list_text(o.env.server_cpus);
    res.client_cpus = cpu_list_text(o.env.client_cpus);
    res.finished_at = utc_now();
    return res;
}

} // namespace rpslab::bench
