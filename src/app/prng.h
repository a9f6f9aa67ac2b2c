// The seeded generator behind every workload's data: xoshiro256** seeded through
// splitmix64, with our own range mapping, so a seed gives the same bytes with every
// compiler and standard library (std:: distributions differ between them).
#pragma once

#include "app/uint128.h"

#include <cstdint>

namespace rpslab::app {

class prng {
public:
    // Expands `seed` with splitmix64 as the xoshiro authors recommend: any seed,
    // zero included, gives a well-mixed non-zero state.
    explicit prng(std::uint64_t seed) {
        for (auto& word : _state) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            word = z ^ (z >> 31);
        }
    }

    // xoshiro256** 1.0 (Blackman and Vigna).
    std::uint64_t next() {
        const std::uint64_t result = rotl(_state[1] * 5, 7) * 9;
        const std::uint64_t t = _state[1] << 17;
        _state[2] ^= _state[0];
        _state[3] ^= _state[1];
        _state[1] ^= _state[2];
        _state[0] ^= _state[3];
        _state[2] ^= t;
        _state[3] = rotl(_state[3], 45);
        return result;
    }

    // Uniform in [0, n), n > 0. Lemire's multiply-and-reject: unbiased, and the
    // rejection threshold depends only on n, so the stream is the same everywhere.
    std::uint64_t below(std::uint64_t n) {
        uint128 m = static_cast<uint128>(next()) * n;
        auto low = static_cast<std::uint64_t>(m);
        if (low < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                m = static_cast<uint128>(next()) * n;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }

    // Uniform in [lo, hi], lo <= hi.
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    std::uint64_t _state[4];
};

} // namespace rpslab::app
