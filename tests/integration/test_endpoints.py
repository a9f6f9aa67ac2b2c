"""The workloads: exact bodies and headers of every endpoint (DESIGN.md "The workloads")."""

from __future__ import annotations

import datetime
import gzip
import json

import pytest

from httpclient import Conn, chunked, get, parse_imf_fixdate, pipeline, req

PRODUCT_KEYS = ["id", "sku", "name", "category", "price", "stock", "rating", "tags", "attributes", "description"]


def one(port: int, raw: bytes, head: bool = False):
    with Conn(port) as c:
        c.send(raw)
        return c.read_response(head_request=head)


# --- /simple and /healthz ------------------------------------------------------------------

def test_simple(server, pool):
    r = one(server.port, get("/simple"))
    assert r.status == 200
    assert r.reason == "OK"
    assert r.body == b'{"message":"hi"}'
    assert r.body == pool.simple
    assert r.get("Content-Type") == "application/json"
    assert r.get("Content-Length") == "16"
    assert r.get("Server") == "rpslab"
    assert not r.has("Content-Encoding")


def test_simple_with_query_string_is_still_simple(server):
    r = one(server.port, get("/simple?x=1&y=2"))
    assert r.status == 200
    assert r.body == b'{"message":"hi"}'


def test_simple_ignores_accept_encoding(server):
    r = one(server.port, get("/simple", [("Accept-Encoding", "gzip")]))
    assert r.status == 200
    assert r.body == b'{"message":"hi"}'
    assert not r.has("Content-Encoding")


def test_date_header_is_current_imf_fixdate(server):
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    r = one(server.port, get("/simple"))
    after = datetime.datetime.now(datetime.timezone.utc)
    date = parse_imf_fixdate(r.get("Date"))
    # formatted once a second: it may lag by up to a second (plus scheduling slack)
    assert before - datetime.timedelta(seconds=2) <= date <= after + datetime.timedelta(seconds=1), \
        f"Date {r.get('Date')} is not now ({before:%H:%M:%S}..{after:%H:%M:%S} UTC)"


def test_date_header_advances(server):
    import time
    with Conn(server.port) as c:
        d1 = parse_imf_fixdate(c.request(get("/simple")).get("Date"))
        time.sleep(2.1)
        d2 = parse_imf_fixdate(c.request(get("/simple")).get("Date"))
    assert 1 <= (d2 - d1).total_seconds() <= 4, f"Date went from {d1} to {d2} over 2.1 s"


def test_healthz(server):
    r = one(server.port, get("/healthz"))
    assert r.status == 200
    assert r.media_type() == "text/plain"
    assert int(r.get("Content-Length")) == len(r.body)


# --- /read ---------------------------------------------------------------------------------

def test_read_by_id_matches_pool_files(server, pool):
    """Every product of the pool, by id, identity and gzip, on one keep-alive connection."""
    with Conn(server.port, timeout=30) as c:
        for start in range(0, 500, 100):
            ids = range(start, start + 100)
            plain = pipeline(c, [get(f"/read?id={i}") for i in ids])
            gz = pipeline(c, [get(f"/read?id={i}", [("Accept-Encoding", "gzip")]) for i in ids])
            for i, r, g in zip(ids, plain, gz):
                assert r.status == 200, f"id={i}: {r!r}"
                assert r.body == pool.read[i], f"/read?id={i} differs from read/{i}.json"
                assert r.get("Content-Type") == "application/json"
                assert not r.has("Content-Encoding")
                assert (r.get("Vary") or "").lower() == "accept-encoding", f"id={i}: Vary is {r.all('Vary')}"
                assert g.status == 200
                assert g.get("Content-Encoding") == "gzip", f"id={i}: {g!r}"
                assert (g.get("Vary") or "").lower() == "accept-encoding"
                assert g.get("Content-Type") == "application/json"
                assert g.body == pool.read_gz[i], f"gzip /read?id={i} differs from read/{i}.json.gz"


def test_read_random_picks_pool_products(server, pool):
    with Conn(server.port) as c:
        responses = pipeline(c, [get("/read")] * 200)
    ids = []
    for r in responses:
        assert r.status == 200
        assert r.get("Content-Type") == "application/json"
        assert (r.get("Vary") or "").lower() == "accept-encoding"
        assert r.body in pool.read_index, f"/read body is not one of the pool's products: {r.body[:120]!r}"
        ids.append(pool.read_index[r.body])
    assert len(set(ids)) >= 50, f"200 /read requests returned only {len(set(ids))} distinct products"
    assert len(set(zip(ids, ids[1:]))) > 100, "the /read sequence looks like a short cycle"


def test_read_random_differs_across_connections(server, pool):
    seqs = []
    for _ in range(4):
        with Conn(server.port) as c:
            seqs.append(tuple(pool.read_index[r.body] for r in pipeline(c, [get("/read")] * 20)))
    assert len(set(seqs)) > 1, "every connection got the same /read sequence"


