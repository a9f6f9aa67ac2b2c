#include "tune/limits.h"

#include "tune/text.h"

#include <limits>

namespace rpslab::tune {

namespace {

std::optional<std::uint64_t> limit_value(std::string_view word) {
    if (word == "unlimited") {
        return std::numeric_limits<std::uint64_t>::max();
    }
    return parse_uint(word);
}

} // namespace

std::optional<open_files_limit> parse_open_files_limit(std::string_view limits_text) {
    constexpr std::string_view row = "Max open files";
    for (std::string_view line : lines(limits_text)) {
        if (!line.starts_with(row)) {
            continue;
        }
        auto w = words(line.substr(row.size()));
        auto soft = w.size() >= 2 ? limit_value(w[0]) : std::nullopt;
        auto hard = w.size() >= 2 ? limit_value(w[1]) : std::nullopt;
        if (soft && hard) {
            return open_files_limit{*soft, *hard};
        }
    }
    return std::nullopt;
}

} // namespace rpslab::tune
