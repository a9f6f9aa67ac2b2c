#include "metrics/exposition.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>

namespace rpslab::metrics {

namespace {

// In the order of worker_metrics::pool_refused (pool::refusal without `none`).
constexpr std::array<const char*, 5> refusal_names{"queue_full", "overloaded", "limit", "deadline", "shed"};

class text {
public:
    explicit text(std::string& out) : _out(out) {}

    void header(const char* name, const char* type, const char* help) {
        line("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    }
    template <typename... Args> void line(const char* format, Args... args) {
        char buf[512];
        int n = std::snprintf(buf, sizeof buf, format, args...);
        _out.append(buf, static_cast<std::size_t>(n < 0 ? 0 : std::min<int>(n, sizeof buf - 1)));
    }
    void value(const char* name, std::uint64_t v) { line("%s %" PRIu64 "\n", name, v); }
    void seconds(const char* name, std::uint64_t ns) { line("%s %.9f\n", name, static_cast<double>(ns) / 1e9); }

private:
    std::string& _out;
};

template <typename F> std::uint64_t total(slot_list slots, F field) {
    std::uint64_t sum = 0;
    for (const worker_metrics* m : slots) {
        sum += field(*m).get();
    }
    return sum;
}

std::string status_label(std::size_t i) {
    return i < status_codes.size() ? std::to_string(status_codes[i]) : std::string("other");
}

void requests(text& t, slot_list slots) {
    t.header("rpslab_http_requests_total", "counter", "Requests answered, by path and status, summed over workers.");
    for (std::size_t p = 0; p < static_cast<std::size_t>(path::count_); ++p) {
        for (std::size_t s = 0; s <= status_codes.size(); ++s) {
            std::uint64_t n = total(slots, [&](const worker_metrics& m) -> const counter& { return m.requests[p][s]; });
            if (n > 0) {
                t.line("rpslab_http_requests_total{path=\"%s\",status=\"%s\"} %" PRIu64 "\n",
                       std::string(path_name(static_cast<path>(p))).c_str(), status_label(s).c_str(), n);
            }
        }
    }
    t.header("rpslab_http_parse_errors_total", "counter", "Requests the parser refused, by the status answered.");
    for (std::size_t s = 0; s <= status_codes.size(); ++s) {
        std::uint64_t n = total(slots, [&](const worker_metrics& m) -> const counter& { return m.parse_errors[s]; });
        if (n > 0) {
            t.line("rpslab_http_parse_errors_total{status=\"%s\"} %" PRIu64 "\n", status_label(s).c_str(), n);
        }
    }
}

template <std::size_t N>
void histogram(text& t, const char* name, const char* help, slot_list slots,
               const fixed_histogram<N> worker_metrics::*field, const std::array<std::uint64_t, N>& bounds,
               double scale) {
    t.header(name, "histogram", help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= N; ++i) {
        cumulative += total(slots, [&](const worker_metrics& m) -> const counter& { return (m.*field).buckets[i]; });
        if (i < N) {
            t.line("%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, static_cast<double>(bounds[i]) * scale, cumulative);
        } else {
            t.line("%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, cumulative);
        }
    }
    std::uint64_t sum = total(slots, [&](const worker_metrics& m) -> const counter& { return (m.*field).sum; });
    t.line("%s_sum %.9g\n%s_count %" PRIu64 "\n", name, static_cast<double>(sum) * scale, name, cumulative);
}

// One unlabelled series: the sum of `field` over every slot.
void scalar(text& t, slot_list slots, const char* name, const char* type, const char* help,
            const counter worker_metrics::*field) {
    t.header(name, type, help);
    t.value(name, total(slots, [&](const worker_metrics& m) -> const counter& { return m.*field; }));
}

void connections(text& t, slot_list slots) {
    scalar(t, slots, "rpslab_bytes_received_total", "counter", "Bytes read from clients.", &worker_metrics::bytes_in);
    scalar(t, slots, "rpslab_bytes_sent_total", "counter", "Bytes written to clients.", &worker_metrics::bytes_out);
    scalar(t, slots, "rpslab_connections_accepted_total", "counter", "Connections accepted.",
           &worker_metrics::connections_accepted);
    scalar(t, slots, "rpslab_connections_refused_total", "counter", "Connections closed at once: over --max-conns.",
           &worker_metrics::connections_refused);
    scalar(t, slots, "rpslab_connections_open", "gauge", "Connections open now.", &worker_metrics::connections_open);
    scalar(t, slots, "rpslab_timeouts_total", "counter", "Connections closed by the header, idle or linger timeout.",
           &worker_metrics::timeouts);
}

void event_loops(text& t, slot_list slots) {
    scalar(t, slots, "rpslab_event_loop_iterations_total", "counter", "epoll_wait calls of every worker.",
           &worker_metrics::loop_iterations);
    t.header("rpslab_event_loop_wait_seconds_total", "counter", "Time blocked in epoll_wait: idle time.");
    t.seconds("rpslab_event_loop_wait_seconds_total",
              total(slots, [](const worker_metrics& m) -> const counter& { return m.epoll_wait_ns; }));
}

void pool(text& t, slot_list slots) {
    t.header("rpslab_pool_jobs_total", "counter", "/work jobs by outcome (copied from the pools once a second).");
    t.line("rpslab_pool_jobs_total{outcome=\"accepted\"} %" PRIu64 "\n",
           total(slots, [](const worker_metrics& m) -> const counter& { return m.pool_accepted; }));
    t.line("rpslab_pool_jobs_total{outcome=\"completed\"} %" PRIu64 "\n",
           total(slots, [](const worker_metrics& m) -> const counter& { return m.pool_completed; }));
    t.line("rpslab_pool_jobs_total{outcome=\"failed\"} %" PRIu64 "\n",
           total(slots, [](const worker_metrics& m) -> const counter& { return m.pool_failed; }));
    t.header("rpslab_pool_refused_total", "counter", "/work jobs answered 503, by reason.");
    for (std::size_t r = 0; r < refusal_names.size(); ++r) {
        t.line("rpslab_pool_refused_total{reason=\"%s\"} %" PRIu64 "\n", refusal_names[r],
               total(slots, [&](const worker_metrics& m) -> const counter& { return m.pool_refused[r]; }));
    }
    scalar(t, slots, "rpslab_pool_queue_depth", "gauge", "/work jobs waiting.", &worker_metrics::pool_queue_depth);
    scalar(t, slots, "rpslab_pool_threads", "gauge", "Pool threads alive.", &worker_metrics::pool_threads);
}

void process(text& t, slot_list slots, process_layout layout) {
    std::uint64_t rss = 0;
    for (const worker_metrics* m : slots) {
        // One process: every slot saw the same process; several: each saw its own.
        rss = layout == process_layout::one_process ? std::max(rss, m->resident_bytes.get())
                                                    : rss + m->resident_bytes.get();
    }
    t.header("rpslab_process_resident_bytes", "gauge", "Resident memory of the server's processes.");
    t.value("rpslab_process_resident_bytes", rss);
    scalar(t, slots, "rpslab_process_restarts_total", "counter", "Worker processes replaced by the supervisor.",
           &worker_metrics::restarts);
}

void per_worker(text& t, slot_list slots) {
    t.header("rpslab_worker_requests_total", "counter", "Requests answered by each worker.");
    for (std::size_t w = 0; w < slots.size(); ++w) {
        std::uint64_t n = 0;
        for (const auto& by_status : slots[w]->requests) {
            for (const counter& c : by_status) {
                n += c.get();
            }
        }
        t.line("rpslab_worker_requests_total{worker=\"%zu\"} %" PRIu64 "\n", w, n);
    }
    t.header("rpslab_worker_connections_open", "gauge", "Connections open now, by worker.");
    for (std::size_t w = 0; w < slots.size(); ++w) {
        t.line("rpslab_worker_connections_open{worker=\"%zu\"} %" PRIu64 "\n", w, slots[w]->connections_open.get());
    }
    t.header("rpslab_worker_event_loop_wait_seconds_total", "counter", "Time blocked in epoll_wait, by worker.");
    for (std::size_t w = 0; w < slots.size(); ++w) {
        t.line("rpslab_worker_event_loop_wait_seconds_total{worker=\"%zu\"} %.9f\n", w,
               static_cast<double>(slots[w]->epoll_wait_ns.get()) / 1e9);
    }
    t.header("rpslab_worker_restarts_total", "counter", "Times each slot's worker process was replaced.");
    for (std::size_t w = 0; w < slots.size(); ++w) {
        t.line("rpslab_worker_restarts_total{worker=\"%zu\"} %" PRIu64 "\n", w, slots[w]->restarts.get());
    }
}

} // namespace

void render(std::string& out, slot_list slots, process_layout layout) {
    out.clear();
    text t(out);
    requests(t, slots);
    connections(t, slots);
    histogram(t, "rpslab_batch_responses", "Responses written per batch (one read, parse, write cycle).", slots,
              &worker_metrics::batch_responses, batch_bounds, 1.0);
    histogram(t, "rpslab_batch_handling_seconds", "Time to handle one batch, from parse to write.", slots,
              &worker_metrics::batch_handling_ns, handling_bounds_ns, 1e-9);
    event_loops(t, slots);
    pool(t, slots);
    process(t, slots, layout);
    per_worker(t, slots);
}

} // namespace rpslab::metrics
