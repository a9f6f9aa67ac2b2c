// The orders table and /compute against DESIGN.md "Orders and /compute": orders.csv's
// format, and compute() against a reference written differently on purpose (it parses
// the CSV text, keys on names in std::map, and rounds by decimal long division).
#include "app/orders.h"
#include "app/uint128.h"
#include "app/vocabulary.h"
#include "unit/app/app_test_support.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace rpslab::app {
namespace {

using test::orders_for;

struct csv_row {
    std::uint64_t id;
    std::string category;
    std::string region;
    std::uint64_t price_cents;
    std::uint64_t qty;
};

std::vector<csv_row> parse_csv(const std::string& text) {
    std::vector<csv_row> rows;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line); // the header
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        csv_row row;
        std::string id, price, qty;
        std::getline(fields, id, ',');
        std::getline(fields, row.category, ',');
        std::getline(fields, row.region, ',');
        std::getline(fields, price, ',');
        std::getline(fields, qty, ',');
        row.id = std::stoull(id);
        row.price_cents = std::stoull(price);
        row.qty = std::stoull(qty);
        rows.push_back(row);
    }
    return rows;
}

std::string decimal_digits(uint128 v) {
    std::string s;
    do {
        s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    } while (v != 0);
    return s;
}

// num / den to three decimals, half to even, by schoolbook long division over the
// decimal digits of num, then rounding on the digit string.
std::string reference_ratio(uint128 num, uint128 den) {
    std::string digits = decimal_digits(num) + "0000"; // three decimals and a guard digit
    std::string quotient;
    uint128 remainder = 0;
    for (const char d : digits) {
        remainder = remainder * 10 + static_cast<unsigned>(d - '0');
        quotient += static_cast<char>('0' + static_cast<int>(remainder / den));
        remainder %= den;
    }
    const int guard = quotient.back() - '0';
    quotient.pop_back();
    const bool tail = remainder != 0;
    const int last = quotient.back() - '0';
    const bool up = guard > 5 || (guard == 5 && (tail || last % 2 == 1));
    if (up) {
        std::size_t i = quotient.size();
        while (i > 0 && quotient[i - 1] == '9') {
            quotient[--i] = '0';
        }
        if (i == 0) {
            quotient.insert(quotient.begin(), '1');
        } else {
            ++quotient[i - 1];
        }
    }
    std::string whole = quotient.substr(0, quotient.size() - 3);
    whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
    return whole + "." + quotient.substr(quotient.size() - 3);
}

std::string reference_compute(const std::vector<csv_row>& rows, std::size_t count) {
    struct totals {
        std::uint64_t n = 0, sum = 0, revenue = 0, min = UINT64_MAX, max = 0;
        uint128 sum_sq = 0;
        std::map<std::string, std::uint64_t> revenue_by_region;
    };
    std::map<std::string, totals> by_category;
    for (std::size_t i = 0; i < count; ++i) {
        const csv_row& r = rows[i];
        totals& t = by_category[r.category];
        t.n += 1;
        t.sum += r.price_cents;
        t.sum_sq += uint128{r.price_cents} * r.price_cents;
        t.revenue += r.price_cents * r.qty;
        t.min = std::min(t.min, r.price_cents);
        t.max = std::max(t.max, r.price_cents);
        t.revenue_by_region[r.region] += r.price_cents * r.qty;
    }
    std::ostringstream out;
    out << '[';
    for (auto it = by_category.begin(); it != by_category.end(); ++it) {
        const totals& t = it->second;
        std::string top;
        std::uint64_t top_revenue = 0;
        for (const auto& [region, revenue] : t.revenue_by_region) {
            if (top.empty() || revenue > top_revenue) {
                top = region;
                top_revenue = revenue;
            }
        }
        const uint128 var_num = uint128{t.n} * t.sum_sq - uint128{t.sum} * t.sum;
        out << (it == by_category.begin() ? "" : ",") << R"({"category":")" << it->first << R"(","count":)" << t.n
            << R"(,"revenue_cents":)" << t.revenue << R"(,"min_cents":)" << t.min << R"(,"max_cents":)" << t.max
            << R"(,"mean_cents":)" << reference_ratio(t.sum, t.n) << R"(,"var_cents2":)"
            << reference_ratio(var_num, uint128{t.n} * t.n) << R"(,"top_region":")" << top << R"("})";
    }
    out << ']';
    return out.str();
}

std::string compute_text(const orders_table& orders, std::size_t rows) {
    std::vector<char> buf(orders_table::max_compute_bytes);
    const std::size_t n = orders.compute(rows, buf);
    EXPECT_LE(n, buf.size());
    return std::string(buf.data(), n);
}

TEST(reference_ratio, agrees_with_hand_checked_values) {
    EXPECT_EQ(reference_ratio(1, 2000), "0.000");
    EXPECT_EQ(reference_ratio(3, 2000), "0.002");
    EXPECT_EQ(reference_ratio(1999999, 2000), "1000.000");
    EXPECT_EQ(reference_ratio(2, 3), "0.667");
    EXPECT_EQ(reference_ratio(0, 7), "0.000");
}

// compute() prints categories in index order and breaks top_region ties by index, so
// both lists must be sorted by name.
TEST(vocabulary, category_and_region_names_are_sorted_and_plain) {
    const std::regex plain("[a-z_]+");
    for (const auto names : {vocabulary::categories(), vocabulary::regions()}) {
        EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
        EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
        for (const auto name : names) {
            EXPECT_TRUE(std::regex_match(std::string(name), plain)) << name;
        }
    }
    EXPECT_EQ(vocabulary::categories().size(), orders_table::category_count);
    EXPECT_EQ(vocabulary::regions().size(), orders_table::region_count);
}

