#include "stats/hdr_encoding.h"

#include <bit>
#include <stdexcept>
#include <zlib.h>

namespace rpslab::stats {

namespace {

constexpr std::uint32_t cookie_base_mask = ~std::uint32_t{0xf0};
constexpr std::uint32_t v2_cookie_base = 0x1c849303;
constexpr std::uint32_t v2_compressed_cookie_base = 0x1c849304;
constexpr std::size_t max_varint_bytes = 9;

void put_be(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
}

std::uint64_t get_be(const std::uint8_t* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
        v = (v << 8) | p[i];
    }
    return v;
}

// ZigZag maps small magnitudes of either sign to small unsigned numbers; LEB128 then stores 7 bits a byte,
// low bits first, except that a 9th byte stores 8 bits, so 9 bytes hold any 64-bit value.
void put_varint(std::vector<std::uint8_t>& out, std::int64_t v) {
    auto z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    for (std::size_t i = 0; i + 1 < max_varint_bytes; ++i) {
        if (z < 0x80) {
            out.push_back(static_cast<std::uint8_t>(z));
            return;
        }
        out.push_back(static_cast<std::uint8_t>((z & 0x7f) | 0x80));
        z >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(z));
}

// Reads one varint from [*p, end); false if it is cut off by `end`.
bool get_varint(const std::uint8_t*& p, const std::uint8_t* end, std::int64_t& v) {
    std::uint64_t z = 0;
    for (std::size_t i = 0; i < max_varint_bytes; ++i) {
        if (p == end) {
            return false;
        }
        std::uint8_t byte = *p++;
        if (i + 1 == max_varint_bytes) {
            z |= static_cast<std::uint64_t>(byte) << 56;
            break;
        }
        z |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0) {
            break;
        }
    }
    v = static_cast<std::int64_t>((z >> 1) ^ (0 - (z & 1)));
    return true;
}

std::string hex32(std::uint32_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4) {
        s += digits[(v >> shift) & 0xf];
    }
    return s;
}

std::string cookie_error(std::uint32_t cookie, std::uint32_t expected_base) {
    std::uint32_t base = cookie & cookie_base_mask;
    const char* what = base == v2_cookie_base                     ? " (V2, not compressed)"
                       : base == v2_compressed_cookie_base        ? " (V2 compressed)"
                       : base == 0x1c849301                       ? " (V1, not supported)"
                       : base == 0x1c849302                       ? " (V1 compressed, not supported)"
                       : base == 0x1c849308 || base == 0x1c849309 ? " (V0, not supported)"
                                                                  : "";
    return "cookie " + hex32(cookie) + what + ", expected base " + hex32(expected_base);
}

struct v2_header {
    std::uint32_t payload_bytes;
    int figures;
    std::uint64_t lowest;
    std::uint64_t highest;
};

// Checks the 40-byte V2 header at `p`; the layout it names is valid when this returns true.
bool parse_header(const std::uint8_t* p, v2_header& h, std::string& error) {
    auto cookie = static_cast<std::uint32_t>(get_be(p, 4));
    if ((cookie & cookie_base_mask) != v2_cookie_base) {
        error = cookie_error(cookie, v2_cookie_base);
        return false;
    }
    h.payload_bytes = static_cast<std::uint32_t>(get_be(p + 4, 4));
    // Bytes 8..11, the normalizing index offset, are ignored: it describes how the writer stored its array
    // in memory, while the counts are always encoded in logical order (hdr-histogram-js writes 1 there).
    h.figures = static_cast<std::int32_t>(get_be(p + 12, 4));
    auto lowest = static_cast<std::int64_t>(get_be(p + 16, 8));
    auto highest = static_cast<std::int64_t>(get_be(p + 24, 8));
    if (lowest < 0 || highest < 0) {
        error = "negative lowest (" + std::to_string(lowest) + ") or highest (" + std::to_string(highest) + ")";
        return false;
    }
    h.lowest = static_cast<std::uint64_t>(lowest);
    h.highest = static_cast<std::uint64_t>(highest);
    if (auto layout = histogram::layout_error(h.lowest, h.highest, h.figures)) {
        error = "bad layout: " + *layout;
        return false;
    }
    return true;
}

