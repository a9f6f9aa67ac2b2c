// Seeded latency-like sample sets for the histogram tests: our own PRNG and our own distributions (not
// <random>'s, whose output differs between standard libraries), so every machine tests the same numbers.
// Also the load generator's histogram layout, which most of these tests record into.
#pragma once

#include "stats/histogram.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace rpslab::stats::test_data {

inline constexpr std::uint64_t hour_us = 3'600'000'000;

// The load generator's layout: 1 µs to an hour at 3 significant figures.
inline histogram load_histogram() {
    return histogram(1, hour_us, 3);
}

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and passes BigCrush; plenty for test data.
class splitmix64 {
public:
    explicit splitmix64(std::uint64_t seed) : _state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (_state += 0x9e3779b97f4a7c15);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        return z ^ (z >> 31);
    }
    // Uniform in (0, 1]: never 0, so log() and division by it are safe.
    double unit() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }
    std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
    std::uint64_t _state;
};

enum class distribution { uniform, exponential, bimodal, heavy_tailed };

inline const char* name_of(distribution d) {
    switch (d) {
    case distribution::uniform:
        return "uniform";
    case distribution::exponential:
        return "exponential";
    case distribution::bimodal:
        return "bimodal";
    case distribution::heavy_tailed:
        return "heavy_tailed";
    }
    return "?";
}

// `n` values in µs:
//   uniform      0 .. 1,000,000 (zeros included)
//   exponential  mean 2,000 (a typical service time)
//   bimodal      90% around 300 (cache hits), 10% in 35,000 .. 45,000 (misses going to disk)
//   heavy_tailed Pareto, x_m = 100, alpha = 1.1: most near 100, a tail to many seconds
inline std::vector<std::uint64_t> make_samples(distribution d, std::size_t n, std::uint64_t seed) {
    splitmix64 rng(seed);
    std::vector<std::uint64_t> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        switch (d) {
        case distribution::uniform:
            out.push_back(rng.below(1'000'001));
            break;
        case distribution::exponential:
            out.push_back(static_cast<std::uint64_t>(std::llround(-2000.0 * std::log(rng.unit()))));
            break;
        case distribution::bimodal:
            if (rng.below(10) != 0) {
                out.push_back(rng.below(151) + rng.below(151) + rng.below(151) + rng.below(151));
            } else {
                out.push_back(35'000 + rng.below(10'001));
            }
            break;
        case distribution::heavy_tailed:
            out.push_back(static_cast<std::uint64_t>(100.0 / std::pow(rng.unit(), 1.0 / 1.1)));
            break;
        }
    }
    return out;
}

} // namespace rpslab::stats::test_data
