// The product pool against DESIGN.md "Products": shape, sizes, compressibility, the
// gzip bodies, the /read index table, and determinism.
#include "app/products.h"
#include "app/vocabulary.h"
#include "unit/app/app_test_support.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace rpslab::app {
namespace {

using test::gunzip;
using test::pool_for;

const std::vector<std::string> product_keys = {"id",    "sku",    "name", "category",   "price",
                                               "stock", "rating", "tags", "attributes", "description"};

double gzip_ratio(std::string_view plain, std::string_view gz) {
    return static_cast<double>(plain.size()) / static_cast<double>(gz.size());
}

TEST(product_pool, has_the_documented_sizes) {
    const auto& pool = pool_for(42);
    EXPECT_EQ(pool.size(), product_pool::pool_size);
    EXPECT_EQ(pool.size(), 500u);
    EXPECT_EQ(pool.read_order().size(), 65536u);
}

TEST(product_pool, every_product_is_ascii_json_with_the_keys_in_order) {
    const auto& pool = pool_for(42);
    std::set<std::string_view> categories(vocabulary::categories().begin(), vocabulary::categories().end());
    for (std::size_t i = 0; i < pool.size(); ++i) {
        SCOPED_TRACE("product " + std::to_string(i));
        const std::string_view text = pool.json(i);
        ASSERT_TRUE(std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; }));
        const auto doc = nlohmann::ordered_json::parse(text.begin(), text.end());
        ASSERT_TRUE(doc.is_object());
        std::vector<std::string> keys;
        for (const auto& item : doc.items()) {
            keys.push_back(item.key());
        }
        ASSERT_EQ(keys, product_keys);
        EXPECT_TRUE(doc["id"].is_number_unsigned());
        EXPECT_EQ(doc["id"].get<std::size_t>(), i);
        EXPECT_TRUE(doc["name"].is_string() && !doc["name"].get<std::string>().empty());
        EXPECT_TRUE(categories.count(doc["category"].get<std::string>()));
        EXPECT_TRUE(doc["stock"].is_number_unsigned());
        EXPECT_TRUE(doc["price"].is_number());
        EXPECT_TRUE(doc["rating"].is_number());
        const double rating = doc["rating"].get<double>();
        EXPECT_GE(rating, 1.0);
        EXPECT_LE(rating, 5.0);
        ASSERT_TRUE(doc["tags"].is_array());
        EXPECT_GE(doc["tags"].size(), 3u);
        EXPECT_LE(doc["tags"].size(), 6u);
        std::set<std::string> tags;
        for (const auto& tag : doc["tags"]) {
            ASSERT_TRUE(tag.is_string());
            tags.insert(tag.get<std::string>());
        }
        EXPECT_EQ(tags.size(), doc["tags"].size()) << "tags repeat";
        ASSERT_TRUE(doc["attributes"].is_object());
        EXPECT_EQ(doc["attributes"].size(), 8u);
        for (const auto& attribute : doc["attributes"].items()) {
            EXPECT_TRUE(attribute.value().is_string()) << attribute.key();
        }
        EXPECT_TRUE(doc["description"].is_string());
    }
}

// Number formats are checked on the text: a JSON parser forgets trailing zeros.
TEST(product_pool, sku_price_and_rating_have_their_exact_text_forms) {
    const auto& pool = pool_for(42);
    const std::regex head(R"re(^\{"id":(\d+),"sku":"SKU-(\d{5})-[A-Z]{2}\d{2}","name":"[A-Za-z ]+",)re"
                          R"re("category":"[a-z_]+","price":\d+\.\d\d,"stock":\d+,"rating":[1-5]\.\d,"tags":\[)re");
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const std::string text(pool.json(i).substr(0, 400)); // the head, past "tags":[
        std::smatch m;
        ASSERT_TRUE(std::regex_search(text, m, head)) << text;
        EXPECT_EQ(std::stoul(m[1].str()), i);
        EXPECT_EQ(std::stoul(m[2].str()), i);
    }
}

TEST(product_pool, every_product_serializes_to_4400_to_4600_bytes) {
    const auto& pool = pool_for(42);
    for (std::size_t i = 0; i < pool.size(); ++i) {
        EXPECT_GE(pool.json(i).size(), 4400u) << i;
        EXPECT_LE(pool.json(i).size(), 4600u) << i;
    }
}

