// The product pool behind /read and /list: 500 products from one seeded generator,
// serialized (and gzip-compressed) once at start-up. Immutable afterwards, so every
// worker reads it without locks; every view stays valid for the pool's lifetime.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::app {

class product_pool {
public:
    static constexpr std::size_t pool_size = 500;
    static constexpr std::size_t list_size = 100;
    static constexpr std::size_t read_order_size = 65536; // length of the /read index table

    // Generates, serializes and compresses the whole pool from `seed` (DESIGN.md "Products").
    // Deterministic: the same seed gives the same bytes on every machine.
    static product_pool build(std::uint64_t seed);

    std::size_t size() const { return _json.size(); }
    std::string_view json(std::size_t i) const { return _json[i]; }       // one product object
    std::string_view json_gz(std::size_t i) const { return _json_gz[i]; } // the gzip body served for it
    std::string_view list_json() const { return _list; }                  // the first 100 as one array
    std::string_view list_json_gz() const { return _list_gz; }

    // A pre-generated random sequence of product indexes; worker w walks it with its own
    // cursor, so /read picks are random without a shared RNG.
    std::span<const std::uint16_t> read_order() const { return _read_order; }

private:
    std::vector<std::string> _json, _json_gz;
    std::string _list, _list_gz;
    std::vector<std::uint16_t> _read_order;
};

} // namespace rpslab::app
