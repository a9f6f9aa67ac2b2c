#include "app/workloads.h"

#include "http/accept_encoding.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace rpslab::app {

namespace {

constexpr std::string_view json_type = "application/json";
constexpr std::string_view text_type = "text/plain; charset=utf-8";

// A decimal in [min, max] with nothing else around it.
bool parse_bounded(std::string_view text, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
    if (text.empty() || text.size() > 19) {
        return false;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && out >= min && out <= max;
}

http::response json_response(std::string_view body, http::body_storage storage = http::body_storage::borrowed) {
    http::response r;
    r.content_type = json_type;
    r.body = body;
    r.storage = storage;
    return r;
}

// /read and /list send the compressed twin when the client accepts gzip.
http::response negotiated(const http::request& req, std::string_view identity, std::string_view gzipped) {
    http::response r = json_response(identity);
    r.vary_accept_encoding = true;
    if (http::accepts_gzip(http::find_header(req, "accept-encoding"))) {
        r.body = gzipped;
        r.content_encoding = "gzip";
    }
    return r;
}

} // namespace

dataset dataset::build(std::uint64_t seed) {
    return dataset{product_pool::build(seed), orders_table::generate(seed)};
}

workload_context::workload_context(const dataset& data, std::size_t worker_index)
    // Workers start their walks far apart so that they do not serve the same sequence.
    : _data(&data), _read_cursor(worker_index * 7919) {}

http::response workload_context::simple(const http::request&) {
    return json_response(R"({"message":"hi"})");
}

http::response workload_context::read(const http::request& req) {
    const product_pool& pool = _data->products;
    bool has_id = false;
    std::string_view id_text = http::query_param(req.query, "id", has_id);
    std::size_t index = 0;
    if (has_id) {
        std::uint64_t id = 0;
        if (!parse_bounded(id_text, 0, UINT64_MAX / 2, id)) {
            return error(http::status::bad_request, "id must be a non-negative integer");
        }
        if (id >= pool.size()) {
            return error(http::status::not_found, "no product with that id");
        }
        index = static_cast<std::size_t>(id);
    } else {
        auto order = pool.read_order();
        index = order[_read_cursor++ % order.size()];
    }
    return negotiated(req, pool.json(index), pool.json_gz(index));
}

http::response workload_context::list(const http::request& req) {
    return negotiated(req, _data->products.list_json(), _data->products.list_json_gz());
}

http::response workload_context::compute(const http::request& req) {
    const orders_table& orders = _data->orders;
    bool has_rows = false;
    std::string_view rows_text = http::query_param(req.query, "rows", has_rows);
    std::uint64_t rows = orders.size();
    if (has_rows && !parse_bounded(rows_text, 1, orders.size(), rows)) {
        return error(http::status::bad_request, "rows must be an integer from 1 to 20000");
    }
    std::size_t n = orders.compute(static_cast<std::size_t>(rows), _scratch);
    return json_response({_scratch.data(), n}, http::body_storage::scratch);
}

http::response workload_context::echo(const http::request& req, std::string_view body) {
    http::response r;
    std::string_view type = http::find_header(req, "content-type");
    r.content_type = type.empty() ? "application/octet-stream" : type;
    r.body = body;
    r.storage = http::body_storage::scratch; // the body lives in the read buffer
    return r;
}

http::response workload_context::healthz(const http::request&) {
    http::response r;
    r.content_type = text_type;
    r.body = "ok\n";
    return r;
}

http::response workload_context::error(http::status status, std::string_view detail) {
    std::string_view reason = http::reason_phrase(status);
    std::size_t n = std::min(detail.size(), _scratch.size() - reason.size() - 3);
    char* p = _scratch.data();
    std::memcpy(p, reason.data(), reason.size());
    p += reason.size();
    if (n > 0) {
        *p++ = ':';
        *p++ = ' ';
        std::memcpy(p, detail.data(), n);
        p += n;
    }
    *p++ = '\n';
    http::response r;
    r.status = status;
    r.content_type = text_type;
    r.body = {_scratch.data(), static_cast<std::size_t>(p - _scratch.data())};
    r.storage = http::body_storage::scratch;
    return r;
}

} // namespace rpslab::app
