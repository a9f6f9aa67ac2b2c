// Error rows of the head table about body framing: Content-Length, Transfer-Encoding and
// the request-smuggling shapes built from them (RFC 9112 §6).
#include "unit/http/head_cases.h"

namespace rpslab::http::test {

std::vector<head_case> framing_error_rows() {
    const std::string_view post = "POST / HTTP/1.1\r\nHost: a\r\n";
    static const std::vector<std::string> inputs = [post] {
        const char* tails[] = {
            "Content-Length: -1\r\n\r\n",
            "Content-Length: +5\r\n\r\n",
            "Content-Length: 5, 5\r\n\r\n",
            "Content-Length: 1 2\r\n\r\n",
            "Content-Length: 0x10\r\n\r\n",
            "Content-Length:\r\n\r\n",
            "Content-Length: 9223372036854775808\r\n\r\n",
            "Content-Length: 99999999999999999999999\r\n\r\n",
            "Content-Length: 5\r\nContent-Length: 5\r\n\r\n",
            "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "Content-Length: 16777217\r\n\r\n",
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
            "Transfer-Encoding: gzip\r\n\r\n",
            "Transfer-Encoding: chunked, gzip\r\n\r\n",
            "Transfer-Encoding: gzip, chunked\r\n\r\n",
            "Transfer-Encoding: identity, chunked\r\n\r\n",
            "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
            "Transfer-Encoding: chunked, chunked\r\n\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "Transfer-Encoding:\r\n\r\n",
            "Transfer-Encoding: chunked,\r\n\r\n",
            "Transfer-Encoding: , chunked\r\n\r\n",
            "Transfer-Encoding: chunked x\r\n\r\n",
            "Transfer-Encoding: chunked;a=b\r\n\r\n",
            "Transfer-Encoding: xchunked\r\n\r\n",
            "Transfer-Encoding : chunked\r\n\r\n",
            "Transfer-Encoding: x\r\n chunked\r\n\r\n",
            "Transfer-Encoding:\r\n chunked\r\n\r\n",
            ("Transfer-Encoding:\x0b"
             "chunked\r\n\r\n"),
            "Transfer-Encoding: gzip;q=1, chunked\r\n\r\n",
            "Transfer-Encoding: x;p=\"a,b\", chunked\r\n\r\n",
            "Transfer-Encoding: x;p=\"a\r\n\r\n",
            "X: y\nTransfer-Encoding: chunked\r\n\r\n",
            " Transfer-Encoding: chunked\r\n\r\n",
            "Transfer-Encoding\r\n: chunked\r\n\r\n",
            "Transfer-Encoding: \"chunked\"\r\n\r\n",
            "Content-Length: 5\r\nTransfer-Encoding: identity\r\n\r\n",
        };
        std::vector<std::string> v;
        for (const char* t : tails) {
            v.push_back(std::string(post) + t);
        }
        v.push_back("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n");
        v.push_back("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n");
        return v;
    }();
    std::size_t i = 0;
    auto next = [&] {
        return std::string_view(inputs.at(i++));
    };
    return {
        bad("content_length_negative", next(), s400, "invalid Content-Length"),
        bad("content_length_plus_sign", next(), s400, "invalid Content-Length"),
        bad("content_length_list", next(), s400, "invalid Content-Length"),
        bad("content_length_inner_space", next(), s400, "invalid Content-Length"),
        bad("content_length_hex", next(), s400, "invalid Content-Length"),
        bad("content_length_empty", next(), s400, "invalid Content-Length"),
        bad("content_length_2_pow_63", next(), s400, "invalid Content-Length", {.max_body_bytes = max_u64}),
        bad("content_length_overflow", next(), s400, "invalid Content-Length"),
        bad("content_length_duplicate_same", next(), s400, "duplicate Content-Length"),
        bad("content_length_duplicate_different", next(), s400, "duplicate Content-Length"),
        bad("content_length_over_body_limit", next(), s413, "Content-Length over limit"),
        bad("smuggle_cl_te", next(), s400, "Content-Length with Transfer-Encoding"),
        bad("smuggle_te_cl", next(), s400, "Content-Length with Transfer-Encoding"),
        bad("te_gzip_only", next(), s400, "final transfer coding is not chunked"),
        bad("te_chunked_then_gzip", next(), s400, "final transfer coding is not chunked"),
        bad("te_gzip_then_chunked", next(), s501, "unsupported transfer coding"),
        bad("te_identity_then_chunked", next(), s501, "unsupported transfer coding"),
        bad("te_two_lines_gzip_chunked", next(), s501, "unsupported transfer coding"),
        bad("te_two_lines_chunked_gzip", next(), s400, "final transfer coding is not chunked"),
        bad("te_chunked_twice", next(), s400, "chunked applied more than once"),
        bad("te_chunked_twice_two_lines", next(), s400, "chunked applied more than once"),
        bad("te_empty", next(), s400, "invalid Transfer-Encoding"),
        bad("te_trailing_comma", next(), s400, "invalid Transfer-Encoding"),
        bad("te_leading_comma", next(), s400, "invalid Transfer-Encoding"),
        bad("te_garbage_after_coding", next(), s400, "invalid Transfer-Encoding"),
        bad("te_chunked_with_parameter", next(), s400, "invalid Transfer-Encoding"),
        bad("smuggle_te_xchunked", next(), s400, "final transfer coding is not chunked"),
        bad("smuggle_te_space_before_colon", next(), s400, "whitespace before colon"),
        bad("smuggle_te_obs_fold", next(), s400, "obs-fold in field line"),
        bad("smuggle_te_empty_then_fold", next(), s400, "invalid Transfer-Encoding"),
        bad("smuggle_te_vertical_tab", next(), s400, "invalid byte in field value"),
        bad("te_parameter_then_chunked", next(), s501, "unsupported transfer coding"),
        bad("te_quoted_parameter_with_comma", next(), s501, "unsupported transfer coding"),
        bad("te_unterminated_quoted_parameter", next(), s400, "invalid Transfer-Encoding"),
        bad("smuggle_bare_lf_before_te", next(), s400, "bare LF in head"),
        bad("smuggle_te_leading_space_line", next(), s400, "obs-fold in field line"),
        bad("smuggle_te_name_newline", next(), s400, "field line without colon"),
        bad("smuggle_te_quoted_chunked", next(), s400, "invalid Transfer-Encoding"),
        bad("smuggle_cl_te_identity", next(), s400, "Content-Length with Transfer-Encoding"),
        bad("te_in_http10", next(), s400, "Transfer-Encoding in HTTP/1.0"),
        bad("te_and_cl_in_http10", next(), s400, "Transfer-Encoding in HTTP/1.0"),
    };
}

} // namespace rpslab::http::test
