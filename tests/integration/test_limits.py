"""--max-conns: connections beyond N (per server, not per worker) are closed promptly, and the
first N keep being served."""

from __future__ import annotations

import time

import pytest

from httpclient import Conn, get

SIMPLE = b'{"message":"hi"}'


def _refused(c: Conn, what: str, limit_s: float = 3.0) -> None:
    """The connection is closed within limit_s without a successful answer."""
    try:
        c.send(get("/simple"))
    except (BrokenPipeError, ConnectionResetError):
        return
    try:
        data = c.expect_closed(limit_s)
    except TimeoutError:
        pytest.fail(f"{what}: still open {limit_s} s after connecting (over --max-conns)")
    assert not data.startswith(b"HTTP/1.1 2"), f"{what}: served although over --max-conns: {data[:200]!r}"


def test_max_conns(start_server):
    n = 4
    srv = start_server("--workers", "1", "--max-conns", str(n))
    kept = []
    try:
        for _ in range(n):
            c = Conn(srv.port)
            kept.append(c)
            assert c.request(get("/simple")).body == SIMPLE
        extra = [Conn(srv.port) for _ in range(6)]
        for i, c in enumerate(extra):
            _refused(c, f"connection {n + 1 + i}")
            c.close()
        for i, c in enumerate(kept):
            r = c.request(get("/simple"))
            assert r.status == 200 and r.body == SIMPLE, f"kept connection {i} not served after the flood"
        # freeing a slot lets a new connection in
        kept.pop().close()
        deadline = time.monotonic() + 5
        while True:
            c = Conn(srv.port)
            try:
                c.send(get("/simple"))
                r = c.read_response(timeout=2)
                assert r.status == 200
                kept.append(c)
                break
            except Exception:
                c.close()
                if time.monotonic() > deadline:
                    pytest.fail("no new connection served 5 s after one of the N connections closed")
                time.sleep(0.2)
    finally:
        for c in kept:
            c.close()


def test_max_conns_counts_per_worker(start_server):
    """--max-conns is per worker (issue 11): two workers serve at most 2N in all, and the
    kernel's hashing decides which of the extra connections each one refuses."""
    n = 4
    srv = start_server("--workers", "2", "--max-conns", str(n))
    conns = [Conn(srv.port) for _ in range(20)]
    served = 0
    try:
        for c in conns:
            try:
                c.send(get("/simple"))
                served += c.read_response(timeout=2).status == 200
            except Exception:
                pass
    finally:
        for c in conns:
            c.close()
    assert n <= served <= 2 * n, f"{served} of 20 connections served with 2 workers and --max-conns {n}"


def test_max_conns_flood_does_not_hurt_served_connections(start_server):
    srv = start_server("--workers", "2", "--max-conns", "8")
    kept = [Conn(srv.port) for _ in range(8)]
    try:
        for c in kept:
            assert c.request(get("/simple")).status == 200
        for round_ in range(5):
            flood = [Conn(srv.port) for _ in range(50)]
            for c in kept:
                r = c.request(get("/read?id=1"), timeout=5)
                assert r.status == 200, f"round {round_}: a kept connection failed during a flood"
            for c in flood:
                c.close()
    finally:
        for c in kept:
            c.close()
