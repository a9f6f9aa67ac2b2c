// Cutting one fuzz input into pieces, the same way on every run of that input: the
// fuzzers feed the pieces one at a time, so every place a request can be split is tried
// without the fuzzer having to learn a split format. xorshift64*, seeded by FNV-1a.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace rpslab::fuzz {

inline std::uint64_t seed_of(std::span<const char> in) {
    std::uint64_t h = 1469598103934665603ULL; // FNV-1a
    for (char c : in) {
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    return h | 1;
}

// Most pieces are at most `small` bytes; when the low bits of a draw under `whole_mask`
// are all zero, the piece may be anything up to all that is left (bulk copies).
struct input_split {
    std::uint64_t state;
    std::size_t small;
    std::uint64_t whole_mask;

    // The length of the next piece, 1..left.
    std::size_t next(std::size_t left) {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        const std::uint64_t r = state * 2685821657736338717ULL;
        const std::size_t span = (r & whole_mask) == 0 ? left : (left < small ? left : small);
        return 1 + static_cast<std::size_t>((r >> 8) % span);
    }
};

} // namespace rpslab::fuzz
