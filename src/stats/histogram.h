// The latency histogram: log-linear buckets with fixed relative precision, one flat array of counts laid
// out exactly like HdrHistogram's (so src/stats/hdr_encoding.h can write logs the HdrHistogram tools read).
// Not thread-safe, by design: each load-generator thread records into its own histograms, and they are
// merged once the threads are done (STYLE "Ownership": totals are merged at the end).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace rpslab::stats {

// Returns the rank (1-based position in sorted order) of the value at percentile `p` among `total`
// values, as HdrHistogram (Java and JS) computes it: max(1, ceil(p/100 × total − 1 ulp)), capped at
// `total`. The ulp removed keeps an exact product such as 99.9% of 1000 (999.0000000000001 in binary
// floating point) from rounding up to the next rank. `p` is clamped into [0, 100]; NaN counts as 0.
// Returns 0 when `total` is 0.
std::uint64_t percentile_rank(double p, std::uint64_t total);

class histogram {
public:
    // One non-empty bucket, as iterated by buckets(): every value in [lowest, highest] lands in it.
    struct bucket {
        std::size_t index;    // position in counts() (HdrHistogram's counts-array index)
        std::uint64_t lowest; // lowest equivalent value
        std::uint64_t highest;
        std::uint64_t count;
    };
    class bucket_iterator;
    struct bucket_range;

    // Values in [0, highest_trackable] are recorded with `significant_figures` decimal digits of relative
    // precision, and exactly below 2 × 10^figures × 2^floor(log2(lowest_discernible)). Throws
    // std::invalid_argument (message from layout_error()) for an impossible layout; allocates the whole
    // counts array here, so record() never allocates. Load generator: (1, 3'600'000'000, 3), in µs.
    histogram(std::uint64_t lowest_discernible, std::uint64_t highest_trackable, int significant_figures);

    // Why a layout is refused, or nullopt when it is valid: lowest_discernible >= 1, highest_trackable >=
    // 2 × lowest_discernible and <= INT64_MAX (the log format stores it signed), figures in [0, 5], and
    // floor(log2(lowest)) + ceil(log2(2 × 10^figures)) - 1 <= 61 (HdrHistogram's own limits).
    static std::optional<std::string> layout_error(std::uint64_t lowest_discernible, std::uint64_t highest_trackable,
                                                   int significant_figures);

    // The counts_length() of a histogram of this layout, without allocating one; the layout must be valid.
    // Decoders bound untrusted lengths with it.
    static std::size_t counts_length_for(std::uint64_t lowest_discernible, std::uint64_t highest_trackable,
                                         int significant_figures);

    // Adds `count` occurrences of `value` in O(1), without allocating or floating point (inline: it runs
    // once per request). A count of 0 changes nothing. A value above highest_trackable() is recorded as
    // highest_trackable() everywhere (counts, min, max, sum) and also counted in overflow_count(): never
    // a crash, never a silent drop.
    void record(std::uint64_t value) noexcept { record(value, 1); }
    void record(std::uint64_t value, std::uint64_t count) noexcept {
        if (count == 0) [[unlikely]] {
            return;
        }
        if (value > _highest_trackable) [[unlikely]] {
            value = _highest_trackable;
            _overflow_count += count;
        }
        _counts[index_of_unchecked(value)] += count;
        _total_count += count;
        _sum += static_cast<sum_type>(value) * count;
        _min = value < _min ? value : _min;
        _max = value > _max ? value : _max;
    }

    // Adds `count` to counts()[index] as if values of that bucket were recorded without knowing them:
    // min/max widen to the bucket's lowest/highest equivalent values and the sum grows by the bucket's
    // median equivalent value × count (what a decoded HdrHistogram knows). Returns false, changing
    // nothing, when index >= counts_length() or the total count would overflow 64 bits.
    bool add_at_index(std::size_t index, std::uint64_t count) noexcept;

    // Layout.
    std::uint64_t lowest_discernible() const { return _lowest_discernible; }
    std::uint64_t highest_trackable() const { return _highest_trackable; }
    int significant_figures() const { return _significant_figures; }
    std::size_t counts_length() const { return _counts.size(); }
    bool same_layout(const histogram& other) const;

    // Index math, identical to HdrHistogram's (countsArrayIndex, valueFromIndex, ...). A value above
    // highest_trackable() is taken as highest_trackable(), as record() does. value_at_index() needs
    // index < counts_length().
    std::size_t index_of(std::uint64_t value) const noexcept;
    std::uint64_t value_at_index(std::size_t index) const noexcept; // lowest equivalent value of the slot
    std::uint64_t lowest_equivalent_value(std::uint64_t value) const noexcept;
    std::uint64_t highest_equivalent_value(std::uint64_t value) const noexcept;
    std::uint64_t median_equivalent_value(std::uint64_t value) const noexcept;

