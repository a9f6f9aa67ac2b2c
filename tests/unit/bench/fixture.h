// The recorded results.json the report, SVG and compare tests render and compare.
#pragma once

#include "bench/results.h"

#include <cstddef>
#include <string>

namespace rpslab::bench::test_data {

inline std::string fixture_path() {
    std::string here = __FILE__;
    return here.substr(0, here.rfind('/')) + "/data/results.json";
}

// Loaded once; tests that change rows take a copy.
inline const results& fixture() {
    static const results r = load_results_file(fixture_path());
    return r;
}

// How often `needle` occurs in `haystack`, overlaps included.
inline std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

} // namespace rpslab::bench::test_data
