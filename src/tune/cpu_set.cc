#include "tune/cpu_set.h"

#include "core/cpu_list.h"
#include "tune/text.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace rpslab::tune {

namespace {

void normalize(cpu_set& cpus) {
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
}

char hex_digit(unsigned v) {
    return "0123456789abcdef"[v & 0xf];
}

} // namespace

cpu_set parse_cpu_list(std::string_view text) {
    cpu_set cpus = core::parse_cpu_list(trim(text));
    normalize(cpus);
    return cpus;
}

std::string format_cpu_list(const cpu_set& cpus) {
    std::string out;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) {
            ++j;
        }
        out += (out.empty() ? "" : ",") + std::to_string(cpus[i]);
        if (j > i) {
            out += "-" + std::to_string(cpus[j]);
        }
        i = j + 1;
    }
    return out;
}

cpu_set parse_cpu_mask(std::string_view text) {
    const std::string_view whole = trim(text);
    std::vector<std::string_view> groups;
    std::string_view rest = whole;
    for (;;) {
        auto comma = rest.find(',');
        groups.push_back(rest.substr(0, comma));
        if (comma == std::string_view::npos) {
            break;
        }
        rest = rest.substr(comma + 1);
    }
    cpu_set cpus;
    int base = 0;
    for (auto g = groups.rbegin(); g != groups.rend(); ++g, base += 32) {
        auto bits = g->size() <= 8 ? parse_uint(*g, 16) : std::nullopt;
        if (!bits || trim(*g) != *g) {
            throw std::invalid_argument("bad CPU mask '" + std::string(whole) + "': '" + std::string(*g) +
                                        "' is not a 32-bit hex group");
        }
        for (int b = 0; b < 32; ++b) {
            if ((*bits >> b) & 1u) {
                cpus.push_back(base + b);
            }
        }
    }
    normalize(cpus);
    return cpus;
}

std::string format_cpu_mask(const cpu_set& cpus, int width) {
    if (width <= 0 || (!cpus.empty() && cpus.back() >= width)) {
        throw std::invalid_argument("CPU " + std::to_string(cpus.empty() ? 0 : cpus.back()) +
                                    " does not fit a mask of " + std::to_string(width) + " CPUs");
    }
    const int groups = (width + 31) / 32;
    std::vector<unsigned> bits(static_cast<std::size_t>(groups), 0);
    for (int c : cpus) {
        bits[static_cast<std::size_t>(c / 32)] |= 1u << (c % 32);
    }
    std::string out;
    for (int g = groups - 1; g >= 0; --g) {
        const int used_bits = g == groups - 1 && width % 32 != 0 ? width % 32 : 32;
        const int digits = (used_bits + 3) / 4;
        for (int d = digits - 1; d >= 0; --d) {
            out += hex_digit(bits[static_cast<std::size_t>(g)] >> (4 * d));
        }
        out += g > 0 ? "," : "";
    }
    return out;
}

cpu_set cpu_union(const cpu_set& a, const cpu_set& b) {
    cpu_set out;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

cpu_set cpu_intersection(const cpu_set& a, const cpu_set& b) {
    cpu_set out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

cpu_set cpu_difference(const cpu_set& a, const cpu_set& b) {
    cpu_set out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

} // namespace rpslab::tune