def test_read_random_gzip(server, pool):
    with Conn(server.port) as c:
        responses = pipeline(c, [get("/read", [("Accept-Encoding", "gzip")])] * 50)
    for r in responses:
        assert r.status == 200
        assert r.get("Content-Encoding") == "gzip"
        assert r.body in pool.read_gz_index
        assert gzip.decompress(r.body) == pool.read[pool.read_gz_index[r.body]]


@pytest.mark.parametrize("accept", ["gzip", "gzip, deflate, br", "deflate, gzip", "gzip,deflate", "br;q=1.0, gzip"])
def test_read_gzip_accept_encoding_forms(server, pool, accept):
    r = one(server.port, get("/read?id=7", [("Accept-Encoding", accept)]))
    assert r.status == 200
    assert r.get("Content-Encoding") == "gzip", f"Accept-Encoding: {accept!r} -> {r!r}"
    assert r.body == pool.read_gz[7]


@pytest.mark.parametrize("accept", ["deflate", "br", "identity", "compress, br"])
def test_read_identity_when_gzip_not_accepted(server, pool, accept):
    r = one(server.port, get("/read?id=7", [("Accept-Encoding", accept)]))
    assert r.status == 200
    assert not r.has("Content-Encoding"), f"Accept-Encoding: {accept!r} -> {r!r}"
    assert r.body == pool.read[7]
    assert (r.get("Vary") or "").lower() == "accept-encoding"


def test_read_product_shape(server):
    r = one(server.port, get("/read?id=123"))
    pairs = json.loads(r.body, object_pairs_hook=lambda kv: kv)
    assert [k for k, _ in pairs] == PRODUCT_KEYS
    assert 4400 <= len(r.body) <= 4600


@pytest.mark.parametrize("target", ["/read?id=500", "/read?id=501", "/read?id=65536", "/read?id=100000"])
def test_read_past_pool_is_404(server, target):
    r = one(server.port, get(target))
    assert r.status == 404, f"{target}: {r!r}"


@pytest.mark.parametrize("value", ["abc", "-1", "", "1.5", "7x", "0x10"])
def test_read_bad_id_is_400(server, value):
    r = one(server.port, get("/read?id=" + value))
    assert r.status == 400, f"id={value!r}: {r!r}"
    assert r.media_type() == "text/plain"


def test_read_huge_id_is_rejected(server):
    r = one(server.port, get("/read?id=99999999999999999999999999999"))
    assert r.status in (400, 404), r


# --- /list ---------------------------------------------------------------------------------

def test_list(server, pool):
    with Conn(server.port) as c:
        r, g = pipeline(c, [get("/list"), get("/list", [("Accept-Encoding", "gzip")])])
    assert r.status == 200
    assert r.get("Content-Type") == "application/json"
    assert r.body == pool.list
    assert not r.has("Content-Encoding")
    assert (r.get("Vary") or "").lower() == "accept-encoding"
    assert g.status == 200
    assert g.get("Content-Encoding") == "gzip"
    assert (g.get("Vary") or "").lower() == "accept-encoding"
    assert g.body == pool.list_gz
    assert gzip.decompress(g.body) == pool.list


def test_list_is_first_100_products(server, pool):
    r = one(server.port, get("/list"))
    assert json.loads(r.body) == [json.loads(b) for b in pool.read[:100]]


# --- /echo ---------------------------------------------------------------------------------

def test_echo_content_length_body(server):
    body = b'{"hello":"world"}'
    r = one(server.port, req("POST", "/echo", [("Content-Type", "application/json")], body))
    assert r.status == 200
    assert r.body == body
    assert r.get("Content-Type") == "application/json"
    assert r.get("Content-Length") == str(len(body))


def test_echo_keeps_content_type_exactly(server):
    ct = "text/plain; charset=ISO-8859-1; x=\"a b\""
    r = one(server.port, req("POST", "/echo", [("Content-Type", ct)], b"abc"))
    assert r.status == 200
    assert r.get("Content-Type") == ct
    assert r.body == b"abc"


def test_echo_without_content_type_is_octet_stream(server):
    r = one(server.port, req("POST", "/echo", [], b"\x00\x01\x02"))
    assert r.status == 200
    assert r.get("Content-Type") == "application/octet-stream"
    assert r.body == b"\x00\x01\x02"


def test_echo_all_byte_values(server):
    body = bytes(range(256)) * 64
    r = one(server.port, req("POST", "/echo", [("Content-Type", "application/octet-stream")], body))
    assert r.status == 200
    assert r.body == body


def test_echo_empty_body(server):
    r = one(server.port, req("POST", "/echo", [("Content-Length", "0")]))
    assert r.status == 200
    assert r.get("Content-Length") == "0"
    assert r.body == b""


def test_echo_without_any_framing_is_empty(server):
    """RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has no body."""
    with Conn(server.port) as c:
        r1, r2 = pipeline(c, [req("POST", "/echo"), get("/simple")])
    assert r1.status == 200 and r1.body == b""
    assert r2.status == 200 and r2.body == b'{"message":"hi"}'


def test_echo_one_megabyte(server):
    body = bytes((i * 7 + (i >> 10)) & 0xFF for i in range(1 << 20))
    with Conn(server.port, timeout=30) as c:
        r = c.request(req("POST", "/echo", [("Content-Type", "application/x-test")], body), timeout=30)
    assert r.status == 200
    assert r.body == body


