#include "stats/histogram.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace rpslab::stats {

namespace {

// The layout derived from the three parameters, computed as HdrHistogram does but in integers: its
// floating-point log2 agrees wherever the result is not an exact power of two, and 2 × 10^figures never is.
struct layout {
    int unit_magnitude;
    int sub_bucket_half_count_magnitude;
    std::size_t counts_length;
};

int floor_log2(std::uint64_t v) {
    return 63 - std::countl_zero(v);
}

int ceil_log2(std::uint64_t v) {
    return v <= 1 ? 0 : 64 - std::countl_zero(v - 1);
}

// log2(sub_bucket_count) - 1, where sub_bucket_count is the power of two at or above 2 × 10^figures: the
// largest value a bucket resolves to single units (2 × 10^figures) then has `figures` digits of precision.
int half_count_magnitude(int figures) {
    std::uint64_t single_unit_resolution = 2;
    for (int i = 0; i < figures; ++i) {
        single_unit_resolution *= 10;
    }
    return std::max(ceil_log2(single_unit_resolution), 1) - 1;
}

layout compute_layout(std::uint64_t lowest, std::uint64_t highest, int figures) {
    int half_magnitude = half_count_magnitude(figures);
    int unit_magnitude = floor_log2(lowest);
    std::uint64_t sub_bucket_count = std::uint64_t{1} << (half_magnitude + 1);

    // HdrHistogram's buckets_needed_to_cover_value: one more bucket per doubling until `highest` fits.
    std::uint64_t smallest_untrackable = sub_bucket_count << unit_magnitude;
    std::size_t bucket_count = 1;
    while (smallest_untrackable <= highest) {
        if (smallest_untrackable > static_cast<std::uint64_t>(INT64_MAX) / 2) {
            ++bucket_count;
            break;
        }
        smallest_untrackable <<= 1;
        ++bucket_count;
    }
    return {unit_magnitude, half_magnitude, (bucket_count + 1) * static_cast<std::size_t>(sub_bucket_count / 2)};
}

} // namespace

std::uint64_t percentile_rank(double p, std::uint64_t total) {
    if (total == 0) {
        return 0;
    }
    if (p >= 100.0) {
        return total; // exactly, even where doubles cannot represent `total`
    }
    p = std::isnan(p) ? 0.0 : std::max(p, 0.0);
    double fractional = p / 100.0 * static_cast<double>(total);
    double adjusted = fractional - (std::nextafter(fractional, INFINITY) - fractional);
    double rank = std::ceil(adjusted);
    if (rank >= static_cast<double>(total)) {
        return total;
    }
    return rank < 1.0 ? 1 : static_cast<std::uint64_t>(rank);
}

std::optional<std::string> histogram::layout_error(std::uint64_t lowest, std::uint64_t highest, int figures) {
    if (figures < 0 || figures > 5) {
        return "significant figures must be in [0, 5], got " + std::to_string(figures);
    }
    if (lowest < 1) {
        return std::string("lowest discernible value must be >= 1");
    }
    if (highest > static_cast<std::uint64_t>(INT64_MAX) || highest / 2 < lowest) {
        return "highest trackable value must be in [2 x lowest, 2^63 - 1], got " + std::to_string(highest) +
               " with lowest " + std::to_string(lowest);
    }
    // The top sub-bucket of the top bucket must stay inside 63 bits.
    if (floor_log2(lowest) + half_count_magnitude(figures) > 61) {
        return "lowest discernible value " + std::to_string(lowest) + " is too large for " + std::to_string(figures) +
               " significant figures";
    }
    return std::nullopt;
}

histogram::histogram(std::uint64_t lowest_discernible, std::uint64_t highest_trackable, int significant_figures)
    : _lowest_discernible(lowest_discernible), _highest_trackable(highest_trackable),
      _significant_figures(significant_figures) {
    if (auto error = layout_error(lowest_discernible, highest_trackable, significant_figures)) {
        throw std::invalid_argument("histogram: " + *error);
    }
    layout l = compute_layout(lowest_discernible, highest_trackable, significant_figures);
    _unit_magnitude = l.unit_magnitude;
    _sub_bucket_half_count_magnitude = l.sub_bucket_half_count_magnitude;
    _sub_bucket_half_count = std::size_t{1} << _sub_bucket_half_count_magnitude;
    _sub_bucket_mask = ((std::uint64_t{1} << (_sub_bucket_half_count_magnitude + 1)) - 1) << _unit_magnitude;
    _counts.assign(l.counts_length, 0);
}

std::size_t histogram::counts_length_for(std::uint64_t lowest, std::uint64_t highest, int figures) {
    return compute_layout(lowest, highest, figures).counts_length;
}

bool histogram::same_layout(const histogram& other) const {
    return _lowest_discernible == other._lowest_discernible && _highest_trackable == other._highest_trackable &&
           _significant_figures == other._significant_figures;
}

std::size_t histogram::index_of(std::uint64_t value) const noexcept {
    return index_of_unchecked(std::min(value, _highest_trackable));
}

