"""Memory: backpressure bounds RSS against a client that never reads, and no request path
allocates after warm-up. Release binaries only (run with -m release)."""

from __future__ import annotations

import re
import signal
import socket
import threading
import time

import pytest

from httpclient import Conn, FastReader, get, req
from serverproc import alloc_bin, release_bin

pytestmark = pytest.mark.release

LIST_REQ = b"GET /list HTTP/1.1\r\nHost: a\r\n\r\n"


def test_rss_bounded_while_a_client_pipelines_without_reading(start_server):
    srv = start_server("--workers", "2", "--idle-timeout", "60", binary=release_bin())
    # warm up both workers with full /list batches, read completely
    for _ in range(8):
        with Conn(srv.port, timeout=30) as c:
            rd = FastReader(c.sock)
            c.send(LIST_REQ * 20)
            rd.read_until(20, 30)
    time.sleep(0.3)
    start_rss = srv.rss_kb()

    slow = []
    for _ in range(2):
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.setblocking(False)
        slow.append(s)
    sent = [0, 0]
    max_rss = start_rss
    served, errors = [0], []
    stop = threading.Event()

    def other_client():
        try:
            with Conn(srv.port, timeout=5) as c:
                while not stop.is_set():
                    t0 = time.monotonic()
                    r = c.request(get("/simple"), timeout=5)
                    assert r.status == 200 and r.body == b'{"message":"hi"}'
                    assert time.monotonic() - t0 < 2, "a /simple took over 2 s while a slow client was stuck"
                    served[0] += 1
                    time.sleep(0.01)
        except BaseException as e:  # reported below
            errors.append(e)

    t = threading.Thread(target=other_client)
    t.start()
    chunk = LIST_REQ * 100
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < 4.0:
            for i, s in enumerate(slow):
                try:
                    n = s.send(chunk)
                    sent[i] += n
                except BlockingIOError:
                    pass
            max_rss = max(max_rss, srv.rss_kb())
            time.sleep(0.005)
        stop.set()
        t.join(10)
        assert not errors, f"another client was not served meanwhile: {errors[0]}"
        assert served[0] > 50, f"only {served[0]} /simple answered in 4 s to another client"
        requests_sent = [n // len(LIST_REQ) for n in sent]
        assert min(requests_sent) >= 2000, f"could only send {requests_sent} requests (need 2000+ per client)"
        grown_mb = (max_rss - start_rss) / 1024
        assert grown_mb < 64, (f"RSS grew by {grown_mb:.0f} MB (from {start_rss // 1024} MB) while 2 clients pipelined "
                               f"{requests_sent} GET /list without reading")
    finally:
        stop.set()
        for s in slow:
            s.close()
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200


ALLOCS = re.compile(r"^rpslab-allocs: ([0-9]+)$")


def _alloc_count(srv) -> int:
    start = len(srv.stderr_lines)
    srv.send_signal(signal.SIGUSR1)
    return int(srv.wait_line(ALLOCS, 10, start=start).group(1))


WORKLOADS = [
    ("simple", get("/simple"), 100),
    ("read", get("/read"), 100),
    ("read_gzip", get("/read", [("Accept-Encoding", "gzip")]), 100),
    ("read_id", get("/read?id=321"), 100),
    ("list", get("/list"), 8),
    ("list_gzip", get("/list", [("Accept-Encoding", "gzip")]), 16),
    ("compute", get("/compute"), 50),
    ("compute_rows", get("/compute?rows=5000"), 100),
    ("echo", req("POST", "/echo", [("Content-Type", "text/plain")], b"0123456789abcdef0123456789abcdef"), 100),
    ("healthz", get("/healthz"), 100),
]


def test_no_allocation_per_request(start_server):
    srv = start_server("--workers", "1", "--idle-timeout", "600", "--header-timeout", "600", binary=alloc_bin())
    conns = [Conn(srv.port, timeout=120) for _ in range(3)]
    readers = [FastReader(c.sock) for c in conns]
    expected = [0] * len(conns)

    def drive(raw: bytes, total: int, batch: int) -> None:
        per_conn = total // len(conns)
        done = 0
        while done < per_conn:
            k = min(batch, per_conn - done)
            for i, c in enumerate(conns):
                c.send(raw * k)
                expected[i] += k
            for i, rd in enumerate(readers):
                rd.read_until(expected[i], 120)
            done += k

    try:
        for _, raw, batch in WORKLOADS:
            drive(raw, 3000, batch)
        for _, raw, batch in WORKLOADS:  # a second pass: every batch shape seen after every other
            drive(raw, 600, batch)
        first = _alloc_count(srv)
        report_cost = _alloc_count(srv) - first  # what reporting itself allocates (should be 0)
        growth = {}
        for name, raw, batch in WORKLOADS:
            a = _alloc_count(srv)
            drive(raw, 10000, batch)
            growth[name] = _alloc_count(srv) - a - report_cost
        for rd in readers:
            assert set(rd.statuses) == {200}, rd.statuses
        assert all(v == 0 for v in growth.values()), \
            f"heap allocations during 10,000 requests per workload after warm-up: {growth} " \
            f"(a SIGUSR1 report itself costs {report_cost})"
    finally:
        for c in conns:
            c.close()
