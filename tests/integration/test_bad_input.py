"""Bad input (DESIGN.md "Bad input") beyond the table of test_hostile.py: requests after valid
ones, bad requests trickled byte by byte, the limits at their edges (small limits, and the
defaults on the shared default server), and mutated requests.

The rows come from bad_requests.py, the one table of malformed requests.
"""

from __future__ import annotations

import random
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import serverproc
from bad_requests import BODY_LIMIT, BY_NAME, COUNT_LIMIT, H, HEAD_LIMIT, LIMIT_FLAGS, LINE_LIMIT, VALID, headers
from httpclient import Closed, Conn, ProtocolError, chunked, get, req

_small = serverproc.module_server("--workers", "1", *LIMIT_FLAGS)


@pytest.fixture
def small(_small):
    yield from serverproc.alive_check(_small)


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


AFTER_VALID = [BY_NAME[n] for n in ("bare_lf_after_field", "cl_then_te", "missing_host", "obs_fold_space", "http_2_0",
                                    "te_gzip", "chunk_data_longer_than_size")]


@pytest.mark.parametrize("name,raw,status", [c[1:] for c in AFTER_VALID], ids=[c.name for c in AFTER_VALID])
def test_bad_request_after_valid_ones(small, name, raw, status):
    """Valid requests before the bad one are answered; nothing after it is."""
    with Conn(small.port) as c:
        c.send(VALID + req("POST", "/echo", [], b"first") + raw + VALID)
        r1 = c.read_response()
        r2 = c.read_response()
        assert (r1.status, r1.body) == (200, b'{"message":"hi"}')
        assert (r2.status, r2.body) == (200, b"first")
        r3 = c.read_response()
        assert r3.status == status, f"{name}: {r3!r}"
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


TRICKLED = [BY_NAME[n] for n in ("bare_lf_after_field", "cl_then_te", "obs_fold_space", "chunk_size_bare_lf",
                                 "space_before_colon", "cr_cr_lf", "two_hosts", "chunk_data_without_crlf")]


@pytest.mark.parametrize("name,raw,status", [c[1:] for c in TRICKLED], ids=[c.name for c in TRICKLED])
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
