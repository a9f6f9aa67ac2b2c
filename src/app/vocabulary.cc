#include "app/vocabulary.h"

#include <array>

namespace rpslab::app::vocabulary {
namespace {

// Keep both lists sorted by name: see the header.
constexpr std::array<std::string_view, 12> category_list = {
    "automotive", "baby",   "beauty",      "books",  "clothing", "electronics",
    "grocery",    "health", "home_garden", "office", "sports",   "toys",
};

constexpr std::array<std::string_view, 8> region_list = {
    "east", "north", "north_east", "north_west", "south", "south_east", "south_west", "west",
};

constexpr std::string_view common_list[] = {
    "a",         "above",       "accurate",  "across",     "adapter",  "all",         "almost",   "along",
    "alpine",    "also",        "aluminium", "always",     "an",       "and",         "are",      "around",
    "as",        "at",          "autumn",    "bag",        "balance",  "balanced",    "balcony",  "bamboo",
    "base",      "basket",      "bathroom",  "battery",    "be",       "bedroom",     "been",     "beginners",
    "behind",    "below",       "beneath",   "beside",     "between",  "blanket",     "board",    "bold",
    "bottle",    "bowl",        "brass",     "bread",      "bright",   "brush",       "brushed",  "buckle",
    "budget",    "built",       "but",       "button",     "by",       "cabin",       "cable",    "camera",
    "can",       "canvas",      "capacity",  "care",       "careful",  "carries",     "case",     "cedar",
    "ceramic",   "chair",       "charger",   "charges",    "children", "chosen",      "classic",  "clean",
    "cleans",    "clear",       "closes",    "coastal",    "coated",   "coffee",      "cold",     "colleagues",
    "color",     "comfortable", "commute",   "compact",    "connects", "cool",        "cools",    "copper",
    "cork",      "corner",      "cotton",    "cover",      "crafted",  "cup",         "cups",     "curtain",
    "curved",    "cushion",     "daily",     "dark",       "days",     "decades",     "deep",     "denim",
    "depth",     "design",      "designed",  "desk",       "doubt",    "dozen",       "drawer",   "dries",
    "durable",   "dust",        "each",      "easy",       "edge",     "efficient",   "effort",   "eight",
    "elegant",   "energy",      "even",      "evening",    "every",    "everyday",    "experts",  "fabric",
    "family",    "feel",        "felt",      "finish",     "finished", "firm",        "firmly",   "fit",
    "fits",      "fitted",      "five",      "flat",       "flexible", "flowers",     "foldable", "folds",
    "for",       "form",        "four",      "frame",      "fresh",    "friends",     "from",     "fruit",
    "fully",     "garage",      "garden",    "gentle",     "gently",   "glass",       "grain",    "guests",
    "guides",    "hallway",     "handle",    "handy",      "has",      "have",        "heat",     "heavy",
    "height",    "helps",       "herbs",     "hinge",      "holds",    "holiday",     "honest",   "hours",
    "hue",       "in",          "indoor",    "into",       "is",       "it",          "its",      "jar",
    "journey",   "just",        "keeps",     "kettle",     "keyboard", "kit",         "kitchen",  "knife",
    "knitted",   "lamp",        "lasting",   "layer",      "leather",  "length",      "lens",     "less",
    "lid",       "lifts",       "light",     "lights",     "lined",    "linen",       "little",   "locks",
    "long",      "look",        "loud",      "made",       "maple",    "marble",      "may",      "meals",
    "measures",  "miles",       "minutes",   "mirror",     "modern",   "moments",     "months",   "more",
    "morning",   "most",        "mouse",     "mug",        "music",    "muted",       "narrow",   "natural",
    "nearly",    "neighbours",  "never",     "northern",   "oak",      "of",          "office",   "often",
    "on",        "one",         "only",      "onto",       "opens",    "or",          "organic",  "our",
    "outdoor",   "over",        "owners",    "packed",     "padded",   "pages",       "pair",     "pan",
    "panel",     "paper",       "pattern",   "pillow",     "plants",   "plastic",     "plate",    "pocket",
    "polished",  "portable",    "power",     "practical",  "precise",  "print",       "protects", "quick",
    "quiet",     "quite",       "rain",      "rarely",     "rather",   "recycled",    "refined",  "reliable",
    "renewable", "rich",        "rough",     "round",      "rubber",   "rug",         "rural",    "scratches",
    "screen",    "sealed",      "seals",     "seam",       "seasonal", "seasons",     "seeds",    "sensor",
    "set",       "seven",       "shade",     "shape",      "shaped",   "shelf",       "shell",    "shipped",
    "shocks",    "short",       "should",    "shows",      "signal",   "silicone",    "simple",   "single",
    "six",       "size",        "sized",     "sleeve",     "slim",     "slow",        "small",    "smooth",
    "soft",      "soil",        "solid",     "sometimes",  "sound",    "sourced",     "space",    "speaker",
    "spices",    "spills",      "spring",    "square",     "stable",   "stains",      "steel",    "still",
    "stitch",    "stone",       "stores",    "strap",      "stripe",   "strong",      "studio",   "sturdy",
    "subtle",    "summer",      "sunlight",  "supports",   "surface",  "sustainable", "table",    "tall",
    "tea",       "ten",         "terrace",   "tested",     "texture",  "that",        "the",      "their",
    "these",     "this",        "those",     "thoughtful", "three",    "through",     "tight",    "to",
    "tone",      "toward",      "towel",     "tracks",     "travel",   "tray",        "treated",  "trimmed",
    "trip",      "tripod",      "trips",     "tropical",   "tuned",    "twelve",      "two",      "under",
    "urban",     "useful",      "velvet",    "versatile",  "very",     "view",        "visitors", "vivid",
    "voice",     "volume",      "wallet",    "walnut",     "warm",     "warms",       "was",      "watch",
    "water",     "weave",       "weekend",   "weekly",     "weight",   "wide",        "width",    "will",
    "wind",      "winter",      "with",      "within",     "without",  "wool",        "workshop", "woven",
    "years",     "yet",         "your",      "zipper"};

constexpr std::string_view adjective_list[] = {
    "Compact", "Classic", "Modern", "Rugged",   "Slim",   "Deluxe", "Essential", "Premium",   "Everyday", "Urban",
    "Nordic",  "Coastal", "Alpine", "Vintage",  "Studio", "Travel", "Heritage",  "Signature", "Pro",      "Mini",
    "Grand",   "Quiet",   "Smart",  "Foldable", "Soft",   "Sturdy", "Bright",    "Natural",   "Little",   "Outdoor",
};

constexpr std::string_view noun_list[] = {
    "Desk Lamp", "Backpack",  "Kettle",     "Chair",      "Headphones",    "Notebook", "Blanket",    "Water Bottle",
    "Jacket",    "Speaker",   "Frying Pan", "Cushion",    "Wallet",        "Tent",     "Keyboard",   "Mug",
    "Rug",       "Bookshelf", "Umbrella",   "Toolkit",    "Stroller",      "Yoga Mat", "Charger",    "Planter",
    "Sneakers",  "Shampoo",   "Puzzle",     "Camera Bag", "Cutting Board", "Tea Set",  "Bike Light", "Scarf",
};

constexpr std::string_view tag_list[] = {
    "new",      "bestseller", "gift",        "eco",     "handmade", "limited",  "classic", "travel",
    "outdoor",  "indoor",     "kids",        "family",  "premium",  "budget",   "organic", "recycled",
    "durable",  "compact",    "wireless",    "vintage", "modern",   "seasonal", "sale",    "exclusive",
    "portable", "waterproof", "lightweight", "minimal", "cozy",     "everyday", "studio",  "kitchen",
};

constexpr std::string_view color_list[] = {
    "black", "white", "slate blue", "forest green", "sand",  "charcoal", "rust",  "cream",
    "navy",  "olive", "burgundy",   "stone grey",   "ochre", "teal",     "coral", "natural",
};

constexpr std::string_view material_list[] = {
    "cotton",           "linen",     "wool",  "oak",     "walnut",  "bamboo",
    "stainless steel",  "aluminium", "glass", "ceramic", "leather", "canvas",
    "recycled plastic", "silicone",  "cork",  "brass",
};

constexpr std::string_view finish_list[] = {
    "matte", "gloss", "satin", "brushed", "polished", "oiled", "lacquered", "raw", "textured", "powder coated",
};

constexpr std::string_view country_list[] = {
    "Portugal", "Italy",  "Germany", "Japan",  "Vietnam", "Mexico", "Poland", "Canada",
    "India",    "Turkey", "Denmark", "Taiwan", "Norway",  "Spain",  "Sweden", "Chile",
};

constexpr std::string_view care_list[] = {
    "machine wash cold", "hand wash only",   "wipe clean",   "dishwasher safe",
    "dry clean only",    "oil twice a year", "air dry flat", "do not bleach",
};

constexpr std::string_view style_list[] = {
    "minimal", "rustic", "industrial", "classic", "playful", "scandinavian", "retro", "sporty", "coastal", "modern",
};

// Syllable parts: a cluster may open a word, single consonants join inner syllables.
constexpr std::string_view first_onsets[] = {
    "b",  "bl", "br", "c",  "ch", "cl",  "cr", "d",  "dr", "f",  "fl", "fr", "g",  "gl", "gr",
    "h",  "j",  "k",  "l",  "m",  "n",   "p",  "pl", "pr", "qu", "r",  "s",  "sc", "sh", "sk",
    "sl", "sm", "sn", "sp", "st", "str", "sw", "t",  "th", "tr", "v",  "w",  "wh", "y",  "z",
};
constexpr std::string_view inner_onsets[] = {
    "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "nd", "nt", "st", "rt", "ld", "mb",
};
constexpr std::string_view first_vowels[] = {"a", "a", "e", "e", "i", "o", "o", "u", "ai", "ea", "ee", "oo", "ou"};
constexpr std::string_view inner_vowels[] = {"a", "e", "i", "o", "u"};
constexpr std::string_view codas[] = {
    "",  "",   "",   "ck", "d", "l",  "ll", "m", "n",  "nd", "ng", "nk", "nt",
    "r", "rd", "rk", "rn", "s", "sh", "st", "t", "th", "x",  "ve", "ne", "le",
};

} // namespace

std::span<const std::string_view> categories() {
    return category_list;
}
std::span<const std::string_view> regions() {
    return region_list;
}
std::span<const std::string_view> common_words() {
    return common_list;
}
std::span<const std::string_view> name_adjectives() {
    return adjective_list;
}
std::span<const std::string_view> name_nouns() {
    return noun_list;
}
std::span<const std::string_view> tags() {
    return tag_list;
}
std::span<const std::string_view> colors() {
    return color_list;
}
std::span<const std::string_view> materials() {
    return material_list;
}
std::span<const std::string_view> finishes() {
    return finish_list;
}
std::span<const std::string_view> countries() {
    return country_list;
}
std::span<const std::string_view> care_notes() {
    return care_list;
}
std::span<const std::string_view> styles() {
    return style_list;
}

std::string invented_word(prng& rng) {
    static constexpr std::size_t syllable_counts[] = {1, 2, 2, 2, 3}; // mostly two
    const std::size_t syllables = syllable_counts[rng.below(std::size(syllable_counts))];
    std::string word;
    word += pick(rng, first_onsets);
    word += pick(rng, first_vowels);
    for (std::size_t i = 1; i < syllables; ++i) {
        word += pick(rng, inner_onsets);
        word += pick(rng, inner_vowels);
    }
    word += pick(rng, codas);
    return word;
}

} // namespace rpslab::app::vocabulary
