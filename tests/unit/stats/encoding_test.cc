// The V2 encoding against bytes worked out by hand from the format description, against lines written by
// an independent implementation (hdr-histogram-js 3.0.1), round trips, and hostile input.
#include "stats/base64.h"
#include "stats/hdr_encoding.h"
#include "unit/stats/samples.h"

#include <algorithm>
#include <cstring>
#include <gtest/gtest.h>
#include <vector>
#include <zlib.h>

using namespace rpslab::stats;
using namespace rpslab::stats::test_data;

namespace {

using bytes = std::vector<std::uint8_t>;

// The 40-byte header for the load generator's layout, field by field.
bytes load_header(std::uint32_t payload_bytes) {
    return {
        0x1c, 0x84, 0x93, 0x13,                                     // cookie: base 0x1c849303 | 0x10
        0,    0,    0,    static_cast<std::uint8_t>(payload_bytes), // payload length (small in these tests)
        0,    0,    0,    0,                                        // normalizing index offset
        0,    0,    0,    3,                                        // significant figures
        0,    0,    0,    0,
        0,    0,    0,    1, // lowest discernible value
        0,    0,    0,    0,
        0xd6, 0x93, 0xa4, 0x00, // highest trackable value: 3,600,000,000
        0x3f, 0xf0, 0,    0,
        0,    0,    0,    0, // 1.0 as an IEEE 754 double
    };
}

bytes concat(bytes a, const bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bytes zlib_compress(const bytes& plain) {
    uLongf size = compressBound(plain.size());
    bytes out(size);
    EXPECT_EQ(compress2(out.data(), &size, plain.data(), plain.size(), 6), Z_OK);
    out.resize(size);
    return out;
}

// The compressed wrapper around arbitrary bytes, with a correct or a chosen length field.
bytes wrap(const bytes& zlib_stream, std::uint32_t cookie = v2_compressed_encoding_cookie) {
    auto n = static_cast<std::uint32_t>(zlib_stream.size());
    bytes out = {static_cast<std::uint8_t>(cookie >> 24), static_cast<std::uint8_t>(cookie >> 16),
                 static_cast<std::uint8_t>(cookie >> 8),  static_cast<std::uint8_t>(cookie),
                 static_cast<std::uint8_t>(n >> 24),      static_cast<std::uint8_t>(n >> 16),
                 static_cast<std::uint8_t>(n >> 8),       static_cast<std::uint8_t>(n)};
    return concat(out, zlib_stream);
}

void expect_same_counts(const histogram& a, const histogram& b) {
    ASSERT_TRUE(a.same_layout(b));
    EXPECT_EQ(a.total_count(), b.total_count());
    EXPECT_TRUE(std::equal(a.counts().begin(), a.counts().end(), b.counts().begin(), b.counts().end()));
}

} // namespace

TEST(v2_encoding, matches_hand_derived_bytes) {
    // Values 1, 1, 1000, 3.6e9 land in slots 1 (count 2), 1000 and 23220 (bucket 21, sub-bucket 1716).
    // The counts up to slot 23220, as ZigZag LEB128 (zigzag(n) = 2n, zigzag(-n) = 2n - 1):
    //   slot 0: a single zero is written as the count 0    -> 00
    //   slot 1: 2                                         -> 04
    //   slots 2..999: a run of 998 zeros, -998 -> 1995     -> cb 0f   (1995 = 0x4b + 15 << 7)
    //   slot 1000: 1                                      -> 02
    //   slots 1001..23219: 22219 zeros, -> 44437           -> 95 db 02 (44437 = 0x15 + 0x5b << 7 + 2 << 14)
    //   slot 23220: 1                                     -> 02
    histogram h(1, hour_us, 3);
    for (std::uint64_t v : {1ull, 1ull, 1000ull, 3'600'000'000ull}) {
        h.record(v);
    }
    bytes expected = concat(load_header(9), {0x00, 0x04, 0xcb, 0x0f, 0x02, 0x95, 0xdb, 0x02, 0x02});
    EXPECT_EQ(encode_v2(h), expected);

    std::string error;
    auto decoded = decode_v2(expected, error);
    ASSERT_TRUE(decoded) << error;
    expect_same_counts(*decoded, h);
}

TEST(v2_encoding, empty_histogram_writes_slot_zero) {
    // HdrHistogram encodes counts up to the max's slot; with max 0 that is slot 0 alone (as the JS encoder).
    histogram h(1, hour_us, 3);
    EXPECT_EQ(encode_v2(h), concat(load_header(1), {0x00}));
}

TEST(v2_encoding, long_varints_and_multibyte_counts) {
    histogram h(1, hour_us, 3);
    h.record(0, std::uint64_t{1} << 62); // zigzag 2^63: eight 7-bit groups of 0, then a 9th byte of 8 bits
    h.record(1, 300);                    // zigzag 600 = 0x58 + 4 << 7
    bytes expected = concat(load_header(11), {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xd8, 0x04});
    EXPECT_EQ(encode_v2(h), expected);
    std::string error;
    auto decoded = decode_v2(expected, error);
    ASSERT_TRUE(decoded) << error;
    EXPECT_EQ(decoded->counts()[0], std::uint64_t{1} << 62);
    EXPECT_EQ(decoded->counts()[1], 300u);
}

TEST(v2_encoding, decodes_lines_written_by_hdr_histogram_js) {
    // hdr-histogram-js 3.0.1, encodeIntoCompressedBase64 of build({lowest 1, highest 3.6e9, 3 digits}) after
    // recordValue(1), (1), (1000), (3600000000). It writes a normalizing offset of 1 and ratio bits of 1.
    std::string error;
    auto raw = base64_decode("HISTFAAAACx4nJNpmSzMwMDAycDAwMjAwMDMAAEgNsO1yUsY4HyW0/xMU28zMQEAcxAFtw==", error);
    ASSERT_TRUE(raw) << error;
    auto h = decode_compressed(*raw, error);
    ASSERT_TRUE(h) << error;
    EXPECT_EQ(h->lowest_discernible(), 1u);
    EXPECT_EQ(h->highest_trackable(), hour_us);
    EXPECT_EQ(h->significant_figures(), 3);
    EXPECT_EQ(h->total_count(), 4u);
    EXPECT_EQ(h->counts()[1], 2u);
    EXPECT_EQ(h->counts()[1000], 1u);
    EXPECT_EQ(h->counts()[23220], 1u);

    // recordValueWithCount: (0, 3), (7, 1), (2048, 5), (2049, 2), (123456, 10), (99999999, 1). The JS
    // histogram answered totalCount 22, p50 2049 and p99 100007935 (the highest equivalent of 99999999).
    raw = base64_decode("HISTFAAAADF4nJNpmSzMwMDAy8DAwMjAwMDMAAEgNsO1yUsYYHw2bqb38nz9cSJXZzIyAQCNwQcI", error);
    ASSERT_TRUE(raw) << error;
    h = decode_compressed(*raw, error);
    ASSERT_TRUE(h) << error;
    EXPECT_EQ(h->total_count(), 22u);
    EXPECT_EQ(h->counts()[0], 3u);
    EXPECT_EQ(h->counts()[7], 1u);
    EXPECT_EQ(h->counts()[h->index_of(2048)], 7u);
    EXPECT_EQ(h->counts()[h->index_of(123456)], 10u);
    EXPECT_EQ(h->value_at_percentile(50), 2049u);
    EXPECT_EQ(h->value_at_percentile(99), 100'007'935u);
    EXPECT_EQ(h->max(), 100'007'935u); // a decoded max is its bucket's highest equivalent value
}

TEST(v2_encoding, compressed_round_trip_bucket_by_bucket) {
    for (distribution d :
         {distribution::uniform, distribution::exponential, distribution::bimodal, distribution::heavy_tailed}) {
        SCOPED_TRACE(name_of(d));
        histogram h(1, hour_us, 3);
        for (std::uint64_t v : make_samples(d, 50'000, 5)) {
            h.record(v);
        }
        bytes compressed = encode_compressed(h);
        EXPECT_EQ(compressed[3], 0x14); // cookie 0x1c849314
        EXPECT_EQ(base64_encode(compressed).substr(0, 8), "HISTFAAA");
        std::string error;
        auto decoded = decode_compressed(compressed, error);
        ASSERT_TRUE(decoded) << error;
        expect_same_counts(*decoded, h);
        auto plain = decode_v2(encode_v2(h), error);
        ASSERT_TRUE(plain) << error;
        expect_same_counts(*plain, h);
    }
}

TEST(v2_encoding, round_trip_other_layouts) {
    struct layout {
        std::uint64_t lowest, highest;
        int figures;
    };
    for (layout l : {layout{1000, hour_us * 1000, 3}, layout{1, 1000, 1}, layout{1, INT64_MAX, 5}}) {
        std::uint64_t lowest = l.lowest, highest = l.highest;
        histogram h(lowest, highest, l.figures);
        test_data::splitmix64 rng(lowest + highest);
        for (int i = 0; i < 2000; ++i) {
            h.record(rng.next() >> (rng.next() % 64), rng.below(1000) + 1);
        }
        h.record(highest, 3);
        std::string error;
        auto decoded = decode_compressed(encode_compressed(h), error);
        ASSERT_TRUE(decoded) << error;
        expect_same_counts(*decoded, h);
    }
}

TEST(v2_decoding, hostile_plain_encodings_are_precise_errors) {
    auto with_payload = [](bytes payload) {
        return concat(load_header(static_cast<std::uint32_t>(payload.size())), payload);
    };
    auto with_field = [&](std::size_t offset, bytes field) {
        bytes b = with_payload({0x02});
        std::copy(field.begin(), field.end(), b.begin() + static_cast<std::ptrdiff_t>(offset));
        return b;
    };
    const bytes nine_ff(9, 0xff); // zigzag of INT64_MIN: a zero run of 2^63
    bytes int64_max_count = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct row {
        const char* name;
        bytes input;
        const char* error;
    } rows[] = {
        {"short", bytes(39, 0), "needs 40 header bytes, got 39"},
        {"v1 cookie", with_field(0, {0x1c, 0x84, 0x93, 0x01}), "(V1, not supported)"},
        {"compressed cookie", with_field(0, {0x1c, 0x84, 0x93, 0x14}), "(V2 compressed)"},
        {"random cookie", with_field(0, {0xde, 0xad, 0xbe, 0xef}), "cookie 0xdeadbeef"},
        {"payload too long", with_field(4, {0, 0, 0, 2}), "payload length 2 but 1 bytes follow"},
        {"figures 6", with_field(12, {0, 0, 0, 6}), "bad layout: significant figures"},
        {"negative lowest", with_field(16, {0xff}), "negative lowest"},
        {"lowest 0", with_field(23, {0}), "bad layout: lowest"},
        {"highest < 2 lowest", with_field(16, {0, 0, 0, 0, 0xd6, 0x93, 0xa4, 0x00}), "bad layout: highest"},
        {"truncated varint", with_payload({0x02, 0x80}), "truncated varint"},
        // -23552 (zigzag 47103 = 0x7f + 0x6f << 7 + 2 << 14) reaches the end exactly; a count after it cannot fit.
        {"count past the end", with_payload({0xff, 0xef, 0x02, 0x02}), "count at index 23552 is past the end"},
        {"zero run past the end", with_payload({0xff, 0xff, 0x03}), "passes the end of the counts"},
        {"zero run of 2^63", with_payload(nine_ff), "passes the end"},
        {"total overflows", with_payload(concat(concat(int64_max_count, int64_max_count), int64_max_count)),
         "total count overflows"},
    };
    for (const row& r : rows) {
        SCOPED_TRACE(r.name);
        std::string error;
        EXPECT_FALSE(decode_v2(r.input, error));
        EXPECT_NE(error.find(r.error), std::string::npos) << error;
    }
}

TEST(v2_decoding, hostile_compressed_encodings_are_precise_errors) {
    histogram h(1, hour_us, 3);
    h.record(1000);
    bytes plain = encode_v2(h);
    bytes stream = zlib_compress(plain);
    bytes truncated_stream(stream.begin(), stream.end() - 3);
    bytes header_only(plain.begin(), plain.begin() + 20);
    bytes bomb_header = load_header(0);
    bomb_header[4] = 0x7f; // claims a payload of about 2 GB
    struct row {
        const char* name;
        bytes input;
        const char* error;
    } rows[] = {
        {"short", bytes(7, 0), "needs 8 header bytes"},
        {"plain cookie", wrap(stream, v2_encoding_cookie), "(V2, not compressed)"},
        {"length mismatch", concat(wrap(stream), {0}), "bytes follow"},
        {"not zlib", wrap(bytes(30, 0x55)), "zlib: "},
        {"truncated stream", wrap(truncated_stream), "zlib stream is truncated"},
        {"junk after the stream", wrap(concat(stream, {1, 2, 3})), "3 bytes follow the end of the zlib stream"},
        {"inflates past the payload", wrap(zlib_compress(concat(plain, {0}))), "inflates to more than the"},
        {"ends inside the header", wrap(zlib_compress(header_only)), "inside the 40-byte V2 header"},
        {"payload bomb", wrap(zlib_compress(bomb_header)), "exceeds 9 bytes for each of the 23552 counts"},
        {"the valid original", wrap(stream), ""},
    };
    for (const row& r : rows) {
        SCOPED_TRACE(r.name);
        std::string error;
        bool ok = decode_compressed(r.input, error).has_value();
        if (r.error[0] == '\0') {
            EXPECT_TRUE(ok) << error;
            continue;
        }
        EXPECT_FALSE(ok);
        EXPECT_NE(error.find(r.error), std::string::npos) << error;
    }
}

TEST(v2_decoding, mutated_encodings_never_crash) {
    // Every single-byte corruption and every truncation of a real encoding is either decoded or refused with
    // a message; under ASan/UBSan this also proves no read past a buffer and no overflow.
    histogram h(1, hour_us, 3);
    for (std::uint64_t v : make_samples(distribution::bimodal, 2000, 3)) {
        h.record(v);
    }
    for (const bytes& original : {encode_v2(h), encode_compressed(h)}) {
        bool compressed = original[3] == 0x14;
        auto decode = [&](const bytes& b, std::string& error) {
            return compressed ? decode_compressed(b, error) : decode_v2(b, error);
        };
        splitmix64 rng(11);
        for (int i = 0; i < 3000; ++i) {
            bytes b = original;
            b[rng.below(b.size())] ^= static_cast<std::uint8_t>(1 + rng.below(255));
            std::string error;
            if (!decode(b, error)) {
                EXPECT_FALSE(error.empty());
            }
        }
        for (std::size_t n = 0; n < original.size(); ++n) {
            std::string error;
            EXPECT_FALSE(decode(bytes(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(n)), error));
        }
    }
}

TEST(base64, known_vectors_from_rfc_4648) {
    const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                           {"f", "Zg=="},
                                                           {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},
                                                           {"foob", "Zm9vYg=="},
                                                           {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        bytes b(plain.begin(), plain.end());
        EXPECT_EQ(base64_encode(b), encoded);
        std::string error;
        auto decoded = base64_decode(encoded, error);
        ASSERT_TRUE(decoded) << error;
        EXPECT_EQ(*decoded, b);
    }
    EXPECT_EQ(base64_encode(bytes{0xfb, 0xff}), "+/8=");
}

TEST(base64, strict_decoding) {
    const std::pair<const char*, const char*> rows[] = {
        {"Zg=", "not a multiple of 4"},
        {"Zm 9", "invalid character at offset 2"},
        {"Z===", "invalid character"},
        {"Zg==Zg==", "offset 2"},
        {"Zm9\n", "offset 3"},
        {"Zm9v\xff"
         "A==",
         "offset 4"},
    };
    for (const auto& [text, message] : rows) {
        SCOPED_TRACE(text);
        std::string error;
        EXPECT_FALSE(base64_decode(text, error));
        EXPECT_NE(error.find(message), std::string::npos) << error;
    }
}
