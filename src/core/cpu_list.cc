#include "core/cpu_list.h"

#include <charconv>
#include <stdexcept>
#include <string>

namespace rpslab::core {

namespace {

// The kernel's own limit is NR_CPUS (8192 at most in distribution kernels).
constexpr int max_cpus = 8192;

int parse_cpu(std::string_view part, std::string_view whole) {
    int cpu = -1;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), cpu);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size() || cpu < 0 || cpu >= max_cpus) {
        throw std::invalid_argument("bad CPU list '" + std::string(whole) + "': '" + std::string(part) +
                                    "' is not a CPU number");
    }
    return cpu;
}

} // namespace

std::vector<int> parse_cpu_list(std::string_view text) {
    std::vector<int> cpus;
    std::string_view rest = text;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view part = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        auto dash = part.find('-');
        int first = parse_cpu(part.substr(0, dash), text);
        int last = dash == std::string_view::npos ? first : parse_cpu(part.substr(dash + 1), text);
        if (last < first) {
            throw std::invalid_argument("bad CPU list '" + std::string(text) + "': range " + std::string(part) +
                                        " runs backwards");
        }
        for (int c = first; c <= last; ++c) {
            cpus.push_back(c);
        }
    }
    return cpus;
}

} // namespace rpslab::core
