// The latency histogram's costs: record() runs once per request in every load-generator thread, so its
// ns/op bounds the generator's rate; percentile queries, merges and log encoding run once per interval.
// Run with --benchmark_repetitions=5 --benchmark_report_aggregates_only=true for the median and spread.
#include "stats/histogram.h"

#include "stats/hdr_encoding.h"

#include <benchmark/benchmark.h>
#include <cmath>
#include <cstdint>
#include <vector>

using rpslab::stats::histogram;

namespace {

constexpr std::uint64_t hour_us = 3'600'000'000;

// Latencies as a loaded HTTP server produces them, in µs: mostly an exponential body around 250 µs, 2% of
// slow requests in the tens of ms, and a rare tail of seconds. A power-of-two count so the loop masks.
std::vector<std::uint64_t> realistic_latencies_us() {
    std::vector<std::uint64_t> out(1 << 16);
    std::uint64_t state = 42;
    auto next = [&state] {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        return z ^ (z >> 31);
    };
    for (std::uint64_t& v : out) {
        double u = (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53;
        std::uint64_t pick = next() % 1000;
        double scale = pick < 979 ? 250.0 : pick < 999 ? 20'000.0 : 1'500'000.0;
        v = static_cast<std::uint64_t>(-scale * std::log(u)) + 20;
    }
    return out;
}

histogram full_histogram(std::size_t samples) {
    histogram h(1, hour_us, 3);
    std::vector<std::uint64_t> values = realistic_latencies_us();
    for (std::size_t i = 0; i < samples; ++i) {
        h.record(values[i & (values.size() - 1)] + i % 7);
    }
    return h;
}

void bm_record(benchmark::State& state) {
    histogram h(1, hour_us, 3);
    std::vector<std::uint64_t> values = realistic_latencies_us();
    std::size_t i = 0;
    for (auto _ : state) {
        h.record(values[i++ & (values.size() - 1)]);
    }
    benchmark::DoNotOptimize(h.total_count());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_record);

void bm_value_at_percentile(benchmark::State& state) {
    histogram h = full_histogram(1'000'000);
    for (auto _ : state) {
        benchmark::DoNotOptimize(h.value_at_percentile(99.9));
    }
}
BENCHMARK(bm_value_at_percentile);

void bm_value_at_percentiles_table(benchmark::State& state) {
    histogram h = full_histogram(1'000'000);
    const double ps[] = {50, 90, 95, 99, 99.9, 99.99};
    for (auto _ : state) {
        benchmark::DoNotOptimize(h.value_at_percentiles(ps));
    }
}
BENCHMARK(bm_value_at_percentiles_table);

void bm_merge(benchmark::State& state) {
    histogram total(1, hour_us, 3);
    histogram shard = full_histogram(1'000'000);
    for (auto _ : state) {
        total.merge(shard);
    }
    benchmark::DoNotOptimize(total.total_count());
}
BENCHMARK(bm_merge);

void bm_encode_compressed(benchmark::State& state) {
    histogram h = full_histogram(1'000'000);
    for (auto _ : state) {
        benchmark::DoNotOptimize(rpslab::stats::encode_compressed(h));
    }
}
BENCHMARK(bm_encode_compressed);

} // namespace
