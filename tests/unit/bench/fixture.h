// The recorded results.json the report, SVG and compare tests render and compare.
#pragma once

#include "bench/results.h"

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

} // namespace rpslab::bench::test_data
