"""The table of malformed and hostile requests (DESIGN.md "Bad input", docs/serve.md "Status
codes"), one named row per case, grouped by category. test_hostile.py replays every row with a
valid request pipelined behind it; test_bad_input.py replays some of them trickled byte by
byte and after valid requests.

A row's status is the one status the server must answer, after which it closes the
connection. `None` marks a request cut short by the client's end of input (it half-closes):
no response at all, and the connection closed.

Limit rows assume the small limits of LIMIT_FLAGS (line 1024, head 8192 bytes, 20 fields,
body 65536), so that they stay cheap.
"""

from __future__ import annotations

from typing import NamedTuple

from httpclient import get, req

LINE_LIMIT, HEAD_LIMIT, COUNT_LIMIT, BODY_LIMIT = 1024, 8192, 20, 65536
LIMIT_FLAGS = ("--max-request-line-bytes", str(LINE_LIMIT), "--max-header-bytes", str(HEAD_LIMIT),
               "--max-header-count", str(COUNT_LIMIT), "--max-body-bytes", str(BODY_LIMIT))

VALID = b"GET /simple HTTP/1.1\r\nHost: x\r\n\r\n"
H = b"Host: x\r\n"


class Case(NamedTuple):
    category: str
    name: str
    raw: bytes
    status: int | None


def post_chunked(body: bytes) -> bytes:
    return b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + body


def post_te(value: bytes, body: bytes = b"3\r\nabc\r\n0\r\n\r\n") -> bytes:
    return b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: " + value + b"\r\n\r\n" + body


def post_cl(value: bytes, body: bytes = b"abc") -> bytes:
    return b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: " + value + b"\r\n\r\n" + body


def get_line(line: bytes) -> bytes:
    return line + b"\r\n" + H + b"\r\n"


def get_fields(fields: bytes) -> bytes:
    """GET /simple with Host and then `fields` (each line with its CRLF)."""
    return b"GET /simple HTTP/1.1\r\n" + H + fields + b"\r\n"


def get_host(fields: bytes) -> bytes:
    """GET /simple with exactly `fields` (the Host lines under test)."""
    return b"GET /simple HTTP/1.1\r\n" + fields + b"\r\n"


def headers(n: int) -> bytes:
    return b"".join(b"X-H%d: v\r\n" % i for i in range(n))


