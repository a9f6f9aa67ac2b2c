// Base64 (RFC 4648 §4: standard alphabet, '=' padding), as HdrHistogram logs carry their compressed
// histograms. Decoding is strict, because the input is a log line that anyone may have written.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::stats {

// Encodes `bytes`, padded to a multiple of 4 characters.
std::string base64_encode(std::span<const std::uint8_t> bytes);

// Decodes `text`; nullopt with `error` set (naming the offending offset) when its length is not a multiple
// of 4, a character is outside the alphabet (whitespace included), or '=' appears other than as the last
// one or two characters. Bits left over in the last character are ignored, as RFC 4648 §3.5 permits.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text, std::string& error);

} // namespace rpslab::stats
