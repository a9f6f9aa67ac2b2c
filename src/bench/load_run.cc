#include "bench/load_run.h"

#include "bench/process.h"
#include "bench/sampler.h"
#include "bench/verdict.h"
#include "core/clock.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace rpslab::bench {

namespace {

void sleep_until_ns(std::int64_t t) {
    std::int64_t left = t - core::monotonic_ns();
    if (left > 0) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(left));
    }
}

std::set<pid_t> ours(const tree_sample& server, pid_t load_pid) {
    std::set<pid_t> out{load_pid, ::getpid()};
    for (const auto& [pid, ticks] : server.process_ticks) {
        out.insert(pid);
    }
    return out;
}

// What else ran on the measured CPUs over the window of `wall_s` seconds.
void note_other_work(verdict_input& v, run_sample& s, const std::set<pid_t>& our_pids, const process_sample& before,
                     const process_sample& after, const bench_env& env, double wall_s) {
    const long ticks = ::sysconf(_SC_CLK_TCK);
    const other_work server = other_work_on(before, after, our_pids, env.server_cpus, wall_s, ticks);
    const other_work client = other_work_on(before, after, our_pids, env.client_cpus, wall_s, ticks);
    s.server_foreign = v.server_foreign = server.share;
    s.client_foreign = v.client_foreign = client.share;
    v.server_foreign_top = server.busiest;
    v.client_foreign_top = client.busiest;
}

std::vector<std::string> load_argv(const load_request& req, const bench_env& env) {
    std::vector<std::string> argv = {env.rpslab_bin,
                                     "load",
                                     req.url,
                                     "-c",
                                     std::to_string(req.connections),
                                     "-t",
                                     std::to_string(req.threads),
                                     "-p",
                                     std::to_string(req.pipeline),
                                     "-d",
                                     std::to_string(req.duration_ms) + "ms",
                                     "--warmup",
                                     std::to_string(req.warmup_ms) + "ms",
                                     "--timeout",
                                     "10s",
                                     "--cpus",
                                     cpu_list_text(env.client_cpus),
                                     "--json",
                                     req.json_path};
    if (req.gzip) {
        argv.insert(argv.end(), {"-H", "Accept-Encoding: gzip"});
    }
    return argv;
}

} // namespace

run_sample sample_from_load_json(const nlohmann::json& j) {
    run_sample s;
    s.rps = j.at("rps").get<double>();
    s.duration_s = j.at("duration_s").get<double>();
    s.requests = j.at("requests").get<std::uint64_t>();
    s.bytes_per_s = s.duration_s > 0 ? j.at("bytes_read").get<double>() / s.duration_s : 0;
    s.connections_achieved = j.value("connections_established", j.at("connections").get<int>());
    const auto& lat = j.at("latency_us");
    s.latency = {lat.at("p50").get<double>(),  lat.at("p90").get<double>(), lat.at("p99").get<double>(),
                 lat.at("p999").get<double>(), lat.at("max").get<double>(), lat.at("mean").get<double>()};
    s.mean_latency_us = s.latency.mean;
    s.client_cpu_s = j.at("client_cpu_us_per_req").get<double>() * static_cast<double>(s.requests) / 1e6;
    for (const auto& [code, n] : j.at("status").items()) {
        if (code[0] != '2') {
            s.errors["status " + code] += n.get<std::uint64_t>();
        }
    }
    // Each failure once: by errno where the generator has one ("read ECONNRESET"), by kind
    // for the rest ("timeout"). Statuses are counted above.
    std::map<std::string, std::uint64_t> with_errno;
    if (auto by_errno = j.find("errors_by_errno"); by_errno != j.end()) {
        for (const auto& [what, n] : by_errno->items()) {
            s.errors[what] += n.get<std::uint64_t>();
            with_errno[what.substr(0, what.find(' '))] += n.get<std::uint64_t>();
        }
    }
    for (const auto& [kind, n] : j.at("errors").items()) {
        const std::uint64_t rest = n.get<std::uint64_t>() - std::min(n.get<std::uint64_t>(), with_errno[kind]);
        if (kind != "status" && rest > 0) {
            s.errors[kind] += rest;
        }
    }
    return s;
}

