// `rpslab pool dump DIR`: writes the exact bytes rpslab serves, so that peers serving
// these files send identical bodies (DESIGN.md "Same bytes everywhere").
#pragma once

#include "app/orders.h"
#include "app/products.h"

#include <filesystem>

namespace rpslab::app {

// Writes simple.json, read/N.json and read/N.json.gz (N = 0..499), list.json,
// list.json.gz, orders.csv and compute.json (the default /compute answer) under `dir`,
// creating directories as needed. Throws std::runtime_error naming the file on failure.
void dump_pool(const std::filesystem::path& dir, const product_pool& pool, const orders_table& orders);

// The /simple body: {"message":"hi"}.
inline constexpr std::string_view simple_body = R"({"message":"hi"})";

} // namespace rpslab::app
