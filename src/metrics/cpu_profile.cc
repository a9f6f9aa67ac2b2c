#include "metrics/cpu_profile.h"

#include <cstring>

namespace rpslab::metrics {

namespace {

using word = std::uint64_t;
constexpr std::size_t word_bytes = sizeof(word);
static_assert(sizeof(void*) == word_bytes, "the profiler writes pointer-sized words");

class word_reader {
public:
    explicit word_reader(std::string_view bytes) : _bytes(bytes) {}
    bool next(word& w) {
        if (_bytes.size() - _at < word_bytes) {
            return false;
        }
        std::memcpy(&w, _bytes.data() + _at, word_bytes);
        _at += word_bytes;
        return true;
    }
    std::size_t offset() const { return _at; }

private:
    std::string_view _bytes;
    std::size_t _at = 0;
};

void append_words(std::string& out, std::initializer_list<word> words) {
    for (word w : words) {
        out.append(reinterpret_cast<const char*>(&w), word_bytes);
    }
}

// Reads records up to and including the trailer; false when the bytes end first.
bool read_records(word_reader& r, cpu_profile_view& out, std::string& error) {
    for (;;) {
        word count = 0, depth = 0;
        if (!r.next(count) || !r.next(depth)) {
            error = "the profile ends inside its sample records (no trailer: was the profiler stopped?)";
            return false;
        }
        if (count == 0 && depth == 1) {
            word zero = 1;
            if (!r.next(zero) || zero != 0) {
                error = "malformed trailer";
                return false;
            }
            return true;
        }
        for (word i = 0, pc = 0; i < depth; ++i) {
            if (!r.next(pc)) {
                error = "the profile ends inside a sample's stack";
                return false;
            }
        }
        out.samples += count;
    }
}

} // namespace

bool parse_cpu_profile(std::string_view bytes, cpu_profile_view& out, std::string& error) {
    out = {};
    word_reader r(bytes);
    word h[5] = {};
    for (word& w : h) {
        if (!r.next(w)) {
            error = "shorter than the profile header";
            return false;
        }
    }
    if (h[0] != 0 || h[1] != 3 || h[2] != 0 || h[3] == 0) {
        error = "not a gperftools CPU profile (bad header)";
        return false;
    }
    out.period_us = h[3];
    const std::size_t records_start = r.offset();
    if (!read_records(r, out, error)) {
        return false;
    }
    const std::size_t trailer_bytes = 3 * word_bytes;
    out.records = bytes.substr(records_start, r.offset() - trailer_bytes - records_start);
    out.maps = bytes.substr(r.offset());
    return true;
}

bool merge_cpu_profiles(const std::vector<std::string>& profiles, std::string& out, std::string& error) {
    std::vector<cpu_profile_view> views(profiles.size());
    std::string_view maps;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        if (!parse_cpu_profile(profiles[i], views[i], error)) {
            error = "profile " + std::to_string(i) + ": " + error;
            return false;
        }
        if (views[i].period_us != views[0].period_us) {
            error = "the profiles were sampled at different periods";
            return false;
        }
        if (maps.empty()) {
            maps = views[i].maps;
        }
    }
    if (views.empty()) {
        error = "no profile to merge";
        return false;
    }
    out.clear();
    append_words(out, {0, 3, 0, views[0].period_us, 0});
    for (const cpu_profile_view& v : views) {
        out.append(v.records);
    }
    append_words(out, {0, 1, 0});
    out.append(maps);
    return true;
}

} // namespace rpslab::metrics
