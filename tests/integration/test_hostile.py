"""Hostile clients (issue 17): every malformed request of bad_requests.py gets its one status
and the connection closes with nothing after it, not even the answer to a valid request
pipelined behind it; slow and stuck clients (slowloris, a client that never reads, a
half-closed client, a client that resets mid-response) cost the others nothing.

Floods are in test_floods.py."""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

import procstat
import serverproc
from bad_requests import CASES, CATEGORIES, LIMIT_FLAGS, VALID, Case
from httpclient import HOST, Closed, Conn, chunked, get, req

SIMPLE = b'{"message":"hi"}'
LIST = b"GET /list HTTP/1.1\r\nHost: x\r\n\r\n"

_small = serverproc.module_server("--workers", "1", *LIMIT_FLAGS)


@pytest.fixture
def small(_small):
    yield from serverproc.alive_check(_small)


# --- the table ---------------------------------------------------------------------------

def test_table_covers_every_category_of_the_issue():
    issue = {"request line", "method", "target", "version", "field name", "field value", "line ending", "host",
             "content-length", "content-length with transfer-encoding", "transfer-encoding", "chunk size",
             "chunk extension", "trailer", "truncated body", "http/2"}
    assert issue <= set(CATEGORIES), f"categories without a row: {issue - set(CATEGORIES)}"
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[f"{c.category.replace(' ', '_')}-{c.name}" for c in CASES])
def test_malformed_request_then_valid_one(small, case: Case):
    """Exactly one response (the row's status, Connection: close, a text/plain reason), then EOF:
    the valid request sent right behind the bad one is never answered."""
    with Conn(small.port) as c:
        try:
            c.send(case.raw + VALID)
            if case.status is None:
                c.sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before it read everything
        if case.status is None:
            try:
                extra = c.expect_closed(5)
            except TimeoutError:
                pytest.fail(f"{case.name}: still open 5 s after the client's end of input")
            assert extra == b"", f"{case.name}: a request cut short was answered: {extra[:300]!r}"
            return
        r = c.read_response(timeout=5)
        assert r.status == case.status, \
            f"{case.name}: got {r.status} {r.reason!r} {r.body[:200]!r}, want {case.status}"
        assert "close" in r.connection_tokens(), f"{case.name}: error response without Connection: close: {r.fields}"
        assert r.media_type() == "text/plain" and r.body, f"{case.name}: {r.get('Content-Type')} {r.body!r}"
        try:
            extra = c.expect_closed(5)
        except TimeoutError:
            pytest.fail(f"{case.name}: connection still open 5 s after the {r.status}")
        assert extra == b"", f"{case.name}: bytes after the {r.status} (the pipelined request answered?): " \
                             f"{extra[:300]!r}"


# --- slow and stuck clients ---------------------------------------------------------------

def _serve_simple(port: int, stop: threading.Event, counts: dict, timeout: float = 5.0) -> None:
    """A well-behaved client: one /simple after another on one connection until `stop`;
    counts answered requests and failures (a request sent and not answered is lost)."""
    try:
        with Conn(port, timeout=timeout) as c:
            while not stop.is_set():
                counts["sent"] += 1
                r = c.request(get("/simple"), timeout=timeout)
                if r.status != 200 or r.body != SIMPLE:
                    counts["errors"].append(f"{r.status} {r.body[:100]!r}")
                    return
                counts["answered"] += 1
                time.sleep(0.01)
    except Exception as e:  # reported by the caller
        counts["errors"].append(repr(e))


def _bystander(port: int):
    stop = threading.Event()
    counts = {"sent": 0, "answered": 0, "errors": []}
    t = threading.Thread(target=_serve_simple, args=(port, stop, counts), daemon=True)
    t.start()

    def finish() -> dict:
        stop.set()
        t.join(15)
        assert not t.is_alive(), "the bystander client hung"
        return counts

    return finish