    // Contents. min()/max() are the exact extremes recorded (0 when empty); mean() is the exact sum /
    // total_count() (0 when empty). Counts added by add_at_index() contribute their bucket bounds and
    // midpoints instead. stdev() is the population standard deviation around mean(), taking each value
    // at its bucket's median equivalent value, as HdrHistogram does: each value moves by at most half its
    // bucket's width (value / 2048 for 3 figures with lowest 1), and the stdev by at most that rms.
    std::uint64_t total_count() const { return _total_count; }
    std::uint64_t overflow_count() const { return _overflow_count; }
    std::uint64_t min() const { return _total_count == 0 ? 0 : _min; }
    std::uint64_t max() const { return _max; }
    double mean() const;
    double stdev() const;
    std::span<const std::uint64_t> counts() const { return _counts; }
    bucket_range buckets() const;

    // The value at percentile `p`: the highest equivalent value of the bucket holding the value of rank
    // percentile_rank(p, total_count()) (the lowest equivalent value when p == 0), exactly as HdrHistogram's
    // getValueAtPercentile, then clamped into [min(), max()], which we know exactly: so p100 == max(),
    // p0 == min(), and no percentile exceeds the max printed beside it. 0 when empty.
    std::uint64_t value_at_percentile(double p) const;
    // The same for each of `ps` (any order), in one pass over the counts; results in the order of `ps`.
    std::vector<std::uint64_t> value_at_percentiles(std::span<const double> ps) const;

    // Adds every count of `other` (and its overflow count, sum, min and max) to this one. Throws
    // std::invalid_argument naming both layouts when !same_layout(other): buckets of different layouts do
    // not line up, and re-bucketing would lose precision silently.
    void merge(const histogram& other);

    // Back to empty, keeping the layout and the allocation.
    void reset() noexcept;

private:
    // A 128-bit sum: 3.6e9 µs × 2^33 requests already overflows 64 bits.
    __extension__ typedef unsigned __int128 sum_type;

    std::size_t index_of_unchecked(std::uint64_t value) const noexcept {
        // The bucket is the position of the highest set bit above the sub-bucket range; OR-ing the mask in
        // keeps bucket 0 for small values and keeps countl_zero's argument non-zero.
        int pow2_ceiling = 64 - std::countl_zero(value | _sub_bucket_mask);
        int bucket_index = pow2_ceiling - _unit_magnitude - (_sub_bucket_half_count_magnitude + 1);
        auto sub_bucket = static_cast<std::size_t>(value >> (bucket_index + _unit_magnitude));
        return (static_cast<std::size_t>(bucket_index + 1) << _sub_bucket_half_count_magnitude) + sub_bucket -
               _sub_bucket_half_count;
    }
    std::uint64_t equivalent_range_at_index(std::size_t index) const noexcept;

    std::uint64_t _lowest_discernible;
    std::uint64_t _highest_trackable;
    int _significant_figures;
    int _unit_magnitude;                  // floor(log2(lowest_discernible))
    int _sub_bucket_half_count_magnitude; // log2(sub_bucket_count) - 1
    std::size_t _sub_bucket_half_count;
    std::uint64_t _sub_bucket_mask; // (sub_bucket_count - 1) << unit_magnitude
    std::vector<std::uint64_t> _counts;

    std::uint64_t _total_count = 0;
    std::uint64_t _overflow_count = 0;
    std::uint64_t _min = UINT64_MAX;
    std::uint64_t _max = 0;
    sum_type _sum = 0;
};

// Forward iteration over the non-empty buckets, lowest first. Valid while the histogram is alive and not
// reset (records may add buckets the iteration then sees or misses).
class histogram::bucket_iterator {
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = bucket;
    using difference_type = std::ptrdiff_t;
    using pointer = const bucket*;
    using reference = const bucket&;

    bucket_iterator() = default;
    bucket_iterator(const histogram* h, std::size_t index) : _h(h), _index(index) { settle(); }
    bucket operator*() const;
    bucket_iterator& operator++() {
        ++_index;
        settle();
        return *this;
    }
    bucket_iterator operator++(int) {
        bucket_iterator old = *this;
        ++*this;
        return old;
    }
    bool operator==(const bucket_iterator& other) const { return _index == other._index; }

private:
    void settle() {
        while (_h != nullptr && _index < _h->_counts.size() && _h->_counts[_index] == 0) {
            ++_index;
        }
    }
    const histogram* _h = nullptr;
    std::size_t _index = 0;
};

struct histogram::bucket_range {
    bucket_iterator first;
    bucket_iterator last;
    bucket_iterator begin() const { return first; }
    bucket_iterator end() const { return last; }
};

} // namespace rpslab::stats
