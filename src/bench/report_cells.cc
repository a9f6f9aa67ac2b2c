#include "bench/report_cells.h"

#include <algorithm>
#include <string>
#include <vector>

namespace rpslab::bench {

namespace {

std::pair<double, double> rps_range(const row& r) {
    if (r.rps_runs.empty()) {
        return {r.rps_min, r.rps_max};
    }
    auto [lo, hi] = std::minmax_element(r.rps_runs.begin(), r.rps_runs.end());
    return {*lo, *hi};
}

std::string spread_cell(const row& r) {
    if (r.rps_runs.size() < 2) {
        return r.rps_runs.size() == 1 ? "1 run" : "—";
    }
    auto [lo, hi] = rps_range(r);
    std::string text = format_percent(r.rps_cv, 1) + (r.noisy ? " noisy" : "");
    return text + " (" + format_count(lo) + "–" + format_count(hi) + ")";
}

// A ratio whose spread crosses 1.0 is a tie, not a win (DESIGN.md "How performance is measured").
bool ratio_crosses_one(const row& r, const row& base) {
    auto [r_lo, r_hi] = rps_range(r);
    auto [b_lo, b_hi] = rps_range(base);
    if (r_lo <= 0 || b_lo <= 0) {
        return false;
    }
    return r_lo / b_hi <= 1.0 && 1.0 <= r_hi / b_lo;
}

// A client-bound or contended figure is a floor for its server, so a ratio against one is a bound.
std::string ratio_cell(const row& r, const row* base) {
    if (base == nullptr || r.server == "rpslab" || base->rps <= 0) {
        return "—";
    }
    bool r_floor = is_floor(r);
    bool base_floor = is_floor(*base);
    if (r_floor && base_floor) {
        return "?";
    }
    std::string text = r_floor ? "≥" : (base_floor ? "≤" : "");
    text += format_fixed(r.rps / base->rps, 2) + "×";
    return ratio_crosses_one(r, *base) ? text + " tie" : text;
}

std::string errors_cell(const row& r) {
    std::uint64_t total = 0;
    std::vector<std::string> kinds;
    for (const auto& [kind, count] : r.errors) {
        total += count;
        kinds.push_back(kind + ": " + group_digits(std::to_string(count)));
    }
    return total == 0 ? "0" : group_digits(std::to_string(total)) + " (" + join(kinds, ", ") + ")";
}

std::string ceiling_cell(const row& r) {
    if (r.ceiling == "client") {
        return "client-bound, not ranked";
    }
    return (r.ceiling.empty() ? "?" : r.ceiling) + (is_floor(r) ? ", contended, not ranked" : "");
}

std::string cpu_cell(double us_per_req) {
    return us_per_req > 0 ? format_fixed(us_per_req, 1) : "—";
}

} // namespace

line_kind kind_of(const row& r) {
    if (r.status != "ok") {
        return line_kind::status;
    }
    return is_floor(r) ? line_kind::floor : line_kind::ranked;
}

bool littles_off(const row& r) {
    return r.status == "ok" && !r.littles_law_ok && r.littles_concurrency > 0;
}

std::string notes_cell(const row& r) {
    std::vector<std::string> notes;
    if (!r.contention.empty()) {
        notes.push_back("contended: " + r.contention);
    }
    if (r.rate_requested > 0) {
        notes.push_back("open loop at " + format_count(r.rate_requested) + " req/s");
    }
    if (r.connections_achieved > 0 && r.connections_achieved < r.connections) {
        notes.push_back(std::to_string(r.connections_achieved) + " of " + std::to_string(r.connections) +
                        " connections");
    }
    if (littles_off(r)) {
        std::string note = "Little's law off: ";
        if (r.rate_requested <= 0) {
            note += "connections × pipeline = " + format_count(r.connections * 1.0 * r.pipeline) + ", ";
        }
        notes.push_back(note + "req/s × mean latency = " + format_count(r.littles_concurrency));
    }
    return join(notes, "; ");
}

std::string cell(column c, const row& r, const line_context& ctx) {
    switch (c) {
    case column::rank:
        return ctx.rank > 0 ? std::to_string(ctx.rank) : "—";
    case column::server:
        return r.server;
    case column::connections:
        return format_count(r.connections);
    case column::pipeline:
        return std::to_string(r.pipeline);
    case column::rps:
        return format_count(r.rps);
    case column::spread:
        return spread_cell(r);
    case column::p50:
        return format_latency(r.latency.p50);
    case column::p99:
        return format_latency(r.latency.p99);
    case column::p999:
        return format_latency(r.latency.p999);
    case column::server_cpu:
        return cpu_cell(r.server_cpu_us_per_req);
    case column::client_cpu:
        return cpu_cell(r.client_cpu_us_per_req);
    case column::vs_rpslab:
        return ratio_cell(r, ctx.base);
    case column::errors:
        return errors_cell(r);
    case column::ceiling:
        return ceiling_cell(r);
    case column::notes:
        return notes_cell(r);
    }
    return "";
}

} // namespace rpslab::bench
