// Integer-to-text formatting for the /compute answer: plain integers and exact ratios
// printed with three decimals, rounded half to even. No floating point, so every CPU
// and every implementation prints the same bytes (DESIGN.md "Orders and /compute").
#pragma once

#include "app/uint128.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rpslab::app {

// Writes `value` in decimal at `out` and returns the end. Writes at most 20 bytes.
inline char* write_u64(char* out, std::uint64_t value) {
    char digits[20];
    char* p = digits + sizeof digits;
    do {
        *--p = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    const auto n = static_cast<std::size_t>(digits + sizeof digits - p);
    std::memcpy(out, p, n);
    return out + n;
}

// As write_u64, for values past 64 bits. Writes at most 39 bytes.
inline char* write_u128(char* out, uint128 value) {
    if ((value >> 64) == 0) {
        return write_u64(out, static_cast<std::uint64_t>(value));
    }
    char digits[39];
    char* p = digits + sizeof digits;
    do {
        *--p = static_cast<char>('0' + static_cast<int>(value % 10));
        value /= 10;
    } while (value != 0);
    const auto n = static_cast<std::size_t>(digits + sizeof digits - p);
    std::memcpy(out, p, n);
    return out + n;
}

// Writes the exact value num / den (den > 0) with exactly three decimals, rounded half
// to even, and returns the end. Writes at most 43 bytes.
inline char* write_ratio_3dp(char* out, uint128 num, std::uint64_t den) {
    uint128 whole = num / den;
    const auto rem = static_cast<std::uint64_t>(num % den);
    // rem < den, so rem * 1000 fits in 128 bits and milli < 1000.
    const uint128 scaled = static_cast<uint128>(rem) * 1000;
    auto milli = static_cast<std::uint64_t>(scaled / den);
    const auto left = static_cast<std::uint64_t>(scaled % den);
    // Compare left with den / 2 without doubling (which could overflow): the tail is
    // above one half when left > den - left, exactly one half when they are equal.
    const std::uint64_t right = den - left;
    if (left > right || (left == right && (milli & 1) != 0)) {
        ++milli;
        if (milli == 1000) {
            milli = 0;
            ++whole;
        }
    }
    out = write_u128(out, whole);
    *out++ = '.';
    *out++ = static_cast<char>('0' + milli / 100);
    *out++ = static_cast<char>('0' + milli / 10 % 10);
    *out++ = static_cast<char>('0' + milli % 10);
    return out;
}

} // namespace rpslab::app
