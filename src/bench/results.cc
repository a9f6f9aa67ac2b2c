#include "bench/results.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rpslab::bench {

namespace {

// Absent keys keep the default: results.json from an older rpslab still loads.
template <typename T> void get_opt(const nlohmann::json& j, const char* key, T& out) {
    auto it = j.find(key);
    if (it != j.end() && !it->is_null()) {
        it->get_to(out);
    }
}

} // namespace

void to_json(nlohmann::json& j, const latency_us& v) {
    j = {{"p50", v.p50}, {"p90", v.p90}, {"p99", v.p99}, {"p999", v.p999}, {"max", v.max}, {"mean", v.mean}};
}

void from_json(const nlohmann::json& j, latency_us& v) {
    get_opt(j, "p50", v.p50);
    get_opt(j, "p90", v.p90);
    get_opt(j, "p99", v.p99);
    get_opt(j, "p999", v.p999);
    get_opt(j, "max", v.max);
    get_opt(j, "mean", v.mean);
}

void to_json(nlohmann::json& j, const row& v) {
    j = nlohmann::json::object();
    j["experiment"] = v.experiment;
    j["server"] = v.server;
    j["workload"] = v.workload;
    j["encoding"] = v.encoding;
    j["connections"] = v.connections;
    j["pipeline"] = v.pipeline;
    j["rate_requested"] = v.rate_requested;
    j["status"] = v.status;
    j["rps"] = v.rps;
    j["rps_runs"] = v.rps_runs;
    j["rps_min"] = v.rps_min;
    j["rps_max"] = v.rps_max;
    j["rps_cv"] = v.rps_cv;
    j["noisy"] = v.noisy;
    j["latency_us"] = v.latency;
    j["server_cpu_us_per_req"] = v.server_cpu_us_per_req;
    j["client_cpu_us_per_req"] = v.client_cpu_us_per_req;
    j["server_util"] = v.server_util;
    j["client_util"] = v.client_util;
    j["softirq_util"] = v.softirq_util;
    j["irqs_per_s"] = v.irqs_per_s;
    j["packets_per_s"] = v.packets_per_s;
    j["bytes_per_s"] = v.bytes_per_s;
    j["connections_achieved"] = v.connections_achieved;
    j["errors"] = v.errors;
    j["littles_concurrency"] = v.littles_concurrency;
    j["littles_law_ok"] = v.littles_law_ok;
    j["ceiling"] = v.ceiling;
    j["ceiling_reason"] = v.ceiling_reason;
    j["server_foreign"] = v.server_foreign;
    j["client_foreign"] = v.client_foreign;
    j["steal"] = v.steal;
    j["contention"] = v.contention;
    j["load_command"] = v.load_command;
}

void from_json(const nlohmann::json& j, row& v) {
    get_opt(j, "experiment", v.experiment);
    get_opt(j, "server", v.server);
    get_opt(j, "workload", v.workload);
    get_opt(j, "encoding", v.encoding);
    get_opt(j, "connections", v.connections);
    get_opt(j, "pipeline", v.pipeline);
    get_opt(j, "rate_requested", v.rate_requested);
    get_opt(j, "status", v.status);
    get_opt(j, "rps", v.rps);
    get_opt(j, "rps_runs", v.rps_runs);
    get_opt(j, "rps_min", v.rps_min);
    get_opt(j, "rps_max", v.rps_max);
    get_opt(j, "rps_cv", v.rps_cv);
    get_opt(j, "noisy", v.noisy);
    get_opt(j, "latency_us", v.latency);
    get_opt(j, "server_cpu_us_per_req", v.server_cpu_us_per_req);
    get_opt(j, "client_cpu_us_per_req", v.client_cpu_us_per_req);
    get_opt(j, "server_util", v.server_util);
    get_opt(j, "client_util", v.client_util);
    get_opt(j, "softirq_util", v.softirq_util);
    get_opt(j, "irqs_per_s", v.irqs_per_s);
    get_opt(j, "packets_per_s", v.packets_per_s);
    get_opt(j, "bytes_per_s", v.bytes_per_s);
    get_opt(j, "connections_achieved", v.connections_achieved);
    get_opt(j, "errors", v.errors);
    get_opt(j, "littles_concurrency", v.littles_concurrency);
    get_opt(j, "littles_law_ok", v.littles_law_ok);
    get_opt(j, "ceiling", v.ceiling);
    get_opt(j, "ceiling_reason", v.ceiling_reason);
    get_opt(j, "server_foreign", v.server_foreign);
    get_opt(j, "client_foreign", v.client_foreign);
    get_opt(j, "steal", v.steal);
    get_opt(j, "contention", v.contention);
    get_opt(j, "load_command", v.load_command);
}

void to_json(nlohmann::json& j, const server_info& v) {
    j = {{"name", v.name},     {"version", v.version},   {"command", v.command},
         {"config", v.config}, {"settings", v.settings}, {"missing", v.missing}};
}

void from_json(const nlohmann::json& j, server_info& v) {
    get_opt(j, "name", v.name);
    get_opt(j, "version", v.version);
    get_opt(j, "command", v.command);
    get_opt(j, "config", v.config);
    get_opt(j, "settings", v.settings);
    get_opt(j, "missing", v.missing);
}

void to_json(nlohmann::json& j, const results& v) {
    j = nlohmann::json::object();
    j["tool_version"] = v.tool_version;
    j["started_at"] = v.started_at;
    j["finished_at"] = v.finished_at;
    j["command"] = v.command;
    j["plan"] = v.plan;
    j["machine"] = v.machine;
    j["server_cpus"] = v.server_cpus;
    j["client_cpus"] = v.client_cpus;
    j["servers"] = v.servers;
    j["rows"] = v.rows;
}

void from_json(const nlohmann::json& j, results& v) {
    get_opt(j, "tool_version", v.tool_version);
    get_opt(j, "started_at", v.started_at);
    get_opt(j, "finished_at", v.finished_at);
    get_opt(j, "command", v.command);
    get_opt(j, "plan", v.plan);
    get_opt(j, "machine", v.machine);
    get_opt(j, "server_cpus", v.server_cpus);
    get_opt(j, "client_cpus", v.client_cpus);
    get_opt(j, "servers", v.servers);
    if (!j.contains("rows") || !j.at("rows").is_array()) {
        throw std::runtime_error("no \"rows\" array");
    }
    j.at("rows").get_to(v.rows);
}

results load_results_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error(path + ": cannot open");
    }
    std::stringstream text;
    text << in.rdbuf();
    try {
        return nlohmann::json::parse(text.str()).get<results>();
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not a results.json: " + e.what());
    }
}

} // namespace rpslab::bench
