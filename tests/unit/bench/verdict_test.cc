#include "bench/load_run.h"
#include "bench/servers.h"
#include "bench/verdict.h"

#include <gtest/gtest.h>

using namespace rpslab::bench;

namespace {

verdict_input busy(double server, double client) {
    verdict_input in;
    in.server_busy = server;
    in.client_busy = client;
    return in;
}

run_sample sample(double rps, double mean_latency_us, const std::string& ceiling) {
    run_sample s;
    s.rps = rps;
    s.requests = static_cast<std::uint64_t>(rps * 5);
    s.duration_s = 5;
    s.server_cpu_s = 4.5;
    s.client_cpu_s = 2.5;
    s.mean_latency_us = mean_latency_us;
    s.latency.mean = mean_latency_us;
    s.latency.p99 = mean_latency_us * 3;
    s.connections_achieved = 50;
    s.ceiling = ceiling;
    s.ceiling_reason = ceiling + " reason";
    return s;
}

} // namespace

// Samples recorded on the 2-vCPU machine (docs/results.md), one per verdict.
TEST(ceiling_of, recorded_samples) {
    // fasthttp /simple pipelined 16: the server CPU pegged, the client at 63%.
    EXPECT_EQ(ceiling_of(busy(1.00, 0.63)).ceiling, "server");
    // Both pegged and nothing known of the costs: the number may be the client's.
    EXPECT_EQ(ceiling_of(busy(0.98, 0.96)).ceiling, "client");
    // A latency-bound run (few connections): neither side busy.
    verdict v = ceiling_of(busy(0.35, 0.20));
    EXPECT_EQ(v.ceiling, "network/other");
    EXPECT_EQ(v.reason, "server CPUs 35% busy, client CPUs 20%: neither side saturated (latency, connections or the "
                        "network)");
}

TEST(ceiling_of, costs_break_a_tie_only_with_clear_client_headroom) {
    verdict_input in = busy(0.99, 0.95);
    in.server_capacity_rps = 110'000;
    in.client_capacity_rps = 119'000; // within 10%: the client may have limited it
    EXPECT_EQ(ceiling_of(in).ceiling, "client");
    in.client_capacity_rps = 200'000; // the client's own work needs far less: its CPU ran the network stack
    EXPECT_EQ(ceiling_of(in).ceiling, "server");
    in.server_busy = 0.5; // but an idle server is never the ceiling
    EXPECT_EQ(ceiling_of(in).ceiling, "client");
}

TEST(ceiling_of, generator_report_and_single_busy_thread) {
    verdict_input in = busy(0.5, 0.5);
    in.generator_ceiling = true;
    EXPECT_EQ(ceiling_of(in).ceiling, "client");
    in = busy(0.55, 0.3);
    in.server_busiest_thread = 0.97;
    in.server_busiest_name = "nethttp-peer";
    verdict v = ceiling_of(in);
    EXPECT_EQ(v.ceiling, "server");
    EXPECT_NE(v.reason.find("server thread nethttp-peer at 97% of a CPU"), std::string::npos) << v.reason;
}

TEST(ceiling_of, a_server_that_shared_its_cpus_is_not_the_ceiling) {
    verdict_input in = busy(0.99, 0.40);
    in.server_foreign = 0.09; // the sampler, ticks and rounding: not contention
    verdict v = ceiling_of(in);
    EXPECT_EQ(v.ceiling, "server");
    EXPECT_EQ(v.contention, "");
    in.server_foreign = 0.31;
    in.server_foreign_top = "yes (pid 4242, 62% of a CPU)";
    v = ceiling_of(in);
    EXPECT_EQ(v.ceiling, "network/other");
    EXPECT_EQ(v.contention, "other work took 31% of the server CPUs (e.g. yes (pid 4242, 62% of a CPU))");
    EXPECT_EQ(v.reason, "server CPUs 99% busy, client CPUs 40%; " + v.contention);
}

TEST(ceiling_of, contention_on_the_client_side_and_steal_are_named_too) {
    verdict_input in = busy(0.60, 0.97);
    in.client_foreign = 0.20;
    in.steal = 0.07;
    verdict v = ceiling_of(in);
    EXPECT_EQ(v.ceiling, "client"); // still the client: a starved generator is still the ceiling
    EXPECT_EQ(v.contention, "other work took 20% of the client CPUs; the hypervisor took 7% of the CPUs");
    in.client_foreign = 0;
    in.steal = 0.04;
    EXPECT_EQ(ceiling_of(in).contention, "");
}