// Inflates into out[done, out.size()), advancing `done`; stops early (setting `ended`) at the stream's
// end. Returns false with `error` set on a corrupt or truncated stream.
bool inflate_into(z_stream& zs, std::vector<std::uint8_t>& out, std::size_t& done, bool& ended, std::string& error) {
    while (done < out.size() && !ended) {
        zs.next_out = out.data() + done;
        zs.avail_out = static_cast<uInt>(out.size() - done);
        int ret = inflate(&zs, Z_NO_FLUSH);
        done = out.size() - zs.avail_out;
        if (ret == Z_STREAM_END) {
            ended = true;
        } else if (ret == Z_BUF_ERROR && zs.avail_in == 0) {
            error = "zlib stream is truncated";
            return false;
        } else if (ret != Z_OK) {
            error =
                std::string("zlib: ") + (zs.msg != nullptr ? zs.msg : "inflate failed, code " + std::to_string(ret));
            return false;
        }
    }
    return true;
}

} // namespace

std::vector<std::uint8_t> encode_v2(const histogram& h) {
    std::vector<std::uint8_t> out;
    out.reserve(v2_header_bytes + 64);
    put_be(out, v2_encoding_cookie, 4);
    put_be(out, 0, 4); // payload length, patched below
    put_be(out, 0, 4); // normalizing index offset: we never shift
    put_be(out, static_cast<std::uint32_t>(h.significant_figures()), 4);
    put_be(out, h.lowest_discernible(), 8);
    put_be(out, h.highest_trackable(), 8);
    put_be(out, std::bit_cast<std::uint64_t>(1.0), 8);

    // Up to the max's slot, as HdrHistogram does (an empty histogram writes the single zero of slot 0).
    std::span<const std::uint64_t> counts = h.counts();
    std::size_t limit = h.index_of(h.max()) + 1;
    for (std::size_t i = 0; i < limit;) {
        std::uint64_t count = counts[i++];
        std::int64_t zeros = 0;
        while (count == 0 && i < limit && counts[i] == 0) {
            ++zeros;
            ++i;
        }
        // Counts are written as signed 64-bit; a count past 2^63 cannot come from real recording.
        put_varint(out, zeros > 0 ? -(zeros + 1) : static_cast<std::int64_t>(count));
    }
    auto payload = static_cast<std::uint32_t>(out.size() - v2_header_bytes);
    for (int i = 0; i < 4; ++i) {
        out[4 + i] = static_cast<std::uint8_t>(payload >> (24 - 8 * i));
    }
    return out;
}

std::vector<std::uint8_t> encode_compressed(const histogram& h) {
    std::vector<std::uint8_t> plain = encode_v2(h);
    uLongf compressed_bytes = compressBound(plain.size());
    std::vector<std::uint8_t> out(8 + compressed_bytes);
    int ret = compress2(out.data() + 8, &compressed_bytes, plain.data(), plain.size(), Z_DEFAULT_COMPRESSION);
    if (ret != Z_OK) {
        throw std::runtime_error("encode_compressed: zlib compress2 failed, code " + std::to_string(ret));
    }
    out.resize(8 + compressed_bytes);
    for (int i = 0; i < 4; ++i) {
        out[i] = static_cast<std::uint8_t>(v2_compressed_encoding_cookie >> (24 - 8 * i));
        out[4 + i] = static_cast<std::uint8_t>(compressed_bytes >> (24 - 8 * i));
    }
    return out;
}

