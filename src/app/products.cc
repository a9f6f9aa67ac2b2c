#include "app/products.h"

#include "app/gzip.h"
#include "app/json_text.h"
#include "app/prng.h"
#include "app/vocabulary.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace rpslab::app {
namespace {

namespace voc = vocabulary;

// DESIGN.md "Products": every serialized object lands in this range.
constexpr std::size_t min_product_bytes = 4400;
constexpr std::size_t max_product_bytes = 4600;

// Invented words shared by all products, drawn as often as the common words. Measured
// with libdeflate level 9 (seeds 42 and 1): a product compresses 1.78-1.85x and the /list
// body 2.45x; with the common words alone products give 2.1x but the list 3.1x.
constexpr std::size_t lexicon_size = 5000;

// Level 9: compressed once at start-up, so the ratio matters more than the time.
constexpr int gzip_level = 9;

// Attribute keys; a value comes from the word list, or is a measurement when there is none.
struct attribute_kind {
    std::string_view key;
    std::span<const std::string_view> (*words)();
};
constexpr std::array<attribute_kind, 12> attribute_kinds = {{
    {"color", voc::colors},
    {"material", voc::materials},
    {"finish", voc::finishes},
    {"origin", voc::countries},
    {"warranty", nullptr},
    {"weight", nullptr},
    {"dimensions", nullptr},
    {"model", nullptr},
    {"power", nullptr},
    {"capacity", nullptr},
    {"care", voc::care_notes},
    {"style", voc::styles},
}};
constexpr std::size_t attribute_count = 8;

// `take` distinct indexes of [0, n), in random order (a partial Fisher-Yates shuffle).
std::vector<std::size_t> pick_distinct(prng& rng, std::size_t n, std::size_t take) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = 0; i < take; ++i) {
        std::swap(order[i], order[i + rng.below(n - i)]);
    }
    order.resize(take);
    return order;
}

std::string capitalized(std::string_view word) {
    std::string out(word);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') {
        out[0] = static_cast<char>(out[0] - 'a' + 'A');
    }
    return out;
}

class product_writer {
public:
    explicit product_writer(std::uint64_t seed) : _rng(seed) {
        _lexicon.reserve(lexicon_size);
        for (std::size_t i = 0; i < lexicon_size; ++i) {
            _lexicon.push_back(voc::invented_word(_rng));
        }
    }

    prng& rng() { return _rng; }

    // One object, keys in DESIGN.md's order; the description is sized last, to land
    // the whole object in range.
    std::string product(std::size_t id) {
        std::string out;
        out.reserve(max_product_bytes);
        out += '{';
        append_scalars(out, id);
        append_tags(out);
        out += ',';
        append_attributes(out);
        out += ',';
        json::append_key(out, "description");
        json::append_string(out, description(out.size()));
        out += '}';
        return out;
    }

private:
    // "id" through "rating", each followed by a comma.
    void append_scalars(std::string& out, std::size_t id) {
        json::append_key(out, "id");
        json::append_uint(out, id);
        out += ',';
        json::append_key(out, "sku");
        json::append_string(out, sku(id));
        out += ',';
        json::append_key(out, "name");
        json::append_string(out, name());
        out += ',';
        json::append_key(out, "category");
        json::append_string(out, voc::pick(_rng, voc::categories()));
        out += ',';
        json::append_key(out, "price");
        json::append_fixed(out, _rng.between(499, 199999), 2);
        out += ',';
        json::append_key(out, "stock");
        json::append_uint(out, _rng.between(0, 2500));
        out += ',';
        json::append_key(out, "rating");
        json::append_fixed(out, _rng.between(10, 50), 1);
        out += ',';
    }

    std::string sku(std::size_t id) {
        std::string out = "SKU-";
        const std::string digits = std::to_string(id);
        out.append(5 - std::min<std::size_t>(5, digits.size()), '0');
        out += digits;
        out += '-';
        out += static_cast<char>('A' + _rng.below(26));
        out += static_cast<char>('A' + _rng.below(26));
        out += static_cast<char>('0' + _rng.below(10));
        out += static_cast<char>('0' + _rng.below(10));
        return out;
    }

    std::string name() {
        std::string out = capitalized(_lexicon[_rng.below(_lexicon.size())]);
        out += ' ';
        out += voc::pick(_rng, voc::name_adjectives());
        out += ' ';
        out += voc::pick(_rng, voc::name_nouns());
        return out;
    }

