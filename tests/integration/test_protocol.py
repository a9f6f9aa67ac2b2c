"""HTTP/1.1 connection handling: keep-alive, close, HTTP/1.0, HEAD, 100-continue, pipelining,
requests split across reads, slow readers, and a strict third-party parser (h11)."""

from __future__ import annotations

import socket
import threading
import time

import h11
import pytest

from compute_ref import aggregate, parse_orders
from httpclient import HOST, Conn, chunked, get, pipeline, req

SIMPLE = b'{"message":"hi"}'


@pytest.fixture(scope="module")
def orders(pool):
    return parse_orders(pool.orders_csv)


# --- keep-alive and close ------------------------------------------------------------------

def test_keep_alive_is_the_default(server):
    with Conn(server.port) as c:
        for i in range(20):
            r = c.request(get("/simple"))
            assert r.status == 200 and r.body == SIMPLE
            assert "close" not in r.connection_tokens(), f"response {i} says Connection: close"
        assert c.is_open_quiet(0.3), "server closed (or sent junk on) an idle HTTP/1.1 connection right away"
        r = c.request(get("/healthz"))
        assert r.status == 200


@pytest.mark.parametrize("value", ["close", "Close", "CLOSE", "foo, close"])
def test_connection_close_from_client(server, value):
    with Conn(server.port) as c:
        c.send(get("/simple", [("Connection", value)]) + get("/simple"))
        r = c.read_response()
        assert r.status == 200 and r.body == SIMPLE
        assert "close" in r.connection_tokens(), f"Connection: {value!r} -> response fields {r.fields}"
        extra = c.expect_closed(5)
        assert extra == b"", f"the request pipelined after Connection: close was answered: {extra[:200]!r}"


def test_connection_close_on_post(server):
    with Conn(server.port) as c:
        c.send(req("POST", "/echo", [("Connection", "close")], b"bye"))
        r = c.read_response()
        assert r.status == 200 and r.body == b"bye"
        assert "close" in r.connection_tokens()
        assert c.expect_closed(5) == b""


