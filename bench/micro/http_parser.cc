// Micro-benchmarks of the request-head parser and the chunked decoder on realistic inputs:
// what wrk sends, what a browser sends, a small POST, pipelined batches and chunked bodies.
// Each runs 5 repetitions and reports the median and spread; items/s is requests (or
// bodies) per second, bytes/s the input consumed. Run: bench_http_parser --benchmark_filter=.
#include "http/chunked.h"
#include "http/parser.h"

#include <array>
#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace rpslab::http;

const std::string wrk_get = "GET /simple HTTP/1.1\r\nHost: localhost:8080\r\n\r\n";

const std::string browser_get = "GET /read?id=3 HTTP/1.1\r\n"
                                "Host: shop.example.com\r\n"
                                "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
                                "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
                                "Accept-Language: en-US,en;q=0.5\r\n"
                                "Accept-Encoding: gzip, deflate, br, zstd\r\n"
                                "Connection: keep-alive\r\n"
                                "Upgrade-Insecure-Requests: 1\r\n"
                                "Sec-Fetch-Dest: document\r\n"
                                "Sec-Fetch-Mode: navigate\r\n"
                                "Sec-Fetch-Site: none\r\n"
                                "Cookie: session=4f2a9c1e7b; theme=dark; cart=17\r\n"
                                "Priority: u=0, i\r\n"
                                "\r\n";

const std::string post_length = "POST /echo HTTP/1.1\r\n"
                                "Host: localhost:8080\r\n"
                                "User-Agent: curl/7.88.1\r\n"
                                "Accept: */*\r\n"
                                "Content-Type: application/json\r\n"
                                "Content-Length: 17\r\n"
                                "\r\n"
                                "{\"message\":\"hi\"}";

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
        out += s;
    }
    return out;
}

// Parses every head in `input` back to back, as the server does with a read batch.
void parse_all(benchmark::State& state, const std::string& input, int requests) {
    const limits lim;
    std::array<header_field, 128> fields;
    request req;
    for (auto _ : state) {
        std::size_t pos = 0;
        while (pos < input.size()) {
            const parse_result r =
                parse_request(std::span<const char>(input.data() + pos, input.size() - pos), lim, fields, req);
            if (r.state != parse_status::complete) {
                state.SkipWithError("request did not parse");
                return;
            }
            pos += r.consumed + req.content_length;
            benchmark::DoNotOptimize(req);
        }
    }
    state.SetItemsProcessed(state.iterations() * requests);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
}

void BM_parse_wrk_get(benchmark::State& state) {
    parse_all(state, wrk_get, 1);
}
void BM_parse_browser_get(benchmark::State& state) {
    parse_all(state, browser_get, 1);
}
void BM_parse_post_content_length(benchmark::State& state) {
    parse_all(state, post_length, 1);
}
void BM_parse_wrk_get_pipelined_16(benchmark::State& state) {
    parse_all(state, repeat(wrk_get, 16), 16);
}

std::string chunked_body(std::size_t chunk_bytes, int chunks, bool extensions) {
    std::string body;
    char size[32];
    for (int i = 0; i < chunks; ++i) {
        std::snprintf(size, sizeof size, "%zx", chunk_bytes);
        body += size;
        body += extensions ? ";seq=" + std::to_string(i) + "\r\n" : "\r\n";
        body += std::string(chunk_bytes, static_cast<char>('a' + i % 26));
        body += "\r\n";
    }
    body += "0\r\nServer-Timing: total;dur=12\r\n\r\n";
    return body;
}

// Decodes a chunked body into a second buffer, so the input need not be restored between
// iterations; the work is the same as in place (a memmove over the data, a state machine
// over the framing).
void decode(benchmark::State& state, const std::string& body) {
    const limits lim;
    chunked_decoder decoder(lim);
    std::vector<char> out(body.size());
    for (auto _ : state) {
        decoder.reset();
        const chunked_result r = decoder.feed(body, out.data());
        if (r.state != parse_status::complete) {
            state.SkipWithError("body did not decode");
            return;
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}

void BM_decode_chunked_small(benchmark::State& state) {
    decode(state, "10\r\n{\"message\":\"hi\"}\r\n0\r\n\r\n");
}
void BM_decode_chunked_16k_in_1k_chunks(benchmark::State& state) {
    decode(state, chunked_body(1024, 16, true));
}
void BM_decode_chunked_64b_chunks(benchmark::State& state) {
    decode(state, chunked_body(64, 64, false));
}

constexpr int repetitions = 5;

BENCHMARK(BM_parse_wrk_get)->Repetitions(repetitions)->DisplayAggregatesOnly(true);
BENCHMARK(BM_parse_browser_get)->Repetitions(repetitions)->DisplayAggregatesOnly(true);
BENCHMARK(BM_parse_post_content_length)->Repetitions(repetitions)->DisplayAggregatesOnly(true);
BENCHMARK(BM_parse_wrk_get_pipelined_16)->Repetitions(repetitions)->DisplayAggregatesOnly(true);
BENCHMARK(BM_decode_chunked_small)->Repetitions(repetitions)->DisplayAggregatesOnly(true);
BENCHMARK(BM_decode_chunked_16k_in_1k_chunks)->Repetitions(repetitions)->DisplayAggregatesOnly(true);
BENCHMARK(BM_decode_chunked_64b_chunks)->Repetitions(repetitions)->DisplayAggregatesOnly(true);

} // namespace