    void append_tags(std::string& out) {
        const auto tags = voc::tags();
        const std::size_t count = _rng.between(3, 6);
        const std::vector<std::size_t> order = pick_distinct(_rng, tags.size(), count);
        json::append_key(out, "tags");
        out += '[';
        for (std::size_t i = 0; i < count; ++i) {
            if (i > 0) {
                out += ',';
            }
            json::append_string(out, tags[order[i]]);
        }
        out += ']';
    }

    void append_attributes(std::string& out) {
        const std::vector<std::size_t> order = pick_distinct(_rng, attribute_kinds.size(), attribute_count);
        json::append_key(out, "attributes");
        out += '{';
        for (std::size_t i = 0; i < attribute_count; ++i) {
            if (i > 0) {
                out += ',';
            }
            const attribute_kind& kind = attribute_kinds[order[i]];
            json::append_key(out, kind.key);
            json::append_string(out, kind.words != nullptr ? std::string(voc::pick(_rng, kind.words()))
                                                           : measurement(kind.key));
        }
        out += '}';
    }

    std::string measurement(std::string_view key);
    std::string description(std::size_t bytes_before);
    std::string sentence();

    prng _rng;
    std::vector<std::string> _lexicon;
};

std::string product_writer::measurement(std::string_view key) {
    const auto number = [](std::uint64_t n) {
        return std::to_string(n);
    };
    if (key == "warranty") {
        const std::uint64_t years = _rng.between(1, 5);
        return number(years) + (years == 1 ? " year" : " years");
    }
    if (key == "weight") {
        std::string out;
        json::append_fixed(out, _rng.between(5, 2500), 2);
        return out + " kg";
    }
    if (key == "dimensions") {
        std::string out = number(_rng.between(2, 120));
        out += " x " + number(_rng.between(2, 120));
        out += " x " + number(_rng.between(2, 120));
        return out + " cm";
    }
    if (key == "model") {
        std::string out;
        out += static_cast<char>('A' + _rng.below(26));
        out += static_cast<char>('A' + _rng.below(26));
        return out + "-" + number(_rng.between(1000, 9999));
    }
    if (key == "power") {
        return number(_rng.between(3, 2000)) + " W";
    }
    return number(_rng.between(1, 40) * 50) + " ml"; // capacity
}

// Adds sentences until the whole object (`bytes_before` so far, plus the quotes and the
// closing brace) reaches the minimum; a sentence that would pass the maximum is redrawn.
std::string product_writer::description(std::size_t bytes_before) {
    constexpr std::size_t closing_bytes = 3; // the description's two quotes and '}'
    std::string text;
    while (bytes_before + text.size() + closing_bytes < min_product_bytes) {
        const std::string next = sentence();
        const std::size_t separator = text.empty() ? 0 : 1;
        if (bytes_before + text.size() + separator + next.size() + closing_bytes > max_product_bytes) {
            continue;
        }
        if (separator != 0) {
            text += ' ';
        }
        text += next;
    }
    return text;
}

// 6 to 16 words, each a common word or an invented one with equal odds, the odd comma.
std::string product_writer::sentence() {
    const std::size_t words = _rng.between(6, 16);
    std::string out;
    for (std::size_t i = 0; i < words; ++i) {
        if (i > 0) {
            out += _rng.below(10) == 0 && i + 1 < words ? ", " : " ";
        }
        std::string_view word = _rng.below(2) == 0 ? voc::pick(_rng, voc::common_words())
                                                   : std::string_view(_lexicon[_rng.below(_lexicon.size())]);
        out += i == 0 ? capitalized(word) : std::string(word);
    }
    out += '.';
    return out;
}

} // namespace

product_pool product_pool::build(std::uint64_t seed) {
    product_writer writer(seed);
    product_pool pool;
    pool._json.reserve(pool_size);
    pool._json_gz.reserve(pool_size);
    for (std::size_t id = 0; id < pool_size; ++id) {
        pool._json.push_back(writer.product(id));
        pool._json_gz.push_back(gzip_compress(pool._json.back(), gzip_level));
    }
    pool._list = "[";
    for (std::size_t id = 0; id < list_size; ++id) {
        if (id > 0) {
            pool._list += ',';
        }
        pool._list += pool._json[id];
    }
    pool._list += ']';
    pool._list_gz = gzip_compress(pool._list, gzip_level);
    pool._read_order.resize(read_order_size);
    for (auto& index : pool._read_order) {
        index = static_cast<std::uint16_t>(writer.rng().below(pool_size));
    }
    return pool;
}

} // namespace rpslab::app
