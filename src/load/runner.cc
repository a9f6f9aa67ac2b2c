#include "load/runner.h"

#include "core/clock.h"
#include "core/socket.h"
#include "load/load_thread.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>

namespace rpslab::load {

namespace {

// The share of `total` that part `i` of `parts` gets: the remainder goes to the first ones.
std::uint64_t share(std::uint64_t total, std::size_t parts, std::size_t i) {
    return total / parts + (i < total % parts ? 1 : 0);
}

void check(const run_config& c) {
    if (c.connections == 0 || c.threads == 0 || c.pipeline == 0) {
        throw std::invalid_argument("connections, threads and pipeline must be at least 1");
    }
    if (c.requests == 0 && c.duration_ms <= 0) {
        throw std::invalid_argument("give a duration (-d) or a request count (-n)");
    }
    if (c.rate < 0 || c.timeout_ms <= 0 || c.warmup_ms < 0) {
        throw std::invalid_argument("rate, timeout and warm-up must not be negative");
    }
    if (c.requests > 0 && c.requests < c.connections) {
        throw std::invalid_argument("-n must be at least the number of connections (-c)");
    }
}

void print_progress(const std::vector<std::unique_ptr<load_thread>>& threads, std::uint64_t& last, double elapsed_s) {
    std::uint64_t responses = 0, errors = 0, p99 = 0;
    for (const auto& t : threads) {
        responses += t->progress().responses.load(std::memory_order_relaxed);
        errors += t->progress().errors.load(std::memory_order_relaxed);
        p99 = std::max(p99, t->progress().last_second_p99_us.load(std::memory_order_relaxed));
    }
    std::fprintf(stderr, "\r  %6.0f s  %12.0f req/s  errors %llu  p99 (last second, slowest thread) %llu us   ",
                 elapsed_s, static_cast<double>(responses - last), static_cast<unsigned long long>(errors),
                 static_cast<unsigned long long>(p99));
    std::fflush(stderr);
    last = responses;
}

} // namespace

run_result run_load(const run_config& config, bool live) {
    check(config);
    const std::size_t threads = std::min(config.threads, config.connections);
    core::raise_open_files_limit();
    request_batch batch(config.request_cycle, config.pipeline + 1);
    std::vector<std::unique_ptr<load_thread>> workers;
    // -n and -R are divided in proportion to connections, so no thread idles or lags; the
    // rounding remainder of -n goes to thread 0, so exactly -n requests are sent.
    std::vector<std::size_t> conns(threads);
    std::vector<std::uint64_t> requests(threads);
    std::uint64_t given = 0;
    for (std::size_t i = 0; i < threads; ++i) {
        conns[i] = static_cast<std::size_t>(share(config.connections, threads, i));
        requests[i] = config.requests * conns[i] / config.connections;
        given += requests[i];
    }
    requests[0] += config.requests - given;
    for (std::size_t i = 0; i < threads; ++i) {
        double rate = config.rate * static_cast<double>(conns[i]) / static_cast<double>(config.connections);
        workers.push_back(std::make_unique<load_thread>(config, batch, i, conns[i], requests[i], rate));
    }
    const std::int64_t start_ns = core::monotonic_ns() + 20'000'000;
    std::vector<std::thread> running;
    for (auto& w : workers) {
        running.emplace_back([&w, start_ns] { w->run(start_ns); });
    }
    if (live) {
        std::uint64_t last = 0;
        const std::int64_t measure_start = start_ns + config.warmup_ms * 1'000'000;
        std::int64_t next = measure_start + 1'000'000'000;
        std::size_t finished = 0;
        while (finished < running.size()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (core::monotonic_ns() >= next) {
                print_progress(workers, last, static_cast<double>(next - measure_start) / 1e9);
                next += 1'000'000'000;
            }
            finished = static_cast<std::size_t>(
                std::count_if(workers.begin(), workers.end(), [](const auto& w) { return w->finished.load(); }));
        }
        std::fprintf(stderr, "\n");
    }
    for (auto& t : running) {
        t.join();
    }
    run_result out;
    out.connections = config.connections;
    out.threads = threads;
    out.pipeline = config.pipeline;
    out.requested_rate = config.rate;
    out.warmup_ms = config.warmup_ms;
    for (auto& w : workers) {
        thread_result& r = w->result();
        double util = r.wall_s > 0 ? r.cpu_s / r.wall_s : 0;
        double busy = r.wall_s > 0 ? (r.cpu_s + r.runnable_s) / r.wall_s : 0;
        out.thread_cpu.push_back(util);
        out.thread_busy.push_back(busy);
        out.generator_ceiling = out.generator_ceiling || busy >= saturated_cpu;
        out.duration_s = std::max(out.duration_s, r.wall_s);
        out.total.merge(r);
    }
    return out;
}

} // namespace rpslab::load