_ROWS = {
    "request line": [
        ("garbage", b"GARBAGE\r\n\r\n", 400),
        ("no_target", get_line(b"GET HTTP/1.1"), 400),
        ("no_version", get_line(b"GET /simple"), 400),
        ("trailing_token", get_line(b"GET /simple HTTP/1.1 extra"), 400),
        ("space_before_crlf", get_line(b"GET /simple HTTP/1.1 "), 400),
        ("two_spaces_after_method", get_line(b"GET  /simple HTTP/1.1"), 400),
        ("two_spaces_before_version", get_line(b"GET /simple  HTTP/1.1"), 400),
        ("tab_separator", get_line(b"GET\t/simple HTTP/1.1"), 400),
        ("leading_space", get_line(b" GET /simple HTTP/1.1"), 400),
        ("two_empty_lines_first", b"\r\n\r\n" + get_line(b"GET /simple HTTP/1.1"), 400),
        ("bare_lf_empty_line_first", b"\n" + get_line(b"GET /simple HTTP/1.1"), 400),
        ("bare_cr_after_request_line", b"GET /simple HTTP/1.1\r" + H + b"\r\n", 400),
        ("bare_lf_after_request_line", b"GET /simple HTTP/1.1\n" + H + b"\r\n", 400),
        ("binary_noise", bytes(range(256)) + b"\r\n\r\n", 400),
    ],
    "method": [
        ("empty_method", get_line(b" /simple HTTP/1.1"), 400),
        ("bad_char_in_method", get_line(b"G(T /simple HTTP/1.1"), 400),
        ("slash_in_method", get_line(b"GE/T /simple HTTP/1.1"), 400),
        ("nul_in_method", get_line(b"GE\x00T /simple HTTP/1.1"), 400),
        ("non_ascii_method", get_line(b"G\xc3\x89T /simple HTTP/1.1"), 400),
        ("method_over_line_limit", get_line(b"G" * (2 * LINE_LIMIT) + b" /simple HTTP/1.1"), 414),
    ],
    "target": [
        ("space_in_target", get_line(b"GET /sim ple HTTP/1.1"), 400),
        ("nul_in_target", get_line(b"GET /sim\x00ple HTTP/1.1"), 400),
        ("ctl_in_target", get_line(b"GET /sim\x01ple HTTP/1.1"), 400),
        ("del_in_target", get_line(b"GET /sim\x7fple HTTP/1.1"), 400),
        ("non_ascii_in_target", get_line(b"GET /sim\xc3\xa9ple HTTP/1.1"), 400),
        ("tab_in_query", get_line(b"GET /simple?a=\tb HTTP/1.1"), 400),
        ("nul_in_query", get_line(b"GET /simple?a=\x00 HTTP/1.1"), 400),
        ("target_not_origin_form", get_line(b"GET simple HTTP/1.1"), 400),
        ("asterisk_form_with_get", get_line(b"GET * HTTP/1.1"), 400),
        ("asterisk_form_with_post", b"POST * HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n\r\n", 400),
        ("absolute_form_userinfo", get_line(b"GET http://user@x/simple HTTP/1.1"), 400),
        ("absolute_form_empty_authority", get_line(b"GET http:///simple HTTP/1.1"), 400),
        ("absolute_form_port_not_digits", get_line(b"GET http://x:8o/simple HTTP/1.1"), 400),
        ("absolute_form_unclosed_ipv6", get_line(b"GET http://[::1/simple HTTP/1.1"), 400),
        ("absolute_form_bad_ipv6", get_line(b"GET http://[1:2:3]/simple HTTP/1.1"), 400),
        ("absolute_form_bad_pct_encoding", get_line(b"GET http://a%zz/simple HTTP/1.1"), 400),
        ("absolute_form_unknown_scheme", get_line(b"GET ftp://x/simple HTTP/1.1"), 400),
        ("absolute_form_without_slashes", get_line(b"GET http:x/simple HTTP/1.1"), 400),
        ("absolute_form_without_host_field", b"GET http://x/simple HTTP/1.1\r\n\r\n", 400),
        ("connect_origin_form", get_line(b"CONNECT /simple HTTP/1.1"), 400),
        ("connect_without_port", get_line(b"CONNECT x HTTP/1.1"), 400),
    ],
    "version": [
        ("lowercase_http_name", get_line(b"GET /simple http/1.1"), 400),
        ("version_garbage", get_line(b"GET /simple HTTP/x.y"), 400),
        ("version_without_minor", get_line(b"GET /simple HTTP/1"), 400),
        ("version_two_digit_minor", get_line(b"GET /simple HTTP/1.10"), 400),
        ("version_two_digit_major", get_line(b"GET /simple HTTP/11.1"), 400),
        ("version_comma", get_line(b"GET /simple HTTP/1,1"), 400),
        ("https_name", get_line(b"GET /simple HTTPS/1.1"), 400),
        ("http_2_0", get_line(b"GET /simple HTTP/2.0"), 505),
        ("http_3_0", get_line(b"GET /simple HTTP/3.0"), 505),
        ("http_0_9", get_line(b"GET /simple HTTP/0.9"), 505),
        ("http_9_1", get_line(b"GET /simple HTTP/9.1"), 505),
    ],
    "field name": [
        ("field_without_colon", get_fields(b"X-A b\r\n"), 400),
        ("empty_field_name", get_fields(b": b\r\n"), 400),
        ("space_in_field_name", get_fields(b"X A: b\r\n"), 400),
        ("bad_char_in_field_name", get_fields(b"X(A): b\r\n"), 400),
        ("nul_in_field_name", get_fields(b"X\x00A: b\r\n"), 400),
        ("non_ascii_field_name", get_fields(b"X-\xc3\xa9: b\r\n"), 400),
        ("space_before_colon", get_fields(b"X-A : b\r\n"), 400),
        ("tab_before_colon", get_fields(b"X-A\t: b\r\n"), 400),
        ("space_before_colon_on_host", b"GET /simple HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        ("space_before_first_field", b"GET /simple HTTP/1.1\r\n Host: x\r\n\r\n", 400),
        ("tab_before_first_field", b"GET /simple HTTP/1.1\r\n\tHost: x\r\n\r\n", 400),
    ],
    "field value": [
        ("nul_in_value", get_fields(b"X-A: a\x00b\r\n"), 400),
        ("ctl_in_value", get_fields(b"X-A: a\x01b\r\n"), 400),
        ("esc_in_value", get_fields(b"X-A: a\x1bb\r\n"), 400),
        ("del_in_value", get_fields(b"X-A: a\x7fb\r\n"), 400),
        ("obs_fold_space", get_fields(b"X-A: a\r\n b\r\n"), 400),
        ("obs_fold_tab", get_fields(b"X-A: a\r\n\tb\r\n"), 400),
        ("obs_fold_on_host", b"GET /simple HTTP/1.1\r\nHost: x\r\n y\r\n\r\n", 400),
        ("invalid_connection_option", get_fields(b"Connection: close;x\r\n"), 400),
    ],
    "line ending": [
        ("bare_lf_after_field", get_fields(b"X-A: b\nX-B: c\r\n"), 400),
        ("bare_lf_final", b"GET /simple HTTP/1.1\r\n" + H + b"\n", 400),
        ("bare_lf_everywhere", b"GET /simple HTTP/1.1\nHost: x\n\n", 400),
        ("bare_cr_in_value", get_fields(b"X-A: a\rb\r\n"), 400),
        ("bare_cr_final", b"GET /simple HTTP/1.1\r\n" + H + b"\r\r\n", 400),
        ("cr_cr_lf", b"GET /simple HTTP/1.1\r\nHost: x\r\r\n\r\n", 400),
        ("lf_cr_final", b"GET /simple HTTP/1.1\r\n" + H + b"\n\r\n", 400),
    ],
    "host": [
        ("missing_host", get_host(b"X-A: b\r\n"), 400),
        ("two_hosts", get_host(b"Host: a\r\nHost: b\r\n"), 400),
        ("two_equal_hosts", get_host(b"Host: a\r\nhost: a\r\n"), 400),
        ("host_list", get_host(b"Host: a, b\r\n"), 400),
        ("host_with_userinfo", get_host(b"Host: u@x\r\n"), 400),
        ("host_with_path", get_host(b"Host: x/simple\r\n"), 400),
        ("host_port_not_digits", get_host(b"Host: x:http\r\n"), 400),
        ("host_two_ports", get_host(b"Host: x:1:2\r\n"), 400),
        ("host_with_space", get_host(b"Host: a b\r\n"), 400),
        ("host_unclosed_ipv6", get_host(b"Host: [::1\r\n"), 400),
        ("host_bad_pct_encoding", get_host(b"Host: a%g0\r\n"), 400),
    ],
    "content-length": [
        ("cl_negative", post_cl(b"-1", b""), 400),
        ("cl_plus_sign", post_cl(b"+3"), 400),
        ("cl_hex", post_cl(b"0x3"), 400),
        ("cl_letters", post_cl(b"abc", b""), 400),
        ("cl_empty", post_cl(b"", b""), 400),
        ("cl_inner_space", post_cl(b"1 2", b""), 400),
        ("cl_decimal_point", post_cl(b"3.0"), 400),
        ("cl_overflow_u64", post_cl(b"184467440737095516160", b""), 400),
        ("cl_overflow_i64", post_cl(b"9223372036854775808", b""), 400),
        ("cl_list_equal", post_cl(b"3, 3"), 400),
        ("cl_list_different", post_cl(b"3,4"), 400),
        ("cl_duplicate_equal", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
         400),
        ("cl_duplicate_different", b"POST /echo HTTP/1.1\r\n" + H
         + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
    ],
    "content-length with transfer-encoding": [
        ("cl_then_te", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 8\r\nTransfer-Encoding: chunked\r\n\r\n"
         + b"3\r\nabc\r\n0\r\n\r\n", 400),
        ("te_then_cl", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nContent-Length: 8\r\n\r\n"
         + b"3\r\nabc\r\n0\r\n\r\n", 400),
        ("cl_zero_and_te", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n"
         + b"3\r\nabc\r\n0\r\n\r\n", 400),
        ("cl_and_unknown_te", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nTransfer-Encoding: gzip\r\n\r\n"
         + b"abc", 400),
    ],
    "transfer-encoding": [
        # RFC 9112 §6.3: a final coding other than chunked MUST be 400, which outranks §6.1's
        # SHOULD 501 for an unknown coding; a coding we do not know before a final chunked is 501.
        ("te_gzip", post_te(b"gzip", b""), 400),
        ("te_identity", post_te(b"identity", b""), 400),
        ("te_unknown_token", post_te(b"xchunked", b""), 400),
        ("te_gzip_chunked", post_te(b"gzip, chunked"), 501),
        ("te_deflate_chunked", post_te(b"deflate,chunked"), 501),
        ("te_unknown_chunked", post_te(b"rot13, chunked"), 501),
        ("te_chunked_not_final", post_te(b"chunked, gzip", b""), 400),
        ("te_chunked_twice", post_te(b"chunked, chunked"), 400),
        ("te_chunked_in_two_fields", b"POST /echo HTTP/1.1\r\n" + H
         + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
        ("te_chunked_then_gzip_field", b"POST /echo HTTP/1.1\r\n" + H
         + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
        ("te_empty", post_te(b"", b""), 400),
        ("te_empty_element", post_te(b"gzip,,chunked"), 400),
        ("te_trailing_comma", post_te(b"chunked,"), 400),
        ("te_chunked_with_parameter", post_te(b"chunked;q=1"), 400),
        ("te_in_http10", b"POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
    ],
    "chunk size": [
        ("chunk_size_not_hex", post_chunked(b"zz\r\nabc\r\n0\r\n\r\n"), 400),
        ("chunk_size_empty", post_chunked(b"\r\nabc\r\n0\r\n\r\n"), 400),
        ("chunk_size_negative", post_chunked(b"-3\r\nabc\r\n0\r\n\r\n"), 400),
        ("chunk_size_0x_prefix", post_chunked(b"0x3\r\nabc\r\n0\r\n\r\n"), 400),
        ("chunk_size_leading_space", post_chunked(b" 3\r\nabc\r\n0\r\n\r\n"), 400),
        ("chunk_size_trailing_space", post_chunked(b"3 \r\nabc\r\n0\r\n\r\n"), 400),
        # A size past the body limit is refused with 413 at the digit that crosses it, before
        # it could overflow.
        ("chunk_size_overflow", post_chunked(b"100000000000000000003\r\nabc\r\n0\r\n\r\n"), 413),
        ("chunk_size_bare_lf", post_chunked(b"3\nabc\r\n0\r\n\r\n"), 400),
        ("chunk_size_bare_cr", post_chunked(b"3\rabc\r\n0\r\n\r\n"), 400),
        ("chunk_data_longer_than_size", post_chunked(b"3\r\nabcdef\r\n0\r\n\r\n"), 400),
        ("chunk_data_without_crlf", post_chunked(b"3\r\nabc0\r\n\r\n"), 400),
        ("chunk_data_bare_lf", post_chunked(b"3\r\nabc\n0\r\n\r\n"), 400),
        ("last_chunk_bare_lf", post_chunked(b"3\r\nabc\r\n0\r\n\n"), 400),
    ],
    "chunk extension": [
        ("ext_without_name", post_chunked(b"3;\r\nabc\r\n0\r\n\r\n"), 400),
        ("ext_empty_name", post_chunked(b"3;=v\r\nabc\r\n0\r\n\r\n"), 400),
        ("ext_empty_value", post_chunked(b"3;a=\r\nabc\r\n0\r\n\r\n"), 400),
        ("ext_space_in_value", post_chunked(b"3;a=b c\r\nabc\r\n0\r\n\r\n"), 400),
        ("ext_unterminated_quote", post_chunked(b'3;a="b\r\nabc\r\n0\r\n\r\n'), 400),
        ("ext_nul", post_chunked(b"3;a\x00\r\nabc\r\n0\r\n\r\n"), 400),
        ("ext_bare_lf", post_chunked(b"3;a=b\nabc\r\n0\r\n\r\n"), 400),
        ("ext_on_last_chunk_bad", post_chunked(b"3\r\nabc\r\n0;(\r\n\r\n"), 400),
    ],
    "trailer": [
        ("trailer_without_colon", post_chunked(b"3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n"), 400),
        ("trailer_space_before_colon", post_chunked(b"3\r\nabc\r\n0\r\nX-T : v\r\n\r\n"), 400),
        ("trailer_obs_fold", post_chunked(b"3\r\nabc\r\n0\r\nX-T: v\r\n w\r\n\r\n"), 400),
        ("trailer_nul", post_chunked(b"3\r\nabc\r\n0\r\nX-T: \x00\r\n\r\n"), 400),
        ("trailer_bare_lf", post_chunked(b"3\r\nabc\r\n0\r\nX-T: v\n\r\n"), 400),
        ("trailer_bare_cr", post_chunked(b"3\r\nabc\r\n0\r\nX-T: v\rw\r\n\r\n"), 400),
        ("trailer_empty_name", post_chunked(b"3\r\nabc\r\n0\r\n: v\r\n\r\n"), 400),
    ],
    "truncated body": [
        # The valid request behind these is swallowed as body bytes: it must not be answered.
        ("chunk_data_cut_by_next_request", post_chunked(b"5\r\nab"), 400),
        ("last_chunk_missing", post_chunked(b"3\r\nabc\r\n"), 400),
        ("chunk_crlf_missing", post_chunked(b"3\r\nabc"), 400),
        ("content_length_body_cut_at_eof", post_cl(b"100", b"abcde"), None),
        ("chunked_body_cut_at_eof", post_chunked(b"40\r\n" + b"a" * 10), None),
        ("second_chunk_cut_at_eof", post_chunked(b"3\r\nabc\r\n100;e=1\r\n" + b"a" * 10), None),
    ],
    "http/2": [
        ("h2_preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        ("h2_preface_and_settings", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00", 505),
        ("h2c_upgrade_version", get_line(b"GET /simple HTTP/2"), 400),
    ],
    "limits": [
        ("request_line_over_limit", get("/simple?" + "a" * (2 * LINE_LIMIT)), 414),
        ("target_over_limit_on_post", req("POST", "/echo?" + "b" * (2 * LINE_LIMIT), [], b"abc"), 414),
        ("field_over_header_limit", get("/simple", [("X-Big", "v" * (HEAD_LIMIT + 100))]), 431),
        ("many_fields_over_header_limit", get("/simple", [(f"X-F{i}", "v" * 600) for i in range(15)]), 431),
        ("fields_over_count_limit", get_fields(headers(COUNT_LIMIT)), 431),
        ("body_over_limit", req("POST", "/echo", [("Content-Length", str(BODY_LIMIT + 1))]), 413),
        ("body_far_over_limit", req("POST", "/echo", [("Content-Length", str(1 << 40))]), 413),
        ("chunk_over_body_limit", post_chunked(b"%x\r\n" % (BODY_LIMIT + 1) + b"z" * (BODY_LIMIT + 1)
                                               + b"\r\n0\r\n\r\n"), 413),
        ("chunks_sum_over_body_limit", post_chunked(b"".join(b"400\r\n" + b"q" * 1024 + b"\r\n" for _ in range(70))
                                                    + b"0\r\n\r\n"), 413),
        ("chunk_extensions_over_limit", post_chunked(b"".join(b"1;e=" + b"x" * 1000 + b"\r\na\r\n" for _ in range(10))
                                                     + b"0\r\n\r\n"), 413),
        ("trailer_fields_over_count_limit", post_chunked(b"3\r\nabc\r\n0\r\n" + headers(COUNT_LIMIT + 1) + b"\r\n"),
         431),
    ],
}

CASES: list[Case] = [Case(category, *row) for category, rows in _ROWS.items() for row in rows]
CATEGORIES = list(_ROWS)
BY_NAME = {c.name: c for c in CASES}

assert len(BY_NAME) == len(CASES), "duplicate case names"
