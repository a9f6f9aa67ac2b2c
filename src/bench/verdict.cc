#include "bench/verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <utility>

namespace rpslab::bench {

namespace {

std::string percent(double share) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", share * 100);
    return buf;
}

double median_of(std::vector<double> v) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string contention_of(const verdict_input& in) {
    std::string out;
    const auto side = [&out](const char* name, double share, const std::string& top) {
        if (share >= contended) {
            out += std::string(out.empty() ? "" : "; ") + "other work took " + percent(share) + " of the " + name +
                   " CPUs" + (top.empty() ? "" : " (e.g. " + top + ")");
        }
    };
    side("server", in.server_foreign, in.server_foreign_top);
    side("client", in.client_foreign, in.client_foreign_top);
    if (in.steal >= stolen) {
        out += std::string(out.empty() ? "" : "; ") + "the hypervisor took " + percent(in.steal) + " of the CPUs";
    }
    return out;
}

verdict with_contention(verdict v, const verdict_input& in) {
    v.contention = contention_of(in);
    if (!v.contention.empty()) {
        v.reason += "; " + v.contention;
    }
    return v;
}

verdict found(std::string ceiling, std::string reason) {
    verdict v;
    v.ceiling = std::move(ceiling);
    v.reason = std::move(reason);
    return v;
}

verdict ceiling_before_contention(const verdict_input& in) {
    std::string both = "server CPUs " + percent(in.server_busy) + " busy, client CPUs " + percent(in.client_busy);
    if (in.server_capacity_rps > 0 && in.client_capacity_rps > 0) {
        char buf[128];
        std::snprintf(buf, sizeof buf,
                      "; at their CPU cost per request the server sustains %.0f req/s, the client %.0f",
                      in.server_capacity_rps, in.client_capacity_rps);
        both += buf;
    }
    const bool client_saturated = in.client_busy >= saturated || in.generator_ceiling;
    const bool server_saturated = in.server_busy >= saturated || in.server_busiest_thread >= saturated;
    const bool client_has_headroom =
        in.server_capacity_rps > 0 && in.client_capacity_rps > 1.1 * in.server_capacity_rps;
    if (client_saturated && !(server_saturated && client_has_headroom)) {
        return found("client",
                     both + (in.generator_ceiling ? "; the load generator reported its threads saturated" : ""));
    }
    if (in.server_busy >= saturated) {
        return found("server", both);
    }
    if (in.server_busiest_thread >= saturated) {
        return found("server", both + "; server thread " + in.server_busiest_name + " at " +
                                   percent(in.server_busiest_thread) + " of a CPU");
    }
    return found("network/other", both + ": neither side saturated (latency, connections or the network)");
}

// One contended repetition taints the row: its median may be that repetition, and the
// others ran beside whatever it was.
void aggregate_contention(row& r, const std::vector<run_sample>& runs) {
    r.server_foreign = r.client_foreign = r.steal = 0;
    r.contention.clear();
    std::size_t contended_runs = 0;
    double worst = 0;
    for (const run_sample& s : runs) {
        r.server_foreign = std::max(r.server_foreign, s.server_foreign);
        r.client_foreign = std::max(r.client_foreign, s.client_foreign);
        r.steal = std::max(r.steal, s.steal);
        const double share = std::max({s.server_foreign, s.client_foreign, s.steal});
        if (!s.contention.empty()) {
            ++contended_runs;
            if (share >= worst) {
                worst = share;
                r.contention = s.contention;
            }
        }
    }
    if (contended_runs > 0 && runs.size() > 1) {
        r.contention += " (in " + std::to_string(contended_runs) + " of " + std::to_string(runs.size()) + " runs)";
    }
}

} // namespace

verdict ceiling_of(const verdict_input& in) {
    verdict v = ceiling_before_contention(in);
    if (v.ceiling == "server" && in.server_foreign >= contended) {
        v.ceiling = "network/other"; // the server could not use all of its CPUs
    }
    return with_contention(v, in);
}

bool littles_law_holds(double in_flight, double rps, double mean_latency_us) {
    if (in_flight <= 0) {
        return false;
    }
    double observed = rps * mean_latency_us / 1e6;
    return std::abs(observed / in_flight - 1) <= 0.20;
}

void aggregate(row& r, const std::vector<run_sample>& runs, const std::vector<std::string>& run_commands) {
    r.status = "ok";
    r.rps_runs.clear();
    for (const auto& s : runs) {
        r.rps_runs.push_back(s.rps);
    }
    if (runs.empty()) {
        return;
    }
    r.rps = median_of(r.rps_runs);
    auto [lo, hi] = std::minmax_element(r.rps_runs.begin(), r.rps_runs.end());
    r.rps_min = *lo;
    r.rps_max = *hi;
    double mean = std::accumulate(r.rps_runs.begin(), r.rps_runs.end(), 0.0) / static_cast<double>(runs.size());
    double var = 0;
    for (double v : r.rps_runs) {
        var += (v - mean) * (v - mean);
    }
    // The sample standard deviation (n - 1): with 3 rounds the population one understates it.
    r.rps_cv = mean > 0 && runs.size() > 1 ? std::sqrt(var / static_cast<double>(runs.size() - 1)) / mean : 0;
    r.noisy = r.rps_cv > 0.05;

    // Latency and the verdict come from one real repetition (the lower median), never averaged.
    std::vector<std::size_t> order(runs.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return runs[a].rps < runs[b].rps; });
    const std::size_t mid = order[(runs.size() - 1) / 2];
    const run_sample& m = runs[mid];
    r.latency = m.latency;
    r.load_command = mid < run_commands.size() ? run_commands[mid] : "";

    auto med = [&](auto field) {
        std::vector<double> v;
        for (const auto& s : runs) {
            v.push_back(field(s));
        }
        return median_of(v);
    };
    r.server_cpu_us_per_req = med(
        [](const run_sample& s) { return s.requests ? s.server_cpu_s * 1e6 / static_cast<double>(s.requests) : 0.0; });
    r.client_cpu_us_per_req = med(
        [](const run_sample& s) { return s.requests ? s.client_cpu_s * 1e6 / static_cast<double>(s.requests) : 0.0; });
    r.server_util = med([](const run_sample& s) { return s.server_util; });
    r.client_util = med([](const run_sample& s) { return s.client_util; });
    r.softirq_util = med([](const run_sample& s) { return s.softirq_util; });
    r.irqs_per_s = med([](const run_sample& s) { return s.irqs_per_s; });
    r.packets_per_s = med([](const run_sample& s) { return s.packets_per_s; });
    r.bytes_per_s = med([](const run_sample& s) { return s.bytes_per_s; });
    r.connections_achieved = r.connections;
    r.errors.clear();
    for (const auto& s : runs) {
        r.connections_achieved = std::min(r.connections_achieved, s.connections_achieved);
        for (const auto& [k, n] : s.errors) {
            r.errors[k] += n;
        }
    }
    r.littles_concurrency = m.rps * m.mean_latency_us / 1e6;
    r.littles_law_ok = littles_law_holds(static_cast<double>(r.connections) * r.pipeline, m.rps, m.mean_latency_us);

    auto same = std::count_if(runs.begin(), runs.end(), [&](const run_sample& s) { return s.ceiling == m.ceiling; });
    r.ceiling = m.ceiling;
    r.ceiling_reason = m.ceiling_reason;
    if (runs.size() > 1) {
        r.ceiling_reason +=
            " (the median run; " + std::to_string(same) + " of " + std::to_string(runs.size()) + " runs agree)";
    }
    aggregate_contention(r, runs);
}

} // namespace rpslab::bench
