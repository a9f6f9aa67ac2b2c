// Small text helpers for the one-value-per-file world of sysfs and procfs: trimming the
// trailing newline, splitting on whitespace, strict integer parsing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::tune {

// Without leading and trailing spaces, tabs and newlines.
std::string_view trim(std::string_view text);

// The whitespace-separated words of `text`.
std::vector<std::string_view> words(std::string_view text);

// The lines of `text`, without their '\n'; a final line without '\n' is included.
std::vector<std::string_view> lines(std::string_view text);

// A whole decimal integer (after trim), or nullopt: "12" yes, "12x", "", "-" no.
std::optional<std::int64_t> parse_int(std::string_view text);
std::optional<std::uint64_t> parse_uint(std::string_view text, int base = 10);

// `text` quoted for a POSIX shell when it needs it ("1024 65535" -> '1024 65535'); tabs
// and newlines become single spaces, which every sysctl and sysfs file reads alike.
std::string shell_word(std::string_view text);

// `text` with every line broken at spaces to fit `width` columns, and every line after
// the first indented by `indent` spaces (the first is assumed to start at column `indent`).
std::string wrap(std::string_view text, std::size_t indent, std::size_t width);

} // namespace rpslab::tune
