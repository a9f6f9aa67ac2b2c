"""A small threaded HTTP/1.1 responder whose misbehaviour a test chooses, to check what
`rpslab load` measures: how deep it really pipelines, what a stall does to each latency
view, and how it counts non-2xx statuses, resets and timeouts. Loopback only."""

from __future__ import annotations

import socket
import struct
import threading
import time

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
UNAVAILABLE = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"


class FakeServer:
    """Answers GET requests (no bodies). Modes:
    - "ok": answer every request at once.
    - "hold": answer only when `hold` requests are waiting on a connection (or after 20 ms
      of silence), recording the most requests ever in flight on one connection.
    - "stall": answer at once, but once, `stall_after` s after the first request, stop every
      connection for `stall_s` seconds.
    - "every_nth_503": answer 503 to every `nth` request of a connection.
    - "reset_after": reset (RST) a connection after `nth` requests.
    - "silent": never answer.
    """

    def __init__(self, mode: str = "ok", hold: int = 1, stall_after: float = 1.0, stall_s: float = 1.0,
                 nth: int = 10):
        self.mode, self.hold, self.nth = mode, hold, nth
        self.stall_after, self.stall_s = stall_after, stall_s
        self.lock = threading.Lock()
        self.max_in_flight = 0
        self.requests = 0
        self.first_request_at: float | None = None
        self.stalled = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        self.closing = False
        self.threads: list[threading.Thread] = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.closing = True
        self.sock.close()

    def _accept(self) -> None:
        while not self.closing:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()

    def _maybe_stall(self) -> None:
        if self.mode != "stall" or self.stalled:
            return
        if time.monotonic() - (self.first_request_at or time.monotonic()) >= self.stall_after:
            with self.lock:  # every connection thread takes this lock per request: all stop
                if not self.stalled:
                    self.stalled = True
                    time.sleep(self.stall_s)

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        waiting = 0
        served = 0
        conn.settimeout(0.02)
        try:
            while not self.closing:
                try:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                except socket.timeout:
                    data = None
                n = buf.count(b"\r\n\r\n")
                if n:
                    buf = buf[buf.rfind(b"\r\n\r\n") + 4:]
                    waiting += n
                    with self.lock:
                        self.requests += n
                        if self.first_request_at is None:
                            self.first_request_at = time.monotonic()
                        self.max_in_flight = max(self.max_in_flight, waiting)
                if waiting == 0 or self.mode == "silent":
                    continue
                if self.mode == "hold" and waiting < self.hold and data is not None:
                    continue
                self._maybe_stall()
                with self.lock:
                    pass  # a stall in progress holds the lock
                out = []
                for _ in range(waiting):
                    served += 1
                    if self.mode == "reset_after" and served > self.nth:
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        conn.close()
                        return
                    out.append(UNAVAILABLE if self.mode == "every_nth_503" and served % self.nth == 0 else RESPONSE)
                waiting = 0
                conn.sendall(b"".join(out))
        except OSError:
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass
