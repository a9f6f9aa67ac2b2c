// The workloads' handlers (DESIGN.md "The workloads"): each turns a parsed request into a
// response whose body is a view into the immutable data or into the worker's scratch.
// The data is shared read-only by every worker; a workload_context is one worker's own.
#pragma once

#include "app/orders.h"
#include "app/products.h"
#include "http/request.h"
#include "http/response.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rpslab::app {

// Everything the workloads serve, built once at start-up and never written again.
struct dataset {
    product_pool products;
    orders_table orders;

    static dataset build(std::uint64_t seed);
};

// One worker's state: a cursor over the /read index table and scratch for generated
// bodies. Valid until the next handler call on the same context.
class workload_context {
public:
    workload_context(const dataset& data, std::size_t worker_index);

    http::response simple(const http::request& req);
    http::response read(const http::request& req);
    http::response list(const http::request& req);
    http::response compute(const http::request& req);
    http::response echo(const http::request& req, std::string_view body);
    http::response healthz(const http::request& req);

    // A text/plain error body: the reason phrase and `detail`, copied into scratch.
    http::response error(http::status status, std::string_view detail);

private:
    const dataset* _data;
    std::size_t _read_cursor;
    std::array<char, orders_table::max_compute_bytes> _scratch{};
};

} // namespace rpslab::app