std::uint64_t histogram::value_at_index(std::size_t index) const noexcept {
    // Slots below sub_bucket_half_count are bucket 0's lower half; every other bucket stores only its upper
    // half, because its lower half is the whole of the bucket below at half the resolution.
    auto bucket_index = static_cast<int>(index >> _sub_bucket_half_count_magnitude) - 1;
    std::uint64_t sub_bucket = (index & (_sub_bucket_half_count - 1)) + _sub_bucket_half_count;
    if (bucket_index < 0) {
        sub_bucket -= _sub_bucket_half_count;
        bucket_index = 0;
    }
    return sub_bucket << (bucket_index + _unit_magnitude);
}

std::uint64_t histogram::equivalent_range_at_index(std::size_t index) const noexcept {
    auto bucket_index = std::max(static_cast<int>(index >> _sub_bucket_half_count_magnitude) - 1, 0);
    return std::uint64_t{1} << (bucket_index + _unit_magnitude);
}

std::uint64_t histogram::lowest_equivalent_value(std::uint64_t value) const noexcept {
    return value_at_index(index_of(value));
}

std::uint64_t histogram::highest_equivalent_value(std::uint64_t value) const noexcept {
    std::size_t index = index_of(value);
    return value_at_index(index) + (equivalent_range_at_index(index) - 1);
}

std::uint64_t histogram::median_equivalent_value(std::uint64_t value) const noexcept {
    std::size_t index = index_of(value);
    return value_at_index(index) + equivalent_range_at_index(index) / 2;
}

bool histogram::add_at_index(std::size_t index, std::uint64_t count) noexcept {
    if (index >= _counts.size() || _total_count + count < _total_count) {
        return false;
    }
    if (count == 0) {
        return true;
    }
    std::uint64_t lowest = value_at_index(index);
    std::uint64_t range = equivalent_range_at_index(index);
    _counts[index] += count;
    _total_count += count;
    _sum += static_cast<sum_type>(lowest + range / 2) * count;
    _min = std::min(_min, lowest);
    _max = std::max(_max, lowest + (range - 1));
    return true;
}

double histogram::mean() const {
    return _total_count == 0 ? 0.0 : static_cast<double>(_sum) / static_cast<double>(_total_count);
}

double histogram::stdev() const {
    if (_total_count == 0) {
        return 0.0;
    }
    double mean_value = mean();
    double squares = 0.0;
    for (bucket b : buckets()) {
        double deviation = static_cast<double>(b.lowest + (b.highest - b.lowest + 1) / 2) - mean_value;
        squares += deviation * deviation * static_cast<double>(b.count);
    }
    return std::sqrt(squares / static_cast<double>(_total_count));
}

histogram::bucket_range histogram::buckets() const {
    return {bucket_iterator(this, 0), bucket_iterator(this, _counts.size())};
}

histogram::bucket histogram::bucket_iterator::operator*() const {
    std::uint64_t lowest = _h->value_at_index(_index);
    return {_index, lowest, lowest + (_h->equivalent_range_at_index(_index) - 1), _h->_counts[_index]};
}

std::uint64_t histogram::value_at_percentile(double p) const {
    double ps[1] = {p};
    return value_at_percentiles(ps)[0];
}

std::vector<std::uint64_t> histogram::value_at_percentiles(std::span<const double> ps) const {
    std::vector<std::uint64_t> values(ps.size(), 0);
    if (_total_count == 0) {
        return values;
    }
    // Visit the requests in rank order so one walk over the counts answers all of them.
    std::vector<std::size_t> order(ps.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::vector<std::uint64_t> ranks(ps.size());
    for (std::size_t i = 0; i < ps.size(); ++i) {
        ranks[i] = percentile_rank(ps[i], _total_count);
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ranks[a] < ranks[b]; });

    std::uint64_t cumulative = 0;
    std::size_t index = 0;
    for (std::size_t i : order) {
        // The size bound only matters if merged counts wrapped around 2^64 (hostile decoded input).
        while (cumulative < ranks[i] && index < _counts.size()) {
            cumulative += _counts[index++];
        }
        std::size_t slot = index == 0 ? 0 : index - 1;
        std::uint64_t lowest = value_at_index(slot);
        std::uint64_t value = !(ps[i] > 0.0) ? lowest : lowest + (equivalent_range_at_index(slot) - 1);
        values[i] = std::clamp(value, min(), _max);
    }
    return values;
}

void histogram::merge(const histogram& other) {
    if (!same_layout(other)) {
        auto describe = [](const histogram& h) {
            return "(lowest " + std::to_string(h._lowest_discernible) + ", highest " +
                   std::to_string(h._highest_trackable) + ", figures " + std::to_string(h._significant_figures) + ")";
        };
        throw std::invalid_argument("histogram::merge: layouts differ: " + describe(*this) + " vs " + describe(other));
    }
    if (other._total_count == 0) {
        return;
    }
    for (std::size_t i = 0; i < _counts.size(); ++i) {
        _counts[i] += other._counts[i];
    }
    _total_count += other._total_count;
    _overflow_count += other._overflow_count;
    _sum += other._sum;
    _min = std::min(_min, other._min);
    _max = std::max(_max, other._max);
}

void histogram::reset() noexcept {
    std::fill(_counts.begin(), _counts.end(), 0);
    _total_count = 0;
    _overflow_count = 0;
    _min = UINT64_MAX;
    _max = 0;
    _sum = 0;
}

} // namespace rpslab::stats