def test_http10_closes_by_default(server):
    with Conn(server.port) as c:
        c.send(b"GET /simple HTTP/1.0\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and r.body == SIMPLE
        assert "keep-alive" not in r.connection_tokens()
        assert c.expect_closed(5) == b""


def test_http10_with_host_closes_by_default(server):
    with Conn(server.port) as c:
        c.send(b"GET /simple HTTP/1.0\r\nHost: x\r\n\r\n" + get("/simple"))
        r = c.read_response()
        assert r.status == 200 and r.body == SIMPLE
        assert c.expect_closed(5) == b"", "HTTP/1.0 connection was kept open / answered a second request"


@pytest.mark.parametrize("value", ["keep-alive", "Keep-Alive"])
def test_http10_keep_alive(server, value):
    with Conn(server.port) as c:
        for _ in range(3):
            c.send(f"GET /simple HTTP/1.0\r\nConnection: {value}\r\n\r\n".encode())
            r = c.read_response()
            assert r.status == 200 and r.body == SIMPLE
            assert "keep-alive" in r.connection_tokens(), f"HTTP/1.0 keep-alive answered with {r.fields}"
            assert "close" not in r.connection_tokens()
        assert c.is_open_quiet(0.3)
        c.send(b"GET /simple HTTP/1.0\r\n\r\n")
        r = c.read_response()
        assert r.status == 200
        assert c.expect_closed(5) == b""


def test_http10_post_echo(server):
    with Conn(server.port) as c:
        c.send(b"POST /echo HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello")
        r = c.read_response()
        assert r.status == 200 and r.body == b"hello"
        assert c.expect_closed(5) == b""


@pytest.mark.parametrize("raw,status", [(get("/nope"), 404), (req("DELETE", "/simple"), 405),
                                        (req("POST", "/healthz", [], b"abc"), 405)])
def test_keep_alive_after_404_and_405(server, raw, status):
    """404 and 405 are routing answers, not bad input: the connection stays usable."""
    with Conn(server.port) as c:
        for _ in range(2):
            r = c.request(raw)
            assert r.status == status
            assert "close" not in r.connection_tokens(), f"{status} closed the connection: {r.fields}"
            assert c.request(get("/simple")).body == SIMPLE


def test_get_with_body_is_consumed(server):
    with Conn(server.port) as c:
        responses = pipeline(c, [req("GET", "/simple", [], b"GET /nope HTTP/1.1\r\n\r\n"), get("/healthz")])
    assert [r.status for r in responses] == [200, 200]
    assert responses[0].body == SIMPLE


def test_many_connections_at_once(server):
    conns = [Conn(server.port) for _ in range(200)]
    try:
        for c in conns:
            c.send(get("/simple"))
        for c in conns:
            r = c.read_response()
            assert r.status == 200 and r.body == SIMPLE
    finally:
        for c in conns:
            c.close()


# --- HEAD ----------------------------------------------------------------------------------

HEAD_TARGETS = [
    ("/simple", []),
    ("/read?id=42", []),
    ("/read?id=42", [("Accept-Encoding", "gzip")]),
    ("/list", []),
    ("/list", [("Accept-Encoding", "gzip")]),
    ("/compute", []),
    ("/compute?rows=777", []),
    ("/healthz", []),
]


@pytest.mark.parametrize("target,headers", HEAD_TARGETS)
def test_head_same_headers_no_body(server, target, headers):
    with Conn(server.port) as c:
        c.send(req("HEAD", target, headers) + req("GET", target, headers) + get("/simple"))
        h = c.read_response(head_request=True)
        g = c.read_response()
        s = c.read_response()  # proves the HEAD response had no body bytes
    assert h.status == g.status == 200
    assert s.status == 200 and s.body == SIMPLE
    assert h.get("Content-Length") == str(len(g.body)), f"HEAD {target}: Content-Length {h.get('Content-Length')}"

    def comparable(r):
        return sorted((n.lower(), v) for n, v in r.fields if n.lower() != "date")

    assert comparable(h) == comparable(g), f"HEAD {target} fields differ from GET"


# --- 100-continue --------------------------------------------------------------------------

def test_expect_100_continue(server):
    body = b"continued body"
    with Conn(server.port) as c:
        c.send(req("POST", "/echo", [("Expect", "100-continue"), ("Content-Length", str(len(body))),
                                     ("Content-Type", "text/x-cont")]))
        interim = c.read_response(allow_informational=True, timeout=5)
        assert interim.status == 100, f"want 100 Continue before the body, got {interim!r}"
        assert interim.raw_head.split(b"\r\n")[0] == b"HTTP/1.1 100 Continue"
        c.send(body)
        r = c.read_response()
        assert r.status == 200
        assert r.body == body
        assert r.get("Content-Type") == "text/x-cont"
        # keep-alive continues
        assert c.request(get("/simple")).body == SIMPLE


def test_expect_100_continue_case_insensitive_and_chunked(server):
    parts = [b"one", b"two" * 100]
    with Conn(server.port) as c:
        c.send(req("POST", "/echo", [("Expect", "100-Continue"), ("Transfer-Encoding", "chunked")]))
        interim = c.read_response(allow_informational=True, timeout=5)
        assert interim.status == 100, interim
        c.send(chunked(parts))
        r = c.read_response()
        assert r.status == 200 and r.body == b"".join(parts)


def test_expect_100_continue_body_sent_without_waiting(server):
    """A client may send the body at once; then a 100 is optional but the answer is the echo."""
    with Conn(server.port) as c:
        c.send(req("POST", "/echo", [("Expect", "100-continue")], b"eager") + get("/simple"))
        r = c.read_response(allow_informational=True)
        if r.status == 100:
            r = c.read_response()
        assert r.status == 200 and r.body == b"eager"
        r2 = c.read_response()
        assert r2.status == 200 and r2.body == SIMPLE


# --- pipelining ----------------------------------------------------------------------------

def _mixed_requests(pool, orders, n: int):
    """n requests of every kind, each with a checker of its response."""
    out = []
    for i in range(n):
        k = i % 14
        if k == 0:
            out.append((get("/simple"), 200, SIMPLE, None))
        elif k == 1:
            out.append((get(f"/read?id={(i * 37) % 500}"), 200, pool.read[(i * 37) % 500], None))
        elif k == 2:
            out.append((get(f"/read?id={(i * 11) % 500}", [("Accept-Encoding", "gzip")]), 200,
                        pool.read_gz[(i * 11) % 500], "gzip"))
        elif k == 3:
            out.append((get("/list"), 200, pool.list, None))
        elif k == 4:
            out.append((get(f"/compute?rows={i * 97 % 20000 + 1}"), 200, aggregate(orders, i * 97 % 20000 + 1), None))
        elif k == 5:
            body = bytes([i % 256]) * (i * 13 % 3000)
            out.append((req("POST", "/echo", [("Content-Type", f"x/y{i}")], body), 200, body, None))
        elif k == 6:
            parts = [b"p%d-" % j for j in range(i % 7 + 1)]
            out.append((req("POST", "/echo", [("Transfer-Encoding", "chunked")]) + chunked(parts, ext=i % 2 == 0),
                        200, b"".join(parts), None))
        elif k == 7:
            out.append((get("/healthz"), 200, None, None))
        elif k == 8:
            out.append((req("HEAD", "/simple"), 200, b"", None))
        elif k == 9:
            out.append((get("/missing"), 404, None, None))
        elif k == 10:
            out.append((req("DELETE", "/list"), 405, None, None))
        elif k == 11:
            out.append((get("/list", [("Accept-Encoding", "gzip")]), 200, pool.list_gz, "gzip"))
        elif k == 12:
            out.append((get("/compute"), 200, pool.compute, None))
        else:
            out.append((get("/read"), 200, "random", None))
    return out


def _check(i, r, status, body, encoding, pool):
    assert r.status == status, f"response {i}: status {r.status}, want {status}: {r!r}"
    if body == "random":
        assert r.body in pool.read_index, f"response {i}: not a product"
    elif body is not None:
        assert r.body == body, f"response {i}: body differs ({len(r.body)} vs {len(body)} bytes)"
    assert r.get("Content-Encoding") == encoding, f"response {i}: Content-Encoding {r.get('Content-Encoding')}"


def test_pipeline_100_mixed_in_one_send(server, pool, orders):
    items = _mixed_requests(pool, orders, 99)
    last = get("/simple", [("Connection", "close")])
    raws = [it[0] for it in items] + [last]
    with Conn(server.port, timeout=60) as c:
        c.send(b"".join(raws))
        for i, (raw, status, body, enc) in enumerate(items):
            r = c.read_response(head_request=raw.startswith(b"HEAD "))
            _check(i, r, status, body, enc, pool)
        r = c.read_response()
        assert r.status == 200 and r.body == SIMPLE and "close" in r.connection_tokens()
        assert c.expect_closed(5) == b""


def test_pipeline_1000_simple(server):
    with Conn(server.port, timeout=30) as c:
        responses = pipeline(c, [get("/simple")] * 1000)
    assert all(r.status == 200 and r.body == SIMPLE for r in responses)


def test_pipeline_in_batches_without_waiting(server, pool, orders):
    """Many sends of pipelined requests before reading anything, then read all (in order)."""
    items = _mixed_requests(pool, orders, 300)
    with Conn(server.port, timeout=60) as c:
        result = {}

        def reader():
            try:
                result["responses"] = [c.read_response(head_request=it[0].startswith(b"HEAD "), timeout=60)
                                       for it in items]
            except BaseException as e:  # reported below
                result["error"] = e

        t = threading.Thread(target=reader)
        t.start()
        for start in range(0, len(items), 7):
            c.send(b"".join(it[0] for it in items[start:start + 7]))
        t.join(90)
        assert "error" not in result, result.get("error")
        for i, (it, r) in enumerate(zip(items, result["responses"])):
            _check(i, r, it[1], it[2], it[3], pool)


# --- requests split across reads ------------------------------------------------------------

SPLIT_CASES = [
    ("get", get("/read?id=3", [("User-Agent", "split-test"), ("Accept", "*/*")]), "read3"),
    ("post", req("POST", "/echo", [("Content-Type", "t/x")], b"0123456789abcdef"), b"0123456789abcdef"),
    ("chunked", req("POST", "/echo", [("Transfer-Encoding", "chunked")])
     + chunked([b"abc", b"defghijklmnopqrstuvwxyz"], ext=True, trailers=[("X-T", "v")]),
     b"abcdefghijklmnopqrstuvwxyz"),
]


@pytest.mark.parametrize("name,raw,want", SPLIT_CASES, ids=[c[0] for c in SPLIT_CASES])
def test_request_split_at_every_byte(server, pool, name, raw, want):
    want = pool.read[3] if want == "read3" else want
    with Conn(server.port) as c:
        for i in range(1, len(raw)):
            c.send(raw[:i])
            time.sleep(0.002)
            c.send(raw[i:])
            r = c.read_response()
            assert r.status == 200, f"split at {i}: {r!r}"
            assert r.body == want, f"split at {i}: body {r.body[:100]!r}"


def test_pipelined_requests_trickled_byte_by_byte(server, pool):
    raws = [get("/simple"), req("POST", "/echo", [], b"xyz"),
            req("POST", "/echo", [("Transfer-Encoding", "chunked")]) + chunked([b"12", b"345"]), get("/read?id=9")]
    data = b"".join(raws)
    with Conn(server.port) as c:
        for b in data:
            c.send(bytes([b]))
            time.sleep(0.001)
        rs = [c.read_response() for _ in raws]
    assert [r.status for r in rs] == [200] * 4
    assert [r.body for r in rs] == [SIMPLE, b"xyz", b"12345", pool.read[9]]


# --- slow readers ---------------------------------------------------------------------------

def test_slow_reader_gets_everything_and_others_are_served(server, pool):
    n = 200
    with Conn(server.port, timeout=60) as slow:
        slow.send(get("/list") * n)  # 200 x ~450 KB of responses; we read none yet
        time.sleep(0.5)
        t0 = time.monotonic()
        with Conn(server.port) as other:
            for _ in range(20):
                r = other.request(get("/simple"), timeout=5)
                assert r.status == 200 and r.body == SIMPLE
        assert time.monotonic() - t0 < 10
        for i in range(n):
            r = slow.read_response(timeout=60)
            assert r.status == 200, f"/list {i}: {r!r}"
            assert r.body == pool.list, f"/list response {i} differs"


# --- a strict third-party parser ------------------------------------------------------------

def test_h11_client_accepts_every_response(server, pool):
    conn = h11.Connection(h11.CLIENT)
    sock = socket.create_connection((HOST, server.port), timeout=10)
    cases = [("GET", "/simple", [], b""), ("GET", "/read?id=5", [("Accept-Encoding", "gzip")], b""),
             ("GET", "/list", [], b""), ("HEAD", "/list", [], b""), ("GET", "/compute?rows=10", [], b""),
             ("POST", "/echo", [("Content-Type", "a/b")], b"x" * 5000), ("GET", "/healthz", [], b""),
             ("GET", "/nope", [], b""), ("PUT", "/simple", [], b"")]
    try:
        for method, target, headers, body in cases:
            hdrs = [("Host", "127.0.0.1")] + headers
            if method in ("POST", "PUT"):
                hdrs.append(("Content-Length", str(len(body))))
            sock.sendall(conn.send(h11.Request(method=method, target=target, headers=hdrs)))
            if body:
                sock.sendall(conn.send(h11.Data(data=body)))
            sock.sendall(conn.send(h11.EndOfMessage()))
            got = b""
            status = None
            while True:
                ev = conn.next_event()
                if ev is h11.NEED_DATA:
                    conn.receive_data(sock.recv(1 << 20))
                    continue
                if isinstance(ev, h11.Response):
                    status = ev.status_code
                elif isinstance(ev, h11.Data):
                    got += ev.data
                elif isinstance(ev, h11.EndOfMessage):
                    break
            if (method, target) == ("GET", "/list"):
                assert got == pool.list
            if method == "POST":
                assert got == body
            assert status in (200, 404, 405)
            assert conn.our_state is h11.DONE and conn.their_state is h11.DONE, (target, conn.states)
            conn.start_next_cycle()
    finally:
        sock.close()
