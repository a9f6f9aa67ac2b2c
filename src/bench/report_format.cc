#include "bench/report_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rpslab::bench {

std::string group_digits(const std::string& digits) {
    std::size_t start = (!digits.empty() && digits[0] == '-') ? 1 : 0;
    std::string out = digits.substr(0, start);
    for (std::size_t i = start; i < digits.size(); ++i) {
        if (i > start && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

std::string format_count(double value) {
    if (!std::isfinite(value)) {
        return "?";
    }
    return group_digits(std::to_string(std::llround(value)));
}

std::string format_fixed(double value, int decimals) {
    if (!std::isfinite(value)) {
        return "?";
    }
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string format_percent(double fraction, int decimals) {
    return format_fixed(fraction * 100, decimals) + "%";
}

std::string format_latency(double us) {
    if (!std::isfinite(us)) {
        return "?";
    }
    if (us <= 0) {
        return "—";
    }
    // Thresholds sit where rounding would carry into the next unit: 999.6 µs prints as 1.00 ms.
    if (us < 9.95) {
        return format_fixed(us, 1) + " µs";
    }
    if (us < 999.5) {
        return format_fixed(us, 0) + " µs";
    }
    double ms = us / 1000;
    if (ms < 9.995) {
        return format_fixed(ms, 2) + " ms";
    }
    if (ms < 99.95) {
        return format_fixed(ms, 1) + " ms";
    }
    if (ms < 999.5) {
        return format_fixed(ms, 0) + " ms";
    }
    return format_fixed(ms / 1000, 2) + " s";
}

std::size_t display_width(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (const std::string& part : parts) {
        if (!out.empty()) {
            out += separator;
        }
        out += part;
    }
    return out;
}

} // namespace rpslab::bench
