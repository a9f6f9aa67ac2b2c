// `pool dump` writes exactly the bodies rpslab serves (DESIGN.md "Same bytes everywhere").
#include "app/pool_dump.h"
#include "unit/app/app_test_support.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace rpslab::app {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

// A fresh directory under the system temp dir, removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        std::string pattern = (fs::temp_directory_path() / "rpslab-pool-dump-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        _path = pattern;
    }
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(_path, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const fs::path& path() const { return _path; }

private:
    fs::path _path;
};

TEST(dump_pool, writes_every_body_byte_for_byte) {
    const auto& pool = test::pool_for(42);
    const auto& orders = test::orders_for(42);
    temp_dir dir;
    const fs::path out = dir.path() / "dump"; // not there yet: dump_pool creates it
    dump_pool(out, pool, orders);

    std::size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(out)) {
        files += entry.is_regular_file() ? 1 : 0;
    }
    EXPECT_EQ(files, 5u + 2 * 500u); // simple, list x2, orders, compute, and read/ x1000

    EXPECT_EQ(read_file(out / "simple.json"), R"({"message":"hi"})");
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const fs::path base = out / "read" / (std::to_string(i) + ".json");
        ASSERT_EQ(read_file(base), pool.json(i)) << base;
        ASSERT_EQ(read_file(base.string() + ".gz"), pool.json_gz(i)) << base;
    }
    EXPECT_EQ(read_file(out / "list.json"), pool.list_json());
    EXPECT_EQ(read_file(out / "list.json.gz"), pool.list_json_gz());
    EXPECT_EQ(read_file(out / "orders.csv"), orders.csv());
    std::array<char, orders_table::max_compute_bytes> body{};
    const std::size_t length = orders.compute(orders_table::row_count, body);
    EXPECT_EQ(read_file(out / "compute.json"), std::string(body.data(), length));
}

TEST(dump_pool, failure_names_the_path) {
    const auto& pool = test::pool_for(42);
    const auto& orders = test::orders_for(42);
    temp_dir dir;
    const fs::path blocker = dir.path() / "file";
    std::ofstream(blocker) << "x"; // a file where a directory must go
    try {
        dump_pool(blocker / "dump", pool, orders);
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find((blocker / "dump").string()), std::string::npos) << message;
        EXPECT_NE(message.find("Not a directory"), std::string::npos) << message;
    }
}

} // namespace
} // namespace rpslab::app