def test_slowloris_is_cut_off_by_the_header_timeout(start_server):
    """30 clients each send one header byte a second; with --header-timeout 2 every one is
    closed about 2 s after its first byte (trickling does not extend it) with nothing but an
    optional 408, its descriptor is freed, and another client is served all along."""
    srv = start_server("--workers", "2", "--header-timeout", "2", "--idle-timeout", "30")
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200
    base_fds = procstat.fd_count(srv.pid)
    finish = _bystander(srv.port)
    head = b"GET /simple HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 60
    socks = []
    for _ in range(30):
        s = socket.create_connection((HOST, srv.port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        socks.append(s)
    t0 = time.monotonic()
    closed_at: dict[int, float] = {}
    received: dict[int, bytes] = {i: b"" for i in range(len(socks))}
    sent = 0
    try:
        while len(closed_at) < len(socks) and time.monotonic() - t0 < 2 + 4:
            if time.monotonic() - t0 >= sent:  # one byte a second on each open connection
                for i, s in enumerate(socks):
                    if i not in closed_at:
                        try:
                            s.send(head[sent:sent + 1])
                        except (BrokenPipeError, ConnectionResetError):
                            closed_at[i] = time.monotonic() - t0
                sent += 1
            for i, s in enumerate(socks):
                if i in closed_at:
                    continue
                try:
                    data = s.recv(4096)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    data = b""
                if data:
                    received[i] += data
                else:
                    closed_at[i] = time.monotonic() - t0
            time.sleep(0.02)
        counts = finish()
    finally:
        for s in socks:
            s.close()
    still_open = [i for i in range(len(socks)) if i not in closed_at]
    assert not still_open, f"{len(still_open)} slowloris connections still open 6 s after their first byte"
    earliest, latest = min(closed_at.values()), max(closed_at.values())
    assert earliest >= 1.5, f"a slowloris connection was closed after {earliest:.2f} s, before the 2 s header timeout"
    for i, data in received.items():
        assert data == b"" or data.startswith(b"HTTP/1.1 408 "), f"slowloris {i} got {data[:200]!r}"
    assert not counts["errors"], f"the other client was not served meanwhile: {counts['errors'][0]}"
    assert counts["answered"] >= 50, f"only {counts['answered']} /simple answered to another client in " \
                                     f"{latest:.1f} s"
    assert procstat.wait_fd_count(srv.pid, base_fds, 5) <= base_fds, "descriptors of slowloris clients not freed"
    print(f"\nhostile: slowloris: 30 clients cut off {earliest:.2f}-{latest:.2f} s after their "
          f"first byte (--header-timeout 2); bystander {counts['answered']} requests answered, "
          f"{counts['sent'] - counts['answered']} lost")


STOPPED = r"^rpslab: stopped after ([0-9]+) requests$"


def test_client_that_never_reads_is_held_by_backpressure(start_server):
    """A client pipelines GET /list (450 KB each) and never reads. The server stops reading
    its requests once a few answers are backed up (the rest wait in kernel buffers, until the
    client cannot send any more), another client is served meanwhile, the server's memory
    stays bounded, and the stuck client's reset costs nothing."""
    srv = start_server("--workers", "1")
    warm_up = 4
    with Conn(srv.port, timeout=30) as c:  # the worker's buffers reach their working sizes
        c.send(LIST * warm_up)
        for _ in range(warm_up):
            assert c.read_response(timeout=30).status == 200
    procstat.reset_peak(srv.pid)
    base_rss = procstat.rss_kb(srv.pid)
    finish = _bystander(srv.port)
    stuck = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    stuck.connect((HOST, srv.port))
    stuck.setblocking(False)
    sent = 0
    blocked_since = None
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < 3.0:
            try:
                sent += stuck.send(LIST * 64)
                blocked_since = None
            except BlockingIOError:
                blocked_since = blocked_since or time.monotonic()
                time.sleep(0.01)
        counts = finish()
        peak = procstat.peak_kb(srv.pid)
        assert blocked_since is not None and time.monotonic() - blocked_since > 0.5, \
            f"the client could still send after {sent} bytes: the server keeps reading requests it cannot answer"
        assert not counts["errors"], f"another client was not served meanwhile: {counts['errors'][0]}"
        assert counts["answered"] >= 50, f"only {counts['answered']} requests answered to another client in 3 s"
        grown = peak - base_rss
        assert grown < 64 * 1024, f"peak RSS grew by {procstat.mb(grown)} while a client did not read"
    finally:
        # Closing with unread responses makes the kernel send RST: the server must shrug it off.
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        stuck.close()
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).body == SIMPLE
    line = len(srv.stderr_lines)
    assert srv.stop() == 0
    total = int(srv.wait_line(STOPPED, 5, start=line).group(1))
    stuck_answered = total - warm_up - counts["answered"] - 1
    # A few answers fill the connection's 1 MiB output bound and the kernel's socket buffers
    # (a few MB on loopback); everything else the client sent must wait unparsed.
    assert stuck_answered <= 64, f"the server answered {stuck_answered} of the {sent // len(LIST)} requests of a " \
                                 f"client that reads nothing"
    print(f"\nhostile: peak RSS, client that never reads: {procstat.mb(base_rss)} before, peak "
          f"{procstat.mb(peak)} (VmHWM); it sent {sent / 1e6:.1f} MB ({sent // len(LIST)} requests) before "
          f"blocking, {stuck_answered} answered; bystander {counts['answered']} answered, "
          f"{counts['sent'] - counts['answered']} lost")


HALF_CLOSED = [
    ("one_get", get("/simple"), [(200, SIMPLE)]),
    ("pipelined_with_large_answer", get("/simple") + LIST + req("POST", "/echo", [], b"last"),
     [(200, SIMPLE), (200, None), (200, b"last")]),
    ("chunked_body", req("POST", "/echo", [("Transfer-Encoding", "chunked")]) + chunked([b"ab", b"cde"]),
     [(200, b"abcde")]),
    ("http10", b"GET /simple HTTP/1.0\r\n\r\n", [(200, SIMPLE)]),
    ("bad_request", b"GET /simple HTTP/1.1\r\n\r\n", [(400, None)]),
    ("answered_then_cut_head", get("/simple") + b"GET /simple HTTP/1.1\r\nHost: x\r\nX-A: v", [(200, SIMPLE)]),
    ("cut_head_only", b"GET /simple HTTP/1.1\r\nHost: x\r\n", []),
]


@pytest.mark.parametrize("name,raw,want", HALF_CLOSED, ids=[h[0] for h in HALF_CLOSED])
def test_half_closed_client_still_gets_its_responses(small, pool, name, raw, want):
    """shutdown(SHUT_WR) right after the requests: every response arrives whole, then EOF."""
    with Conn(small.port, timeout=10) as c:
        c.send(raw)
        c.sock.shutdown(socket.SHUT_WR)
        for i, (status, body) in enumerate(want):
            try:
                r = c.read_response(timeout=10)
            except Closed as e:
                pytest.fail(f"{name}: closed before response {i + 1} of {len(want)} (half-closed client): {e}")
            assert r.status == status, f"{name}: response {i}: {r!r}"
            if body is not None:
                assert r.body == body
            elif status == 200:
                assert r.body == pool.list
        assert c.expect_closed(5) == b"", f"{name}: bytes after the last response"


def test_client_resetting_mid_response_does_not_hurt_the_server(start_server, pool):
    """Clients ask for several /list (450 KB each), read a little and reset the connection
    (SO_LINGER 0): the server drops their responses, frees their descriptors and serves
    everyone else."""
    srv = start_server("--workers", "2")
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200
    base_fds = procstat.fd_count(srv.pid)
    finish = _bystander(srv.port)
    for i in range(40):
        s = socket.create_connection((HOST, srv.port), timeout=5)
        s.sendall(LIST * (1 + i % 8))
        got = 0
        while got < 1000 + 20000 * (i % 5):
            chunk = s.recv(65536)
            assert chunk, f"client {i}: closed before the first response arrived"
            got += len(chunk)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    counts = finish()
    assert not counts["errors"], f"another client was not served meanwhile: {counts['errors'][0]}"
    assert counts["answered"] > 0
    with Conn(srv.port, timeout=30) as c:
        r = c.request(LIST, timeout=30)
        assert r.status == 200 and r.body == pool.list
    n = procstat.wait_fd_count(srv.pid, base_fds, 5)
    assert n <= base_fds, f"{n - base_fds} descriptors still open after 40 resets (leak?)"