std::optional<histogram> decode_v2(std::span<const std::uint8_t> bytes, std::string& error) {
    if (bytes.size() < v2_header_bytes) {
        error = "V2 encoding needs 40 header bytes, got " + std::to_string(bytes.size());
        return std::nullopt;
    }
    v2_header header{};
    if (!parse_header(bytes.data(), header, error)) {
        return std::nullopt;
    }
    if (header.payload_bytes != bytes.size() - v2_header_bytes) {
        error = "payload length " + std::to_string(header.payload_bytes) + " but " +
                std::to_string(bytes.size() - v2_header_bytes) + " bytes follow the header";
        return std::nullopt;
    }
    histogram h(header.lowest, header.highest, header.figures);
    const std::uint8_t* p = bytes.data() + v2_header_bytes;
    const std::uint8_t* end = bytes.data() + bytes.size();
    std::size_t index = 0;
    while (p != end) {
        std::int64_t v = 0;
        if (!get_varint(p, end, v)) {
            error = "truncated varint at the end of the payload";
            return std::nullopt;
        }
        if (v < 0) {
            std::uint64_t zeros = 0 - static_cast<std::uint64_t>(v);
            if (zeros > h.counts_length() - index) {
                error = "zero run of " + std::to_string(zeros) + " at index " + std::to_string(index) +
                        " passes the end of the counts (length " + std::to_string(h.counts_length()) + ")";
                return std::nullopt;
            }
            index += zeros;
            continue;
        }
        if (index >= h.counts_length()) {
            error = "count at index " + std::to_string(index) + " is past the end of the counts (length " +
                    std::to_string(h.counts_length()) + ")";
            return std::nullopt;
        }
        if (!h.add_at_index(index, static_cast<std::uint64_t>(v))) {
            error = "total count overflows 64 bits at index " + std::to_string(index);
            return std::nullopt;
        }
        ++index;
    }
    return h;
}

std::optional<histogram> decode_compressed(std::span<const std::uint8_t> bytes, std::string& error) {
    if (bytes.size() < 8) {
        error = "compressed encoding needs 8 header bytes, got " + std::to_string(bytes.size());
        return std::nullopt;
    }
    auto cookie = static_cast<std::uint32_t>(get_be(bytes.data(), 4));
    if ((cookie & cookie_base_mask) != v2_compressed_cookie_base) {
        error = cookie_error(cookie, v2_compressed_cookie_base);
        return std::nullopt;
    }
    std::uint64_t compressed_bytes = get_be(bytes.data() + 4, 4);
    if (compressed_bytes != bytes.size() - 8) {
        error = "compressed length " + std::to_string(compressed_bytes) + " but " + std::to_string(bytes.size() - 8) +
                " bytes follow";
        return std::nullopt;
    }

    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) {
        error = "zlib: inflateInit failed";
        return std::nullopt;
    }
    struct end_guard {
        z_stream* zs;
        ~end_guard() { inflateEnd(zs); }
    } guard{&zs};
    zs.next_in = const_cast<Bytef*>(bytes.data() + 8); // zlib's API is not const-correct; it only reads
    zs.avail_in = static_cast<uInt>(compressed_bytes);

    // Inflate the header first: its layout bounds how much more we accept.
    std::vector<std::uint8_t> plain(v2_header_bytes);
    std::size_t done = 0;
    bool ended = false;
    if (!inflate_into(zs, plain, done, ended, error)) {
        return std::nullopt;
    }
    if (done < v2_header_bytes) {
        error = "zlib stream ends after " + std::to_string(done) + " bytes, inside the 40-byte V2 header";
        return std::nullopt;
    }
    v2_header header{};
    if (!parse_header(plain.data(), header, error)) {
        return std::nullopt;
    }
    std::size_t slots = histogram::counts_length_for(header.lowest, header.highest, header.figures);
    if (header.payload_bytes > slots * max_varint_bytes) {
        error = "payload length " + std::to_string(header.payload_bytes) + " exceeds 9 bytes for each of the " +
                std::to_string(slots) + " counts of the layout";
        return std::nullopt;
    }
    plain.resize(v2_header_bytes + header.payload_bytes);
    if (!inflate_into(zs, plain, done, ended, error)) {
        return std::nullopt;
    }
    if (done < plain.size()) {
        error = "zlib stream ends after " + std::to_string(done) + " bytes, the header announced " +
                std::to_string(plain.size());
        return std::nullopt;
    }
    if (!ended) {
        // Everything announced is here; the stream must end now, without a byte more.
        std::vector<std::uint8_t> extra(1);
        std::size_t extra_done = 0;
        if (!inflate_into(zs, extra, extra_done, ended, error)) {
            return std::nullopt;
        }
        if (extra_done != 0 || !ended) {
            error = "zlib stream inflates to more than the " + std::to_string(plain.size()) + " bytes announced";
            return std::nullopt;
        }
    }
    if (zs.avail_in != 0) {
        error = std::to_string(zs.avail_in) + " bytes follow the end of the zlib stream";
        return std::nullopt;
    }
    return decode_v2(plain, error);
}

} // namespace rpslab::stats
