// gzip compression through libdeflate, for the bodies compressed once at start-up.
#pragma once

#include <string>
#include <string_view>

namespace rpslab::app {

// Returns `data` as a gzip member (RFC 1952) at libdeflate level `level` (1..12).
// Throws std::runtime_error if libdeflate cannot allocate its compressor.
std::string gzip_compress(std::string_view data, int level = 9);

} // namespace rpslab::app
