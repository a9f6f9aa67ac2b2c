"""Bad input (DESIGN.md "Bad input"): each malformed or hostile request gets its precise status,
`Connection: close`, a text/plain body, and the connection is closed; a valid request pipelined
behind it is never answered.

Most cases run against a server with small limits (line 1024, head 8192 bytes, 20 fields,
body 65536) so that limit cases stay cheap; the default limits are checked at their edges
against the shared default server.
"""

from __future__ import annotations

import random
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import serverproc
from httpclient import Closed, Conn, ProtocolError, chunked, get, req

LINE_LIMIT, HEAD_LIMIT, COUNT_LIMIT, BODY_LIMIT = 1024, 8192, 20, 65536

_small = serverproc.module_server("--workers", "1", "--max-request-line-bytes", str(LINE_LIMIT),
                                  "--max-header-bytes", str(HEAD_LIMIT), "--max-header-count", str(COUNT_LIMIT),
                                  "--max-body-bytes", str(BODY_LIMIT))


@pytest.fixture
def small(_small):
    yield from serverproc.alive_check(_small)


VALID = b"GET /simple HTTP/1.1\r\nHost: x\r\n\r\n"
H = b"Host: x\r\n"


def post_chunked(body: bytes) -> bytes:
    return b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + body


def headers(n: int) -> bytes:
    return b"".join(b"X-H%d: v\r\n" % i for i in range(n))