def test_echo_chunked(server):
    parts = [b"hello ", b"chunked ", b"", b"world" * 1000]
    parts = [p for p in parts if p]
    r = one(server.port, req("POST", "/echo", [("Content-Type", "text/x-chunky"), ("Transfer-Encoding", "chunked")])
            + chunked(parts))
    assert r.status == 200
    assert r.body == b"".join(parts)
    assert r.get("Content-Length") == str(len(b"".join(parts)))
    assert r.get("Content-Type") == "text/x-chunky"
    assert not r.has("Transfer-Encoding")


def test_echo_chunked_with_extensions_and_trailers(server):
    parts = [b"a" * 17, b"b" * 300, b"c"]
    raw = req("POST", "/echo", [("Transfer-Encoding", "chunked")]) + chunked(
        parts, ext=True, trailers=[("X-Checksum", "abc"), ("X-Other", "1")])
    with Conn(server.port) as c:
        r1, r2 = pipeline(c, [raw, get("/simple")])
    assert r1.status == 200
    assert r1.body == b"".join(parts)
    assert r1.get("Content-Type") == "application/octet-stream"
    assert not r1.has("X-Checksum")
    assert r2.status == 200 and r2.body == b'{"message":"hi"}'


def test_echo_chunked_uppercase_hex_and_leading_zeros(server):
    body = b"x" * 0xAB
    raw = req("POST", "/echo", [("Transfer-Encoding", "chunked")]) + b"00AB\r\n" + body + b"\r\n000\r\n\r\n"
    r = one(server.port, raw)
    assert r.status == 200
    assert r.body == body


def test_echo_transfer_coding_name_is_case_insensitive(server):
    """RFC 9112 §7: transfer-coding names are case-insensitive."""
    raw = req("POST", "/echo", [("Transfer-Encoding", "Chunked")]) + chunked([b"abc"])
    r = one(server.port, raw)
    assert r.status == 200
    assert r.body == b"abc"


def test_echo_many_small_chunks(server):
    parts = [bytes([65 + i % 26]) * (i % 5 + 1) for i in range(2000)]
    raw = req("POST", "/echo", [("Transfer-Encoding", "chunked")]) + chunked(parts)
    with Conn(server.port, timeout=30) as c:
        r = c.request(raw)
    assert r.status == 200
    assert r.body == b"".join(parts)


def test_header_names_are_case_insensitive(server):
    raw = b"POST /echo HTTP/1.1\r\nhOsT: x\r\ncontent-LENGTH: 3\r\nCONTENT-TYPE: a/b\r\n\r\nxyz"
    r = one(server.port, raw)
    assert r.status == 200
    assert r.body == b"xyz"
    assert r.get("Content-Type") == "a/b"


# --- routing errors ------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/", "/nope", "/simple/", "/simple/extra", "/SIMPLE", "/simplex", "/reads",
                                    "/echo/1", "/healthzz", "/compute/"])
def test_unknown_path_is_404(server, target):
    r = one(server.port, get(target))
    assert r.status == 404, f"GET {target}: {r!r}"
    assert int(r.get("Content-Length")) == len(r.body)


GET_ENDPOINTS = ["/simple", "/read", "/list", "/compute", "/healthz"]


def allow_set(r) -> set[str]:
    values = r.all("Allow")
    assert len(values) == 1, f"Allow fields: {values}"
    return {t.strip() for t in values[0].split(",") if t.strip()}


@pytest.mark.parametrize("path", GET_ENDPOINTS)
@pytest.mark.parametrize("method", ["DELETE", "PUT", "POST"])
def test_wrong_method_on_get_endpoint_is_405(server, path, method):
    r = one(server.port, req(method, path, [("Content-Length", "0")]))
    assert r.status == 405, f"{method} {path}: {r!r}"
    assert allow_set(r) == {"GET", "HEAD"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_wrong_method_on_echo_is_405(server, method):
    r = one(server.port, req(method, "/echo"))
    assert r.status == 405, f"{method} /echo: {r!r}"
    assert allow_set(r) == {"POST"}


def test_head_on_echo_is_405(server):
    r = one(server.port, req("HEAD", "/echo"), head=True)
    assert r.status == 405
    assert allow_set(r) == {"POST"}


def test_405_with_body_keeps_framing(server):
    """A 405 for a request with a body: the body must not be parsed as the next request."""
    with Conn(server.port) as c:
        c.send(req("POST", "/simple", [], b"GET /list HTTP/1.1\r\nHost: x\r\n\r\n") + get("/simple"))
        r1 = c.read_response()
        assert r1.status == 405
        if "close" in r1.connection_tokens():
            assert c.expect_closed() == b""
        else:
            r2 = c.read_response()
            assert r2.status == 200 and r2.body == b'{"message":"hi"}', r2


@pytest.mark.parametrize("method", ["FOO", "get", "Get", "BREW", "M-SEARCH"])
def test_unknown_method_is_501(server, method):
    r = one(server.port, req(method, "/simple"))
    assert r.status == 501, f"{method} /simple: {r!r}"
