"""SIGTERM and SIGINT: stop accepting, finish every request already received, exit 0 within
the grace period."""

from __future__ import annotations

import signal
import socket
import threading
import time

import pytest

from httpclient import HOST, Conn, FastReader, get, req


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_idle_server_exits_0(start_server, sig):
    srv = start_server("--workers", "2")
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200
    t0 = time.monotonic()
    rc = srv.stop(sig, timeout=10)
    assert rc == 0, f"exit status {rc} after {sig!r}; stderr:\n{srv.stderr}"
    assert time.monotonic() - t0 < 3, "an idle server took more than 3 s to stop"
    srv.check_clean()


def test_open_idle_connections_do_not_block_exit(start_server):
    srv = start_server("--workers", "2", "--grace", "5")
    conns = [Conn(srv.port) for _ in range(10)]
    try:
        for c in conns:
            assert c.request(get("/simple")).status == 200
        t0 = time.monotonic()
        rc = srv.stop(signal.SIGTERM, timeout=10)
        assert rc == 0
        assert time.monotonic() - t0 <= 5 + 1.5, "exit took longer than the grace period"
        for c in conns:
            assert c.expect_closed(2) == b""
    finally:
        for c in conns:
            c.close()


def test_grace_period_bounds_exit_with_a_stuck_client(start_server):
    """A client that never finishes its request and never reads cannot hold the server past --grace."""
    srv = start_server("--workers", "1", "--grace", "1", "--header-timeout", "60", "--idle-timeout", "60")
    stuck = Conn(srv.port)
    stuck.send(b"GET /simple HTTP/1.1\r\nHost: x\r\n")  # never completed
    hog = Conn(srv.port)
    hog.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    hog.send(get("/list") * 50)  # ~22 MB of responses it never reads
    time.sleep(0.5)
    t0 = time.monotonic()
    srv.send_signal(signal.SIGTERM)
    rc = srv.wait(1 + 5)
    elapsed = time.monotonic() - t0
    stuck.close()
    hog.close()
    assert rc is not None, f"still running {elapsed:.1f} s after SIGTERM with --grace 1"
    assert rc == 0, f"exit status {rc}; stderr:\n{srv.stderr}"
    assert elapsed <= 1 + 2.5, f"exit {elapsed:.1f} s after SIGTERM with --grace 1"


def test_stops_accepting_and_finishes_received_requests(start_server, pool):
    srv = start_server("--workers", "1", "--grace", "5")
    slow = Conn(srv.port, timeout=30)
    slow.send(get("/list") * 30)  # received before the signal; the responses are read later
    time.sleep(0.5)
    srv.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    got: list = []

    def read_slow():
        try:
            for _ in range(30):
                got.append(slow.read_response(timeout=10))
        except BaseException as e:  # reported below
            got.append(e)

    reader = threading.Thread(target=read_slow)
    reader.start()
    # a new connection after the signal is refused, or closed without an answer
    try:
        late = socket.create_connection((HOST, srv.port), timeout=2)
    except OSError:
        late = None
    if late is not None:
        try:
            late.sendall(get("/simple"))
            late.settimeout(8)
            data = late.recv(4096)
        except OSError:
            data = b""
        finally:
            late.close()
        assert not data.startswith(b"HTTP/1.1 200"), "a connection opened after SIGTERM was served"
    reader.join(30)
    slow.close()
    for i, r in enumerate(got):
        assert not isinstance(r, BaseException), f"response {i} of 30 requested before SIGTERM: {r}"
        assert r.status == 200 and r.body == pool.list, f"response {i} of 30 after SIGTERM: {r!r}"
    assert len(got) == 30
    rc = srv.wait(10)
    assert rc == 0, f"exit status {rc}; stderr:\n{srv.stderr}"


class _LoadClient:
    """One keep-alive connection: a writer pipelines batches and logs when each batch was fully
    handed to the kernel; a reader counts complete responses until the server closes."""

    BATCH = [get("/simple"), get("/read?id=17"), get("/compute?rows=200"), req("POST", "/echo", [], b"e" * 100),
             get("/healthz"), get("/read", [("Accept-Encoding", "gzip")]), get("/simple"), get("/list")]

    def __init__(self, port: int):
        self.sock = socket.create_connection((HOST, port), timeout=20)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sent_log: list[tuple[float, int]] = []
        self.sent = 0
        self.stop = threading.Event()
        self.reader = FastReader(self.sock)
        self.read_error: BaseException | None = None
        self.payload = b"".join(self.BATCH)
        self.tw = threading.Thread(target=self._write, daemon=True)
        self.tr = threading.Thread(target=self._read, daemon=True)

    def start(self):
        self.tw.start()
        self.tr.start()

    def _write(self):
        while not self.stop.is_set():
            try:
                self.sock.sendall(self.payload)
            except OSError:
                return
            self.sent += len(self.BATCH)
            self.sent_log.append((time.monotonic(), self.sent))
            time.sleep(0.002)

    def _read(self):
        try:
            while True:
                try:
                    data = self.sock.recv(1 << 20)
                except ConnectionResetError:
                    return
                if not data:
                    return
                self.reader.feed(data)
        except BaseException as e:  # reported by the test
            self.read_error = e

    def sent_before(self, t: float) -> int:
        return max([n for ts, n in self.sent_log if ts < t], default=0)


def test_sigterm_under_load_answers_everything_sent_before(start_server):
    srv = start_server("--workers", "2", "--grace", "5")
    clients = [_LoadClient(srv.port) for _ in range(4)]
    for c in clients:
        c.start()
    time.sleep(1.0)
    t_signal = time.monotonic()
    srv.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # clients keep sending after the signal
    for c in clients:
        c.stop.set()
    rc = srv.wait(5 + 3)
    elapsed = time.monotonic() - t_signal
    for c in clients:
        c.tw.join(5)
        c.tr.join(10)
    try:
        assert rc is not None, "server still running 8 s after SIGTERM (--grace 5)"
        assert rc == 0, f"exit status {rc}; stderr:\n{srv.stderr[-3000:]}"
        assert elapsed <= 5 + 2
        for i, c in enumerate(clients):
            assert c.read_error is None, f"client {i}: bad response stream: {c.read_error}"
            before = c.sent_before(t_signal)
            assert before > 0, f"client {i} sent nothing before the signal"
            assert c.reader.count >= before, \
                f"client {i}: {before} requests fully sent before SIGTERM, only {c.reader.count} responses"
            assert set(c.reader.statuses) == {200}, f"client {i}: statuses {c.reader.statuses}"
    finally:
        for c in clients:
            c.sock.close()
