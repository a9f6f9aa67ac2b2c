"""Floods (issue 17): more connections than --max-conns, a burst of 10,000 connects and
closes, and 100 MB of pipelined requests from one client. Each counts the requests lost by the
well-behaved clients (the goal is zero), checks that the server frees every descriptor, and
prints the server's peak RSS (`hostile: peak RSS ...`, shown with -s; figures in
docs/robustness.md)."""

from __future__ import annotations

import select
import socket
import struct
import threading
import time

import pytest

import procstat
from httpclient import HOST, Conn, get
from serverproc import release_bin

SIMPLE = b'{"message":"hi"}'


def _kept_clients(conns: list[Conn], stop: threading.Event, counts: dict) -> None:
    """Round-robin /simple over already served connections until `stop`."""
    try:
        while not stop.is_set():
            for c in conns:
                counts["sent"] += 1
                r = c.request(get("/simple"), timeout=5)
                if r.status != 200 or r.body != SIMPLE:
                    counts["errors"].append(f"{r.status} {r.body[:100]!r}")
                    return
                counts["answered"] += 1
    except Exception as e:  # reported by the caller
        counts["errors"].append(repr(e))


def test_flood_past_max_conns(start_server):
    """500 connections arrive at once at a worker holding its --max-conns 16: each extra one is
    closed within seconds without an answer, while the 16 keep being served without a loss."""
    limit, extra = 16, 500
    srv = start_server("--workers", "1", "--max-conns", str(limit))
    kept = [Conn(srv.port) for _ in range(limit)]
    flood: list[socket.socket] = []
    try:
        for c in kept:
            assert c.request(get("/simple")).body == SIMPLE
        base_fds = procstat.fd_count(srv.pid)
        procstat.reset_peak(srv.pid)
        base_rss = procstat.rss_kb(srv.pid)
        stop = threading.Event()
        counts = {"sent": 0, "answered": 0, "errors": []}
        t = threading.Thread(target=_kept_clients, args=(kept, stop, counts), daemon=True)
        t.start()
        t0 = time.monotonic()
        for _ in range(extra):
            s = socket.create_connection((HOST, srv.port), timeout=5)
            flood.append(s)
        for s in flood:
            try:
                s.send(get("/simple"))
            except (BrokenPipeError, ConnectionResetError):
                pass
        pending = {s: b"" for s in flood}
        closed_after: list[float] = []
        while pending and time.monotonic() - t0 < 10:
            readable, _, _ = select.select(list(pending), [], [], 0.1)
            for s in readable:
                try:
                    data = s.recv(4096)
                except ConnectionResetError:
                    data = b""
                if data:
                    pending[s] += data
                    continue
                got = pending.pop(s)
                assert not got.startswith(b"HTTP/1.1 2"), f"a connection over --max-conns was served: {got[:200]!r}"
                closed_after.append(time.monotonic() - t0)
        stop.set()
        t.join(15)
        peak = procstat.peak_kb(srv.pid)
        assert not pending, f"{len(pending)} of {extra} connections over --max-conns still open 10 s later"
        assert not counts["errors"], f"a kept connection failed during the flood: {counts['errors'][0]}"
        assert counts["answered"] > 0
        for i, c in enumerate(kept):
            assert c.request(get("/simple")).body == SIMPLE, f"kept connection {i} not served after the flood"
    finally:
        for s in flood:
            s.close()
    n = procstat.wait_fd_count(srv.pid, base_fds, 5)
    for c in kept:
        c.close()
    assert n <= base_fds, f"{n - base_fds} descriptors of refused connections still open"
    print(f"\nhostile: peak RSS, flood of {extra} past --max-conns {limit}: {procstat.mb(base_rss)} before, peak "
          f"{procstat.mb(peak)} (VmHWM); all refused within {max(closed_after):.2f} s; kept connections "
          f"{counts['answered']} answered, {counts['sent'] - counts['answered']} lost")