TEST(product_pool, list_is_the_first_100_products_as_an_array) {
    const auto& pool = pool_for(42);
    std::string expected = "[";
    for (std::size_t i = 0; i < product_pool::list_size; ++i) {
        expected += (i > 0 ? "," : "");
        expected += pool.json(i);
    }
    expected += "]";
    EXPECT_EQ(pool.list_json(), expected);
    EXPECT_GT(pool.list_json().size(), 440000u);
    EXPECT_LT(pool.list_json().size(), 460000u);
    const auto doc = nlohmann::json::parse(pool.list_json().begin(), pool.list_json().end());
    EXPECT_EQ(doc.size(), 100u);
}

// "Like real catalogue text, compresses about 2x": neither random letters (about 1.3x)
// nor a handful of repeated phrases (5x and more).
TEST(product_pool, compresses_about_twofold) {
    for (const std::uint64_t seed : {42u, 1u}) {
        const auto& pool = pool_for(seed);
        for (std::size_t i = 0; i < pool.size(); ++i) {
            const double ratio = gzip_ratio(pool.json(i), pool.json_gz(i));
            EXPECT_GE(ratio, 1.6) << "product " << i;
            EXPECT_LE(ratio, 2.8) << "product " << i;
        }
        const double list_ratio = gzip_ratio(pool.list_json(), pool.list_json_gz());
        EXPECT_GE(list_ratio, 1.6);
        EXPECT_LE(list_ratio, 2.8);
    }
}

TEST(product_pool, gzip_bodies_decode_to_the_identity_bodies) {
    const auto& pool = pool_for(42);
    for (std::size_t i = 0; i < pool.size(); ++i) {
        ASSERT_GE(pool.json_gz(i).size(), 18u);
        EXPECT_EQ(static_cast<unsigned char>(pool.json_gz(i)[0]), 0x1f);
        EXPECT_EQ(static_cast<unsigned char>(pool.json_gz(i)[1]), 0x8b);
        bool ok = false;
        EXPECT_EQ(gunzip(pool.json_gz(i), 8192, ok), pool.json(i)) << i;
        EXPECT_TRUE(ok);
    }
    bool ok = false;
    EXPECT_EQ(gunzip(pool.list_json_gz(), 1 << 20, ok), pool.list_json());
    EXPECT_TRUE(ok);
}

TEST(product_pool, read_order_stays_in_range_and_covers_every_product) {
    for (const std::uint64_t seed : {42u, 1u}) {
        const auto& pool = pool_for(seed);
        std::vector<int> hits(pool.size(), 0);
        for (const auto index : pool.read_order()) {
            ASSERT_LT(index, pool.size());
            ++hits[index];
        }
        // 131 expected per product; a fair stream never strays this far.
        EXPECT_GT(*std::min_element(hits.begin(), hits.end()), 70);
        EXPECT_LT(*std::max_element(hits.begin(), hits.end()), 200);
    }
}

TEST(product_pool, same_seed_gives_the_same_bytes) {
    const auto& cached = pool_for(42);
    const product_pool fresh = product_pool::build(42);
    ASSERT_EQ(fresh.size(), cached.size());
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        ASSERT_EQ(fresh.json(i), cached.json(i));
        ASSERT_EQ(fresh.json_gz(i), cached.json_gz(i));
    }
    EXPECT_EQ(fresh.list_json(), cached.list_json());
    EXPECT_EQ(fresh.list_json_gz(), cached.list_json_gz());
    EXPECT_TRUE(std::equal(fresh.read_order().begin(), fresh.read_order().end(), cached.read_order().begin(),
                           cached.read_order().end()));
}

TEST(product_pool, different_seeds_give_different_bytes) {
    const auto& a = pool_for(42);
    const auto& b = pool_for(1);
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        same += a.json(i) == b.json(i) ? 1 : 0;
    }
    EXPECT_EQ(same, 0u);
    EXPECT_NE(a.list_json(), b.list_json());
    EXPECT_FALSE(
        std::equal(a.read_order().begin(), a.read_order().end(), b.read_order().begin(), b.read_order().end()));
}

// Peers serve `pool dump` files and compare bytes, so a seed must give the same bytes
// with every compiler and library. If a deliberate change of the generator moves these
// fingerprints, update them and say so: every published dump changes with them.
TEST(product_pool, seed_42_bytes_are_pinned) {
    const auto& pool = pool_for(42);
    EXPECT_EQ(test::fnv1a(pool.list_json()), 0x870681da0f396b59ULL) << std::hex << test::fnv1a(pool.list_json());
    EXPECT_EQ(test::fnv1a(pool.json(499)), 0x0f377e1d591fda49ULL) << std::hex << test::fnv1a(pool.json(499));
}

} // namespace
} // namespace rpslab::app
