#include "http/parser.h"
#include "server/router.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

using namespace rpslab;

namespace {

class router_test : public ::testing::Test {
protected:
    static const app::dataset& data() {
        static const app::dataset d = app::dataset::build(42);
        return d;
    }

    http::response get(const std::string& text, std::string_view body = {}) {
        _text = text;
        http::parse_result r = http::parse_request(_text, _limits, _fields, _req);
        EXPECT_EQ(r.state, http::parse_status::complete) << text;
        return server::route(_req, metrics::path_of(_req.path), body, _work);
    }

    http::limits _limits;
    std::vector<http::header_field> _fields = std::vector<http::header_field>(128);
    http::request _req;
    std::string _text;
    app::workload_context _work{data(), 0};
};

TEST_F(router_test, workloads) {
    EXPECT_EQ(get("GET /simple HTTP/1.1\r\nHost: x\r\n\r\n").body, R"({"message":"hi"})");
    EXPECT_EQ(get("GET /read?id=7 HTTP/1.1\r\nHost: x\r\n\r\n").body, data().products.json(7));
    http::response gz = get("GET /read?id=7 HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
    EXPECT_EQ(gz.body, data().products.json_gz(7));
    EXPECT_EQ(gz.content_encoding, "gzip");
    EXPECT_TRUE(gz.vary_accept_encoding);
    EXPECT_EQ(get("GET /list HTTP/1.1\r\nHost: x\r\n\r\n").body, data().products.list_json());
    EXPECT_EQ(get("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").status, http::status::ok);
    http::response echo =
        get("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/x\r\nContent-Length: 3\r\n\r\n", "abc");
    EXPECT_EQ(echo.body, "abc");
    EXPECT_EQ(echo.content_type, "text/x");
}

TEST_F(router_test, read_walks_the_index_table) {
    auto order = data().products.read_order();
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(get("GET /read HTTP/1.1\r\nHost: x\r\n\r\n").body, data().products.json(order[i]));
    }
}

TEST_F(router_test, query_errors) {
    EXPECT_EQ(get("GET /read?id=500 HTTP/1.1\r\nHost: x\r\n\r\n").status, http::status::not_found);
    EXPECT_EQ(get("GET /read?id=-1 HTTP/1.1\r\nHost: x\r\n\r\n").status, http::status::bad_request);
    EXPECT_EQ(get("GET /read?id= HTTP/1.1\r\nHost: x\r\n\r\n").status, http::status::bad_request);
    for (const char* rows : {"0", "20001", "abc", "", "1e3", "+5", "99999999999999999999999"}) {
        EXPECT_EQ(get(std::string("GET /compute?rows=") + rows + " HTTP/1.1\r\nHost: x\r\n\r\n").status,
                  http::status::bad_request)
            << rows;
    }
    EXPECT_EQ(get("GET /compute?rows=20000 HTTP/1.1\r\nHost: x\r\n\r\n").status, http::status::ok);
}

TEST_F(router_test, methods_and_paths) {
    http::response r = get("DELETE /simple HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(r.status, http::status::method_not_allowed);
    EXPECT_EQ(r.allow, "GET, HEAD");
    r = get("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(r.status, http::status::method_not_allowed);
    EXPECT_EQ(r.allow, "POST");
    EXPECT_EQ(get("FOO /simple HTTP/1.1\r\nHost: x\r\n\r\n").status, http::status::not_implemented);
    EXPECT_EQ(get("GET /simple/ HTTP/1.1\r\nHost: x\r\n\r\n").status, http::status::not_found);
    EXPECT_EQ(get("HEAD /list HTTP/1.1\r\nHost: x\r\n\r\n").status, http::status::ok);
}

} // namespace