load_outcome run_load_sampled(const load_request& req, pid_t server_pid, const bench_env& env) {
    load_outcome out;
    spawn_spec spec;
    spec.argv = load_argv(req, env);
    spec.cpus = env.client_cpus;
    spec.log_path = req.json_path + ".log";
    out.command = shell_line({}, spec.cpus, spec.argv);
    ::unlink(req.json_path.c_str());

    const std::int64_t t0 = core::monotonic_ns();
    pid_t pid = spawn(spec);
    // The generator measures from about 20 ms after its start plus the warm-up; the window
    // sampled here sits inside that, so no warm-up or shutdown time is counted.
    const std::int64_t window_start = t0 + (req.warmup_ms + 250) * 1'000'000;
    const std::int64_t window_end = t0 + (req.warmup_ms + req.duration_ms) * 1'000'000;
    sleep_until_ns(window_start);
    process_sample everyone_before = take_process_sample();
    tree_sample server_before = take_tree_sample(server_pid, everyone_before);
    host_sample host_before = take_host_sample();
    sleep_until_ns(window_end);
    process_sample everyone_after = take_process_sample();
    tree_sample server_after = take_tree_sample(server_pid, everyone_after);
    host_sample host_after = take_host_sample();

    int status = 0;
    if (!wait_exit(pid, static_cast<int>(req.warmup_ms + req.duration_ms) + 30'000, &status)) {
        stop_group(pid, 1000);
        out.failure = "rpslab load did not finish: " + log_tail(spec.log_path, 3);
        return out;
    }
    std::ifstream in(req.json_path);
    if (!in || !(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 4))) {
        out.failure = "rpslab load failed (status " + std::to_string(status) + "): " + log_tail(spec.log_path, 3);
        return out;
    }
    nlohmann::json j = nlohmann::json::parse(in);
    out.sample = sample_from_load_json(j);
    // The samples must lie inside the generator's measured window, or warm-up or shutdown
    // would be counted as load.
    const auto window = j.value("measured_window_ns", std::vector<std::int64_t>{});
    if (window.size() != 2 || server_before.time_ns < window[0] || server_after.time_ns > window[1] + 5'000'000) {
        out.failure = "the /proc samples fell outside the generator's measured window (it started late): "
                      "give the plan a longer warm-up";
        return out;
    }

    const long ticks = ::sysconf(_SC_CLK_TCK);
    tree_usage server = usage_between(server_before, server_after, ticks);
    const double wall_s = static_cast<double>(server_after.time_ns - server_before.time_ns) / 1e9;
    out.sample.server_cpu_s = wall_s > 0 ? server.cpu_s / wall_s * out.sample.duration_s : 0;
    host_usage server_host = host_between(host_before, host_after, env.server_cpus);
    host_usage client_host = host_between(host_before, host_after, env.client_cpus);
    std::vector<int> both = env.server_cpus;
    both.insert(both.end(), env.client_cpus.begin(), env.client_cpus.end());
    host_usage all = host_between(host_before, host_after, both);
    out.sample.server_util = server_host.busy;
    out.sample.client_util = client_host.busy;
    out.sample.softirq_util = all.softirq;
    out.sample.irqs_per_s = all.interrupts_per_s;
    out.sample.packets_per_s = all.packets_per_s;

    verdict_input v;
    v.server_busy = server_host.busy;
    v.client_busy = client_host.busy;
    v.server_busiest_thread = server.busiest_thread_util;
    v.server_busiest_name = server.busiest_thread;
    v.generator_ceiling = j.value("generator_ceiling", false);
    const double requests = static_cast<double>(out.sample.requests);
    if (requests > 0 && out.sample.server_cpu_s > 0 && out.sample.client_cpu_s > 0) {
        // A side can use at most one CPU per worker (thread or process) it runs.
        const double server_cores =
            static_cast<double>(std::min<std::size_t>(req.server_workers, env.server_cpus.size()));
        const double client_cores = static_cast<double>(std::min<std::size_t>(req.threads, env.client_cpus.size()));
        v.server_capacity_rps = server_cores * requests / out.sample.server_cpu_s;
        v.client_capacity_rps = client_cores * requests / out.sample.client_cpu_s;
    }
    note_other_work(v, out.sample, ours(server_after, pid), everyone_before, everyone_after, env, wall_s);
    out.sample.steal = v.steal = all.steal;
    verdict vd = ceiling_of(v);
    out.sample.ceiling = vd.ceiling;
    out.sample.ceiling_reason = vd.reason;
    out.sample.contention = vd.contention;
    return out;
}

} // namespace rpslab::bench