TEST(littles_law, closed_loop_in_flight) {
    EXPECT_TRUE(littles_law_holds(50, 100'000, 500));  // 100k/s x 0.5 ms = 50
    EXPECT_TRUE(littles_law_holds(50, 100'000, 590));  // 59: within 20%
    EXPECT_FALSE(littles_law_holds(50, 100'000, 700)); // 70: the generator queued requests it counted late
    EXPECT_FALSE(littles_law_holds(0, 1, 1));
}

TEST(aggregate, median_spread_and_the_median_runs_latency) {
    row r;
    r.connections = 50;
    aggregate(r, {sample(100'000, 500, "server"), sample(120'000, 410, "client"), sample(90'000, 560, "server")},
              {"cmd a", "cmd b", "cmd c"});
    EXPECT_EQ(r.status, "ok");
    EXPECT_EQ(r.rps_runs, (std::vector<double>{100'000, 120'000, 90'000}));
    EXPECT_EQ(r.rps, 100'000);
    EXPECT_EQ(r.rps_min, 90'000);
    EXPECT_EQ(r.rps_max, 120'000);
    EXPECT_NEAR(r.rps_cv, 0.1478, 1e-3); // sample stdev 15,275 over the mean 103,333
    EXPECT_TRUE(r.noisy);
    EXPECT_EQ(r.latency.p99, 1500); // the 100k run's, not an average
    EXPECT_EQ(r.load_command, "cmd a");
    EXPECT_TRUE(r.littles_law_ok);
    EXPECT_EQ(r.ceiling, "server");
    EXPECT_EQ(r.ceiling_reason, "server reason (the median run; 2 of 3 runs agree)");
    EXPECT_NEAR(r.server_cpu_us_per_req, 4.5e6 / 500'000, 1e-9);
}

TEST(aggregate, errors_are_summed_and_connections_are_the_least) {
    row r;
    r.connections = 50;
    run_sample a = sample(1000, 50'000, "server"), b = sample(1000, 50'000, "server");
    a.errors["status 503"] = 2;
    b.errors["status 503"] = 3;
    b.errors["connect ECONNREFUSED"] = 1;
    b.connections_achieved = 49;
    aggregate(r, {a, b}, {"x", "y"});
    EXPECT_EQ(r.errors.at("status 503"), 5u);
    EXPECT_EQ(r.errors.at("connect ECONNREFUSED"), 1u);
    EXPECT_EQ(r.connections_achieved, 49);
    EXPECT_FALSE(r.noisy);
}

TEST(sample_from_load_json, reads_what_rpslab_load_writes) {
    auto j = nlohmann::json::parse(R"({"rps": 2000.0, "duration_s": 2.0, "requests": 4000, "bytes_read": 800000,
        "connections": 10, "connections_established": 9,
        "latency_us": {"p50": 100, "p90": 200, "p99": 300, "p999": 400, "max": 500, "mean": 120},
        "client_cpu_us_per_req": 5.0, "status": {"200": 3990, "503": 10},
        "errors": {"connect": 1, "status": 10, "timeout": 2},
        "errors_by_errno": {"connect ECONNREFUSED": 1}})");
    run_sample s = sample_from_load_json(j);
    EXPECT_EQ(s.requests, 4000u);
    EXPECT_EQ(s.bytes_per_s, 400000);
    EXPECT_EQ(s.connections_achieved, 9);
    EXPECT_EQ(s.latency.p999, 400);
    EXPECT_NEAR(s.client_cpu_s, 0.02, 1e-12);
    // Each failure once: the connect failure under its errno, the timeouts (no errno) by kind.
    EXPECT_EQ(s.errors,
              (std::map<std::string, std::uint64_t>{{"status 503", 10}, {"connect ECONNREFUSED", 1}, {"timeout", 2}}));
    j.erase("latency_us");
    EXPECT_THROW(sample_from_load_json(j), std::exception);
}

TEST(servers, static_servers_get_files_and_no_compute) {
    EXPECT_EQ(load_path("rpslab", "/read"), "/read");
    EXPECT_EQ(load_path("fasthttp", "/compute"), "/compute");
    EXPECT_EQ(load_path("nginx", "/read"), "/read/{0..499}.json");
    EXPECT_EQ(load_path("h2o", "/compute"), "");
    EXPECT_EQ(check_for("h2o", "/read", true).file, "read/7.json.gz");
    EXPECT_EQ(check_for("nethttp", "/read", false).path, "/read?id=7");
}

TEST(aggregate, one_contended_run_marks_the_row_with_the_worst) {
    row r;
    r.connections = 50;
    run_sample a = sample(100'000, 500, "server"), b = sample(90'000, 560, "network/other"),
               c = sample(101'000, 495, "network/other");
    b.server_foreign = 0.12;
    b.contention = "other work took 12% of the server CPUs";
    c.server_foreign = 0.35;
    c.steal = 0.02;
    c.contention = "other work took 35% of the server CPUs";
    aggregate(r, {a, b, c}, {"a", "b", "c"});
    EXPECT_EQ(r.contention, "other work took 35% of the server CPUs (in 2 of 3 runs)");
    EXPECT_DOUBLE_EQ(r.server_foreign, 0.35);
    EXPECT_DOUBLE_EQ(r.steal, 0.02);
    aggregate(r, {a}, {"a"});
    EXPECT_EQ(r.contention, "");
    EXPECT_EQ(r.server_foreign, 0);
}
