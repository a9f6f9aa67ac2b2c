#include "app/gzip.h"

#include <libdeflate.h>
#include <memory>
#include <stdexcept>

namespace rpslab::app {

std::string gzip_compress(std::string_view data, int level) {
    std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> c(libdeflate_alloc_compressor(level),
                                                                                    &libdeflate_free_compressor);
    if (!c) {
        throw std::runtime_error("libdeflate_alloc_compressor failed");
    }
    std::string out(libdeflate_gzip_compress_bound(c.get(), data.size()), '\0');
    std::size_t n = libdeflate_gzip_compress(c.get(), data.data(), data.size(), out.data(), out.size());
    if (n == 0) {
        throw std::runtime_error("libdeflate_gzip_compress: output buffer too small");
    }
    out.resize(n);
    return out;
}

} // namespace rpslab::app