CASES = [
    # request line
    ("garbage", b"GARBAGE\r\n\r\n", 400),
    ("no_target", b"GET HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("no_version", b"GET /simple\r\n" + H + b"\r\n", 400),
    ("lowercase_http_name", b"GET /simple http/1.1\r\n" + H + b"\r\n", 400),
    ("version_garbage", b"GET /simple HTTP/x.y\r\n" + H + b"\r\n", 400),
    ("version_without_minor", b"GET /simple HTTP/1\r\n" + H + b"\r\n", 400),
    ("version_two_digit_minor", b"GET /simple HTTP/1.10\r\n" + H + b"\r\n", (400, 505)),
    ("trailing_token", b"GET /simple HTTP/1.1 extra\r\n" + H + b"\r\n", 400),
    ("space_in_target", b"GET /sim ple HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("target_not_origin_form", b"GET simple HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("nul_in_target", b"GET /sim\x00ple HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("ctl_in_target", b"GET /sim\x01ple HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("empty_method", b" /simple HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("bad_char_in_method", b"G(T /simple HTTP/1.1\r\n" + H + b"\r\n", 400),
    # line endings
    ("bare_lf_after_request_line", b"GET /simple HTTP/1.1\n" + H + b"\r\n", 400),
    ("bare_lf_after_field", b"GET /simple HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n", 400),
    ("bare_lf_final", b"GET /simple HTTP/1.1\r\n" + H + b"\n", 400),
    ("bare_lf_everywhere", b"GET /simple HTTP/1.1\nHost: x\n\n", 400),
    ("bare_cr_after_request_line", b"GET /simple HTTP/1.1\r" + H + b"\r\n", 400),
    ("bare_cr_in_value", b"GET /simple HTTP/1.1\r\n" + H + b"X-A: a\rb\r\n\r\n", 400),
    ("cr_cr_lf", b"GET /simple HTTP/1.1\r\nHost: x\r\r\n\r\n", 400),
    # header fields
    ("field_without_colon", b"GET /simple HTTP/1.1\r\n" + H + b"X-A b\r\n\r\n", 400),
    ("empty_field_name", b"GET /simple HTTP/1.1\r\n" + H + b": b\r\n\r\n", 400),
    ("space_in_field_name", b"GET /simple HTTP/1.1\r\n" + H + b"X A: b\r\n\r\n", 400),
    ("bad_char_in_field_name", b"GET /simple HTTP/1.1\r\n" + H + b"X(A): b\r\n\r\n", 400),
    ("space_before_colon", b"GET /simple HTTP/1.1\r\n" + H + b"X-A : b\r\n\r\n", 400),
    ("tab_before_colon", b"GET /simple HTTP/1.1\r\n" + H + b"X-A\t: b\r\n\r\n", 400),
    ("space_before_colon_host", b"GET /simple HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    ("obs_fold_space", b"GET /simple HTTP/1.1\r\n" + H + b"X-A: a\r\n b\r\n\r\n", 400),
    ("obs_fold_tab", b"GET /simple HTTP/1.1\r\n" + H + b"X-A: a\r\n\tb\r\n\r\n", 400),
    ("whitespace_before_first_field", b"GET /simple HTTP/1.1\r\n Host: x\r\n\r\n", 400),
    ("nul_in_value", b"GET /simple HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n", 400),
    ("ctl_in_value", b"GET /simple HTTP/1.1\r\n" + H + b"X-A: a\x01b\r\n\r\n", 400),
    # Host (RFC 9112 §3.2)
    ("missing_host", b"GET /simple HTTP/1.1\r\nX-A: b\r\n\r\n", 400),
    ("two_hosts", b"GET /simple HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ("two_equal_hosts", b"GET /simple HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400),
    # framing (request smuggling)
    ("cl_and_te", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 8\r\nTransfer-Encoding: chunked\r\n\r\n"
     + b"3\r\nabc\r\n0\r\n\r\n", 400),
    ("te_and_cl", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nContent-Length: 8\r\n\r\n"
     + b"3\r\nabc\r\n0\r\n\r\n", 400),
    ("duplicate_cl_equal", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
    ("duplicate_cl_different", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
     400),
    ("cl_list", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3, 3\r\n\r\nabc", 400),
    ("cl_negative", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n", 400),
    ("cl_plus_sign", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: +3\r\n\r\nabc", 400),
    ("cl_hex", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 0x3\r\n\r\nabc", 400),
    ("cl_letters", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: abc\r\n\r\n", 400),
    ("cl_empty", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: \r\n\r\n", 400),
    ("cl_inner_space", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 1 2\r\n\r\n", 400),
    ("cl_decimal_point", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3.0\r\n\r\nabc", 400),
    ("cl_overflow", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 184467440737095516160\r\n\r\n", (400, 413)),
    # transfer codings
    # RFC 9112 §6.3: chunked not final MUST be 400, which outranks §6.1's SHOULD 501 for an
    # unknown coding; a coding we do not know before a final chunked is the 501 case.
    ("te_gzip", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n", 400),
    ("te_gzip_chunked", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n"
     + b"3\r\nabc\r\n0\r\n\r\n", 501),
    ("te_identity", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: identity\r\n\r\n", 400),
    ("te_chunked_not_last", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, gzip\r\n\r\n", (400, 501)),
    ("te_empty", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: \r\n\r\n", (400, 501)),
    # versions
    ("http_2_0", b"GET /simple HTTP/2.0\r\n" + H + b"\r\n", 505),
    ("http_3_0", b"GET /simple HTTP/3.0\r\n" + H + b"\r\n", 505),
    ("http_0_9", b"GET /simple HTTP/0.9\r\n" + H + b"\r\n", (400, 505)),
    ("h2_preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", (400, 501, 505)),
    # chunked bodies
    ("chunk_size_not_hex", post_chunked(b"zz\r\nabc\r\n0\r\n\r\n"), 400),
    ("chunk_size_empty", post_chunked(b"\r\nabc\r\n0\r\n\r\n"), 400),
    ("chunk_size_negative", post_chunked(b"-3\r\nabc\r\n0\r\n\r\n"), 400),
    ("chunk_data_longer_than_size", post_chunked(b"3\r\nabcdef\r\n0\r\n\r\n"), 400),
    ("chunk_data_without_crlf", post_chunked(b"3\r\nabc0\r\n\r\n"), 400),
    ("chunk_size_bare_lf", post_chunked(b"3\nabc\r\n0\r\n\r\n"), 400),
    ("chunk_data_bare_lf", post_chunked(b"3\r\nabc\n0\r\n\r\n"), 400),
    ("last_chunk_bare_lf", post_chunked(b"3\r\nabc\r\n0\r\n\n"), 400),
    ("bad_trailer_field", post_chunked(b"3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n"), 400),
    ("chunk_size_overflow", post_chunked(b"100000000000000000003\r\nabc\r\n0\r\n\r\n"), (400, 413)),
    # limits of the small server
    ("request_line_over_limit", get("/simple?" + "a" * (2 * LINE_LIMIT)), 414),
    ("target_over_limit_on_post", req("POST", "/echo?" + "b" * (2 * LINE_LIMIT), [], b"abc"), 414),
    ("field_over_header_limit", get("/simple", [("X-Big", "v" * (HEAD_LIMIT + 100))]), 431),
    ("many_fields_over_header_limit", get("/simple", [(f"X-F{i}", "v" * 600) for i in range(15)]), 431),
    ("fields_over_count_limit", b"GET /simple HTTP/1.1\r\n" + H + headers(COUNT_LIMIT) + b"\r\n", 431),
    ("body_over_limit", req("POST", "/echo", [("Content-Length", str(BODY_LIMIT + 1))]), 413),
    ("body_far_over_limit", req("POST", "/echo", [("Content-Length", str(1 << 40))]), 413),
    ("chunk_over_body_limit", post_chunked(b"%x\r\n" % (BODY_LIMIT + 1) + b"z" * (BODY_LIMIT + 1) + b"\r\n0\r\n\r\n"),
     413),
    ("chunks_sum_over_body_limit", post_chunked(b"".join(b"400\r\n" + b"q" * 1024 + b"\r\n" for _ in range(70))
                                                + b"0\r\n\r\n"), 413),
]


def _expect_error(port: int, raw: bytes, statuses: tuple[int, ...], name: str, timeout: float = 5.0):
    with Conn(port) as c:
        try:
            c.send(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before it read everything
        r = c.read_response(timeout=timeout)
        assert r.status in statuses, f"{name}: got {r.status} {r.reason!r} {r.body[:200]!r}, want {statuses}"
        assert "close" in r.connection_tokens(), f"{name}: error response without Connection: close: {r.fields}"
        assert r.media_type() == "text/plain", f"{name}: Content-Type {r.get('Content-Type')}"
        assert r.body, f"{name}: empty error body"
        try:
            extra = c.expect_closed(5)
        except TimeoutError:
            pytest.fail(f"{name}: connection still open 5 s after the {r.status}")
        assert extra == b"", f"{name}: more bytes after the error response (pipelined request answered?): " \
                             f"{extra[:200]!r}"
        return r


@pytest.mark.parametrize("name,raw,status", CASES, ids=[c[0] for c in CASES])
def test_bad_request_then_valid_pipelined(small, name, raw, status):
    statuses = status if isinstance(status, tuple) else (status,)
    _expect_error(small.port, raw + VALID, statuses, name)


AFTER_VALID = [c for c in CASES if c[0] in ("bare_lf_after_field", "cl_and_te", "missing_host", "obs_fold_space",
                                             "http_2_0", "te_gzip", "chunk_data_longer_than_size")]


@pytest.mark.parametrize("name,raw,status", AFTER_VALID, ids=[c[0] for c in AFTER_VALID])
def test_bad_request_after_valid_ones(small, name, raw, status):
    """Valid requests before the bad one are answered; nothing after it is."""
    statuses = status if isinstance(status, tuple) else (status,)
    with Conn(small.port) as c:
        c.send(VALID + req("POST", "/echo", [], b"first") + raw + VALID)
        r1 = c.read_response()
        r2 = c.read_response()
        assert (r1.status, r1.body) == (200, b'{"message":"hi"}')
        assert (r2.status, r2.body) == (200, b"first")
        r3 = c.read_response()
        assert r3.status in statuses, f"{name}: {r3!r}"
        assert "close" in r3.connection_tokens()
        assert c.expect_closed(5) == b""


# --- limits: the edges -----------------------------------------------------------------

def test_field_count_at_limit_is_fine(small):
    with Conn(small.port) as c:
        r = c.request(b"GET /simple HTTP/1.1\r\n" + H + headers(COUNT_LIMIT - 1) + b"\r\n")
    assert r.status == 200, f"{COUNT_LIMIT} fields (the limit) refused: {r!r}"


def test_header_bytes_under_limit_are_fine(small):
    raw = get("/simple", [("X-Big", "v" * (HEAD_LIMIT - 500))])
    assert len(raw) < HEAD_LIMIT
    with Conn(small.port) as c:
        r = c.request(raw)
    assert r.status == 200


def test_request_line_under_limit_is_fine(small):
    raw = get("/simple?" + "a" * (LINE_LIMIT - 100))
    with Conn(small.port) as c:
        r = c.request(raw)
    assert r.status == 200 and r.body == b'{"message":"hi"}'


def test_body_at_limit_is_fine(small):
    body = bytes(i % 251 for i in range(BODY_LIMIT))
    with Conn(small.port) as c:
        r = c.request(req("POST", "/echo", [], body))
        assert r.status == 200 and r.body == body
        r = c.request(req("POST", "/echo", [("Transfer-Encoding", "chunked")])
                      + chunked([body[:1000], body[1000:40000], body[40000:]]))
        assert r.status == 200 and r.body == body, "chunked body of exactly the limit refused"


def test_413_is_immediate_on_content_length(small):
    """The 413 comes from the Content-Length alone: no body bytes are sent."""
    t0 = time.monotonic()
    _expect_error(small.port, req("POST", "/echo", [("Content-Length", str(BODY_LIMIT + 1))]), (413,),
                      "413 without body", timeout=3)
    assert time.monotonic() - t0 < 3


def test_413_instead_of_100_continue(small):
    with Conn(small.port) as c:
        c.send(req("POST", "/echo", [("Expect", "100-continue"), ("Content-Length", str(BODY_LIMIT + 1))]))
        r = c.read_response(allow_informational=True, timeout=3)
        assert r.status == 413, f"want 413 and no 100 Continue, got {r!r}"
        assert "close" in r.connection_tokens()
        assert c.expect_closed(5) == b""


def test_unterminated_request_line_over_limit_is_414(small):
    """The server must not wait for a CRLF that may never come."""
    _expect_error(small.port, b"GET /" + b"a" * (4 * LINE_LIMIT), (414,), "unterminated long line", timeout=3)


def test_unterminated_head_over_limit_is_431(small):
    raw = b"GET /simple HTTP/1.1\r\n" + H + b"".join(b"X-P%d: %s\r\n" % (i, b"p" * 200) for i in range(10))
    raw += b"X-Q: " + b"q" * HEAD_LIMIT  # no end of line, no end of head
    _expect_error(small.port, raw, (431,), "unterminated big head", timeout=3)


TRICKLED = [c for c in CASES if c[0] in ("bare_lf_after_field", "cl_and_te", "obs_fold_space", "chunk_size_bare_lf",
                                          "space_before_colon", "cr_cr_lf", "two_hosts", "chunk_data_without_crlf")]


@pytest.mark.parametrize("name,raw,status", TRICKLED, ids=[c[0] for c in TRICKLED])
def test_bad_input_trickled_byte_by_byte(small, name, raw, status):
    """One byte per send: the verdict must not depend on read boundaries."""
    with Conn(small.port) as c:
        for i in range(len(raw)):
            try:
                c.send(raw[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.0005)
        r = c.read_response()
        assert r.status == status, f"{name} trickled: {r!r}"
        assert "close" in r.connection_tokens()
        assert c.expect_closed(5) == b""


# --- default limits on the default server --------------------------------------------------

def test_default_field_count_limit(server):
    with Conn(server.port) as c:
        r = c.request(b"GET /simple HTTP/1.1\r\n" + H + headers(127) + b"\r\n")
        assert r.status == 200, "128 fields refused with the default limit of 128"
    _expect_error(server.port, b"GET /simple HTTP/1.1\r\n" + H + headers(128) + b"\r\n" + VALID, (431,),
                  "129 fields")


def test_default_header_bytes_limit(server):
    with Conn(server.port) as c:
        r = c.request(get("/simple", [(f"X-F{i}", "v" * 1000) for i in range(60)]))
        assert r.status == 200, "a 61 KB head refused with the default limit of 64 KiB"
    _expect_error(server.port, get("/simple", [(f"X-F{i}", "v" * 1000) for i in range(70)]) + VALID, (431,),
                  "71 KB head")


def test_default_request_line_limit(server):
    with Conn(server.port) as c:
        r = c.request(get("/simple?" + "a" * 16000))
        assert r.status == 200, "a 16,000-byte target refused with the default line limit of 16 KiB"
    _expect_error(server.port, get("/simple?" + "a" * 17000) + VALID, (414,), "17 KB target")


def test_default_body_limit(server):
    limit = 16 * 1024 * 1024
    with Conn(server.port, timeout=60) as c:
        c.send(req("POST", "/echo", [("Expect", "100-continue"), ("Content-Length", str(limit))]))
        r = c.read_response(allow_informational=True, timeout=10)
        assert r.status == 100, f"a body of exactly 16 MiB was refused: {r!r}"
        body = bytes(range(256)) * (limit // 256)
        c.send(body)
        r = c.read_response(timeout=60)
        assert r.status == 200 and r.body == body
    _expect_error(server.port, req("POST", "/echo", [("Content-Length", str(limit + 1))]), (413,), "16 MiB + 1")


# --- robustness: mutated requests ------------------------------------------------------------

def _mutations(seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    bases = [get("/simple", [("User-Agent", "fuzz"), ("Accept", "*/*")]),
             req("POST", "/echo", [("Content-Type", "a/b")], b"hello world"),
             req("POST", "/echo", [("Transfer-Encoding", "chunked")]) + chunked([b"abc", b"defg"], ext=True,
                                                                                 trailers=[("T", "1")]),
             get("/read?id=5", [("Accept-Encoding", "gzip")]),
             get("/compute?rows=10", [("Connection", "close")])]
    specials = [b"\r", b"\n", b"\x00", b" ", b":", b"\t", b"\xff", b"0", b"-", b",", b";"]
    out = []
    for _ in range(count):
        data = bytearray(rng.choice(bases))
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(data))
            op = rng.randrange(5)
            if op == 0:
                data[pos] = rng.randrange(256)
            elif op == 1:
                data[pos:pos] = rng.choice(specials)
            elif op == 2:
                del data[pos]
            elif op == 3:
                n = rng.randint(1, 20)
                data[pos:pos] = data[pos:pos + n]
            else:
                data[pos:pos] = rng.choice(specials) * rng.randint(2, 300)
        out.append(bytes(data))
    return out


def _exchange_mutated(port: int, raw: bytes) -> str | None:
    """Sends raw then half-closes; every response must be well formed (strictly parsed), and
    nothing may follow a response that said Connection: close. Returns a problem, or None."""
    try:
        c = Conn(port, timeout=8)
    except OSError as e:
        return f"connect failed: {e!r}"
    with c:
        try:
            c.send(raw)
            c.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        statuses = []
        while True:
            try:
                r = c.read_response(head_request=raw.startswith(b"HEAD "), timeout=8)
            except Closed as e:
                if e.partial:
                    return f"truncated response {e.partial[:200]!r} (after {statuses})"
                return None
            except TimeoutError:
                return f"no response and no close within 8 s (after {statuses})"
            except ProtocolError as e:
                return f"malformed response: {e}"
            if statuses and statuses[-1][1]:
                return f"a response followed one that said Connection: close ({statuses[-1][0]}): {r.status}"
            statuses.append((r.status, "close" in r.connection_tokens()))


def test_mutated_requests_never_break_the_server(start_server):
    srv = start_server("--workers", "2", "--header-timeout", "1", "--idle-timeout", "2")
    cases = _mutations(20261123, 400)
    with ThreadPoolExecutor(32) as executor:
        verdicts = list(executor.map(lambda raw: _exchange_mutated(srv.port, raw), cases))
    problems = [(raw, p) for raw, p in zip(cases, verdicts) if p]
    assert srv.alive(), f"the server died; stderr:\n{srv.stderr[-3000:]}"
    assert not problems, f"{len(problems)} of {len(cases)} mutated requests misbehaved; first: " \
                         f"{problems[0][0][:300]!r}: {problems[0][1]}"
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200