TEST(orders_table, csv_has_the_documented_format) {
    const auto& orders = orders_for(42);
    EXPECT_EQ(orders.size(), 20000u);
    const std::string csv = orders.csv();
    ASSERT_EQ(csv.rfind("id,category,region,price_cents,qty\n", 0), 0u);
    ASSERT_EQ(csv.back(), '\n');
    EXPECT_EQ(csv.find('\r'), std::string::npos);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 20001);
    const std::regex row_form(R"(^\d+,[a-z_]+,[a-z_]+,\d+,\d+$)");
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    for (std::size_t i = 0; std::getline(in, line); ++i) {
        ASSERT_TRUE(std::regex_match(line, row_form)) << "row " << i << ": " << line;
    }
    const auto rows = parse_csv(csv);
    ASSERT_EQ(rows.size(), 20000u);
    std::set<std::string> categories, regions;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].id, i + 1); // ids are 1-based
        EXPECT_GE(rows[i].price_cents, 100u);
        EXPECT_LE(rows[i].price_cents, 100000u);
        EXPECT_GE(rows[i].qty, 1u);
        EXPECT_LE(rows[i].qty, 10u);
        categories.insert(rows[i].category);
        regions.insert(rows[i].region);
    }
    EXPECT_EQ(categories, std::set<std::string>(vocabulary::categories().begin(), vocabulary::categories().end()));
    EXPECT_EQ(regions, std::set<std::string>(vocabulary::regions().begin(), vocabulary::regions().end()));
    EXPECT_EQ(categories.size(), 12u);
    EXPECT_EQ(regions.size(), 8u);
}

TEST(orders_table, generation_is_deterministic_per_seed) {
    EXPECT_EQ(orders_table::generate(42).csv(), orders_for(42).csv());
    EXPECT_NE(orders_for(1).csv(), orders_for(42).csv());
    EXPECT_NE(compute_text(orders_for(1), 20000), compute_text(orders_for(42), 20000));
}

// Pinned like the product pool's bytes (see products_test.cc): update deliberately.
TEST(orders_table, seed_42_bytes_are_pinned) {
    const auto& orders = orders_for(42);
    EXPECT_EQ(test::fnv1a(orders.csv()), 0x3a8ac7ff07766162ULL) << std::hex << test::fnv1a(orders.csv());
    const std::string answer = compute_text(orders, 20000);
    EXPECT_EQ(test::fnv1a(answer), 0x3df0c1bbc4f3746dULL) << std::hex << test::fnv1a(answer);
}

TEST(orders_table, compute_matches_the_reference) {
    for (const std::uint64_t seed : {42u, 7u}) {
        const auto& orders = orders_for(seed);
        const auto rows = parse_csv(orders.csv());
        std::vector<std::size_t> counts = {1, 2, 3, 7, 100, 999, 12345, 20000};
        std::uint64_t lcg = seed;
        for (int i = 0; i < 200; ++i) {
            lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
            // Half of the sweep among small counts, where categories are still missing.
            const std::uint64_t limit = i % 2 == 0 ? 200 : 20000;
            counts.push_back(1 + (lcg >> 33) % limit);
        }
        for (const std::size_t n : counts) {
            ASSERT_EQ(compute_text(orders, n), reference_compute(rows, n)) << "seed " << seed << " rows " << n;
        }
    }
}

TEST(orders_table, compute_output_is_compact_json_in_category_order) {
    const auto& orders = orders_for(42);
    for (const std::size_t n : {1u, 50u, 20000u}) {
        const std::string text = compute_text(orders, n);
        EXPECT_EQ(text.find(' '), std::string::npos);
        const auto doc = nlohmann::ordered_json::parse(text);
        ASSERT_TRUE(doc.is_array());
        std::uint64_t total = 0;
        std::string previous;
        for (const auto& item : doc) {
            std::vector<std::string> keys;
            for (const auto& field : item.items()) {
                keys.push_back(field.key());
            }
            EXPECT_EQ(keys, (std::vector<std::string>{"category", "count", "revenue_cents", "min_cents", "max_cents",
                                                      "mean_cents", "var_cents2", "top_region"}));
            EXPECT_LT(previous, item["category"].get<std::string>());
            previous = item["category"].get<std::string>();
            total += item["count"].get<std::uint64_t>();
        }
        EXPECT_EQ(total, n);
    }
    const std::string one = compute_text(orders, 1);
    EXPECT_NE(one.find(R"("var_cents2":0.000,)"), std::string::npos) << one;
}

TEST(orders_table, compute_from_many_threads_agrees) {
    const auto& orders = orders_for(42);
    const std::vector<std::size_t> counts = {1, 17, 500, 7777, 20000};
    std::vector<std::string> expected;
    for (const auto n : counts) {
        expected.push_back(compute_text(orders, n));
    }
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < mismatches.size(); ++t) {
        threads.emplace_back([&, t] {
            char buf[orders_table::max_compute_bytes];
            for (int round = 0; round < 50; ++round) {
                for (std::size_t k = 0; k < counts.size(); ++k) {
                    const std::size_t len = orders.compute(counts[k], buf);
                    mismatches[t] += std::string_view(buf, len) == expected[k] ? 0 : 1;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

} // namespace
} // namespace rpslab::app
