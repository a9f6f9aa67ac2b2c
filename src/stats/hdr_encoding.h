// HdrHistogram's V2 binary encoding of a histogram, plain and zlib-compressed: the bytes inside every
// interval line of an HdrHistogram log (src/stats/interval_log.h). Decoding treats its input as hostile:
// every length is bounded by the layout it announces, and every failure is a message, never a crash.
#pragma once

#include "stats/histogram.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace rpslab::stats {

// The cookies as written. HdrHistogram's bases are 0x1c849303 (V2) and 0x1c849304 (V2 compressed); every
// implementation (Java, C, JS, Go) ORs in 0x10, the bit saying counts are ZigZag LEB128 with zero runs,
// and readers compare `cookie & ~0xf0` with the base. So every log line starts "HISTFAAA".
inline constexpr std::uint32_t v2_encoding_cookie = 0x1c849303 | 0x10;
inline constexpr std::uint32_t v2_compressed_encoding_cookie = 0x1c849304 | 0x10;
inline constexpr std::size_t v2_header_bytes = 40;

// The V2 encoding, all integers big-endian:
//   int32 cookie (v2_encoding_cookie), int32 payload length in bytes, int32 normalizing index offset (0),
//   int32 significant figures, int64 lowest discernible value, int64 highest trackable value,
//   IEEE 754 double integer-to-double conversion ratio (1.0),
//   then counts[0 .. index_of(max) + 1) as ZigZag LEB128 varints (at most 9 bytes: the 9th byte carries
//   8 bits), where a run of two or more zero counts is written as one negative number: minus its length.
// Allocates the result; a histogram with nothing recorded encodes to the header alone.
std::vector<std::uint8_t> encode_v2(const histogram& h);

// The compressed wrapper: int32 cookie (v2_compressed_encoding_cookie), int32 length N of what follows,
// then N bytes of a zlib stream (RFC 1950, default level, as java.util.zip.Deflater) of encode_v2(h).
// Throws std::runtime_error only if zlib itself fails (out of memory).
std::vector<std::uint8_t> encode_compressed(const histogram& h);

// Decodes encode_v2's format. Returns nullopt and sets `error` when: fewer than 40 bytes, the cookie
// base is not V2 (V0/V1 encodings are not supported), the payload length disagrees with the bytes given,
// the layout is refused by histogram::layout_error(), a varint is truncated, counts (or zero runs) go past
// the layout's counts_length(), or the total count overflows 64 bits. Two header fields are ignored, as
// hdr-histogram-js ignores them: the normalizing index offset (an in-memory rotation of the writer's
// array; counts are encoded in logical order either way, and hdr-histogram-js writes 1 there) and the
// conversion ratio (only HdrHistogram's DoubleHistogram uses it; hdr-histogram-js writes the bits 0x1).
// The result's min/max/sum are those of histogram::add_at_index (bucket bounds and midpoints: the exact
// values are not in the format).
std::optional<histogram> decode_v2(std::span<const std::uint8_t> bytes, std::string& error);

// Decodes encode_compressed's format, with decode_v2's errors plus: a cookie base that is not V2
// compressed, a length that disagrees with the bytes given, and any zlib failure, including a stream
// that inflates to more than the 40 + payload length bytes its own header announces (a zlib bomb costs
// at most that announced size, itself bounded by 9 bytes per slot of a valid layout).
std::optional<histogram> decode_compressed(std::span<const std::uint8_t> bytes, std::string& error);

} // namespace rpslab::stats