def test_burst_of_10000_connects_and_closes(start_server):
    """10,000 connections in batches of 250: closed at once, after half a request, after a whole
    request without reading the answer, or reset. The server serves another client throughout
    and afterwards, and holds no more descriptors than before."""
    total, batch = 10000, 250
    srv = start_server("--workers", "2")
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).body == SIMPLE
    bystander = Conn(srv.port)
    try:
        assert bystander.request(get("/simple")).body == SIMPLE
        base_fds = procstat.fd_count(srv.pid)
        procstat.reset_peak(srv.pid)
        base_rss = procstat.rss_kb(srv.pid)
        stop = threading.Event()
        counts = {"sent": 0, "answered": 0, "errors": []}
        t = threading.Thread(target=_kept_clients, args=([bystander], stop, counts), daemon=True)
        t.start()
        partial, whole = b"GET /simple HTTP/1.1\r\nHo", get("/simple")
        rst = struct.pack("ii", 1, 0)
        t0 = time.monotonic()
        for first in range(0, total, batch):
            socks = [socket.create_connection((HOST, srv.port), timeout=10) for _ in range(batch)]
            for i, s in enumerate(socks):
                kind = (first + i) % 4
                try:
                    if kind == 1:
                        s.send(partial)
                    elif kind == 2:
                        s.send(whole)
                    elif kind == 3:
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, rst)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                s.close()
        burst_s = time.monotonic() - t0
        stop.set()
        t.join(15)
        assert not counts["errors"], f"the bystander failed during the burst: {counts['errors'][0]}"
        assert counts["answered"] > 0
        with Conn(srv.port) as c:
            assert c.request(get("/simple")).body == SIMPLE, "not served after the burst"
        peak = procstat.peak_kb(srv.pid)
        n = procstat.wait_fd_count(srv.pid, base_fds, 5)
        assert n <= base_fds, f"{n - base_fds} descriptors still open 5 s after the burst (leak?)"
    finally:
        bystander.close()
    print(f"\nhostile: peak RSS, burst of {total} connects and closes ({burst_s:.1f} s): {procstat.mb(base_rss)} "
          f"before, peak {procstat.mb(peak)} (VmHWM); descriptors {base_fds} before and {n} after; bystander "
          f"{counts['answered']} answered, {counts['sent'] - counts['answered']} lost")


@pytest.mark.release
def test_100mb_pipelined_burst_from_one_client(start_server):
    """One client sends 100 MiB of pipelined POST /echo (1 KiB each, numbered) as fast as the
    socket takes them, reading answers as they come: every request is answered, in order, and
    the server's peak RSS grows by a bounded amount (it never buffers what it cannot parse yet)."""
    size, count = 1024, 100 * 1024
    srv = start_server("--workers", "1", binary=release_bin())
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nX-Pad: "
    pad = b"p" * (size - len(head) - len(b"\r\nContent-Length: 8\r\n\r\n") - 8)
    template = head + pad + b"\r\nContent-Length: 8\r\n\r\n"
    data = b"".join(template + b"%08d" % i for i in range(count))
    assert len(data) == size * count
    with Conn(srv.port) as c:  # warm up
        assert c.request(data[:size]).body == b"00000000"
    procstat.reset_peak(srv.pid)
    base_rss = procstat.rss_kb(srv.pid)
    sock = socket.create_connection((HOST, srv.port), timeout=30)
    errors: list[str] = []

    def write() -> None:
        try:
            view = memoryview(data)
            for off in range(0, len(data), 1 << 20):
                sock.sendall(view[off:off + (1 << 20)])
        except OSError as e:
            errors.append(repr(e))

    writer = threading.Thread(target=write, daemon=True)
    t0 = time.monotonic()
    writer.start()
    buf = bytearray()
    answered = 0
    rx = bytearray(1 << 20)
    try:
        while answered < count:
            n = sock.recv_into(rx)
            assert n, f"connection closed after {answered} of {count} answers"
            buf += memoryview(rx)[:n]
            pos = 0
            while True:
                end = buf.find(b"\r\n\r\n", pos)
                if end < 0 or len(buf) < end + 4 + 8:
                    break
                status_line = bytes(buf[pos:buf.find(b"\r\n", pos)])
                assert status_line == b"HTTP/1.1 200 OK", f"answer {answered}: {status_line!r}"
                body = bytes(buf[end + 4:end + 12])
                assert body == b"%08d" % answered, f"answer {answered} out of order: body {body!r}"
                answered += 1
                pos = end + 12
            del buf[:pos]
        elapsed = time.monotonic() - t0
        writer.join(30)
        assert not errors, errors
        peak = procstat.peak_kb(srv.pid)
    finally:
        sock.close()
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).body == SIMPLE
    grown = peak - base_rss
    print(f"\nhostile: peak RSS, 100 MiB pipelined burst ({count} requests in {elapsed:.1f} s): "
          f"{procstat.mb(base_rss)} before, peak {procstat.mb(peak)} (VmHWM); {count - answered} lost")
    assert grown < 32 * 1024, f"peak RSS grew by {procstat.mb(grown)} during a 100 MiB pipelined burst"
