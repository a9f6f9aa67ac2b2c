// The words the generated workload data is made of: category and region names shared by
// the product pool and the orders table, the catalogue vocabulary, and a seeded lexicon
// of English-like invented words. Everything is ASCII and needs no JSON escaping.
#pragma once

#include "app/prng.h"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::app::vocabulary {

// The 12 categories and 8 regions, sorted by name and matching [a-z_]+: index order is
// name order, which /compute relies on for its output order and its ties.
std::span<const std::string_view> categories();
std::span<const std::string_view> regions();

// A few hundred ordinary catalogue words (lower case).
std::span<const std::string_view> common_words();

// Parts of product names, tags and attribute values.
std::span<const std::string_view> name_adjectives(); // capitalized
std::span<const std::string_view> name_nouns();      // capitalized
std::span<const std::string_view> tags();
std::span<const std::string_view> colors();
std::span<const std::string_view> materials();
std::span<const std::string_view> finishes();
std::span<const std::string_view> countries();
std::span<const std::string_view> care_notes();
std::span<const std::string_view> styles();

// An English-like invented word ("drontasot", "quastilo") built from syllables. Text
// drawn from a few hundred real words only repeats itself so much across 100 products
// that the /list body compresses 3.1x; mixing in a few thousand invented words (names,
// terms) brings it to about 2.5x while a single product stays near 2x.
std::string invented_word(prng& rng);

// Picks one element uniformly.
inline std::string_view pick(prng& rng, std::span<const std::string_view> words) {
    return words[rng.below(words.size())];
}

} // namespace rpslab::app::vocabulary
