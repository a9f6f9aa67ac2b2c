#include "cli/duration.h"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

namespace rpslab::cli {

namespace {

// Splits "1.5s" into 1.5 and "s"; the number part must be a non-negative decimal.
double leading_number(std::string_view text, std::string_view& unit, const char* what) {
    std::size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) {
        ++i;
    }
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + i, value);
    if (i == 0 || ec != std::errc() || end != text.data() + i || !std::isfinite(value)) {
        throw std::invalid_argument("bad " + std::string(what) + " '" + std::string(text) + "'");
    }
    unit = text.substr(i);
    return value;
}

} // namespace

std::int64_t parse_duration_ms(std::string_view text) {
    std::string_view unit;
    double value = leading_number(text, unit, "duration");
    double scale = 0;
    if (unit.empty() || unit == "s") {
        scale = 1000;
    } else if (unit == "ms") {
        scale = 1;
    } else if (unit == "m") {
        scale = 60'000;
    } else if (unit == "h") {
        scale = 3'600'000;
    } else {
        throw std::invalid_argument("bad duration '" + std::string(text) + "': units are ms, s, m, h");
    }
    return static_cast<std::int64_t>(std::llround(value * scale));
}

std::uint64_t parse_bytes(std::string_view text) {
    std::string_view unit;
    double value = leading_number(text, unit, "size");
    double scale = 0;
    if (unit.empty()) {
        scale = 1;
    } else if (unit == "k" || unit == "K" || unit == "KiB") {
        scale = 1024.0;
    } else if (unit == "m" || unit == "M" || unit == "MiB") {
        scale = 1024.0 * 1024;
    } else if (unit == "g" || unit == "G" || unit == "GiB") {
        scale = 1024.0 * 1024 * 1024;
    } else {
        throw std::invalid_argument("bad size '" + std::string(text) + "': units are K, M, G (KiB, MiB, GiB)");
    }
    return static_cast<std::uint64_t>(std::llround(value * scale));
}

} // namespace rpslab::cli

namespace rpslab::cli {

double parse_count(std::string_view text) {
    std::string_view unit;
    std::size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) {
        ++i;
    }
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + i, value);
    if (i == 0 || ec != std::errc() || end != text.data() + i) {
        throw std::invalid_argument("bad number '" + std::string(text) + "'");
    }
    unit = text.substr(i);
    double scale = unit.empty()                 ? 1
                   : unit == "k" || unit == "K" ? 1e3
                   : unit == "m" || unit == "M" ? 1e6
                   : unit == "G"                ? 1e9
                                                : -1;
    if (scale < 0) {
        throw std::invalid_argument("bad number '" + std::string(text) + "': suffixes are k, M, G");
    }
    return value * scale;
}

} // namespace rpslab::cli
