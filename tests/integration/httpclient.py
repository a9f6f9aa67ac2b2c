"""A strict, minimal HTTP/1.1 client for the integration tests.

It sends raw bytes (so a test controls every octet of a request) and parses
responses strictly: CRLF line endings, one status line, `name: value` fields,
and a body framed by Content-Length only (rpslab never sends chunked or
close-delimited responses). Every final response is checked for the headers
the server must always send (Server, Date, Content-Length).
"""

from __future__ import annotations

import datetime
import re
import select
import socket
import time

HOST = "127.0.0.1"

_STATUS_LINE = re.compile(rb"^HTTP/1\.1 ([1-5][0-9][0-9]) ([\t !-~\x80-\xff]*)$")
_FIELD = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$")
_IMF_FIXDATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT$"
)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class ProtocolError(AssertionError):
    """The server sent bytes that are not a valid rpslab response."""


class Closed(AssertionError):
    """The connection ended before a complete response arrived."""

    def __init__(self, msg: str, partial: bytes = b""):
        super().__init__(msg)
        self.partial = partial


def parse_imf_fixdate(value: str) -> datetime.datetime:
    """Parses an IMF-fixdate (RFC 9110 §5.6.7); raises ProtocolError if the form is not exact."""
    m = _IMF_FIXDATE.match(value)
    if not m:
        raise ProtocolError(f"Date is not an IMF-fixdate: {value!r}")
    day, mon, year, hh, mm, ss = m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), m.group(7)
    try:
        dt = datetime.datetime(int(year), _MONTHS.index(mon) + 1, int(day), int(hh), int(mm), int(ss),
                               tzinfo=datetime.timezone.utc)
    except ValueError as e:
        raise ProtocolError(f"Date is not a valid date: {value!r}: {e}") from None
    if _DAYS[dt.weekday()] != m.group(1):
        raise ProtocolError(f"Date has the wrong weekday: {value!r}")
    return dt


class Response:
    def __init__(self, status: int, reason: str, fields: list[tuple[str, str]], body: bytes, raw_head: bytes):
        self.status = status
        self.reason = reason
        self.fields = fields  # in order, names as sent
        self.body = body
        self.raw_head = raw_head

    def all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for n, v in self.fields if n.lower() == name]

    def get(self, name: str) -> str | None:
        """The single value of field `name`, or None; fails if it appears more than once."""
        values = self.all(name)
        if len(values) > 1:
            raise ProtocolError(f"field {name} appears {len(values)} times: {values}")
        return values[0] if values else None

    def has(self, name: str) -> bool:
        return bool(self.all(name))

    def media_type(self) -> str | None:
        ct = self.get("Content-Type")
        return None if ct is None else ct.split(";")[0].strip().lower()

    def connection_tokens(self) -> set[str]:
        tokens = set()
        for v in self.all("Connection"):
            tokens.update(t.strip().lower() for t in v.split(",") if t.strip())
        return tokens

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.fields} body={len(self.body)}B {self.body[:80]!r}>"


def validate_final(resp: Response, head_request: bool = False) -> None:
    """The headers every final rpslab response carries (the spec's 'Responses' paragraph)."""
    if resp.get("Server") != "rpslab":
        raise ProtocolError(f"Server field is {resp.all('Server')}, want ['rpslab']: {resp!r}")
    date = resp.get("Date")
    if date is None:
        raise ProtocolError(f"no Date field: {resp!r}")
    parse_imf_fixdate(date)
    if resp.has("Transfer-Encoding"):
        raise ProtocolError(f"response carries Transfer-Encoding: {resp!r}")
    if resp.status not in (204, 304):
        cl = resp.get("Content-Length")
        if cl is None:
            raise ProtocolError(f"response {resp.status} without Content-Length: {resp!r}")
        if not head_request and int(cl) != len(resp.body):
            raise ProtocolError(f"Content-Length {cl} but body has {len(resp.body)} bytes")


class Conn:
    """One client connection with its own receive buffer."""

    def __init__(self, port: int, timeout: float = 10.0, nodelay: bool = True, sndbuf: int | None = None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if sndbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        if nodelay:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.sock.connect((HOST, port))
        self.timeout = timeout
        self.buf = bytearray()
        self.eof = False

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self, deadline: float) -> bool:
        """Reads more bytes into the buffer; False at EOF (or reset). Raises TimeoutError at the deadline."""
        if self.eof:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out waiting for the server")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(1 << 20)
        except socket.timeout:
            raise TimeoutError("timed out waiting for the server") from None
        except ConnectionResetError:
            chunk = b""
        finally:
            self.sock.settimeout(self.timeout)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def read_response(self, head_request: bool = False, timeout: float | None = None,
                      validate: bool = True, allow_informational: bool = False) -> Response:
        """Reads one response. 1xx responses are returned only if allow_informational."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        while True:
            resp = self._read_one(head_request, deadline)
            if 100 <= resp.status < 200 and not allow_informational:
                raise ProtocolError(f"unexpected informational response {resp.status}")
            if resp.status >= 200 and validate:
                validate_final(resp, head_request)
            return resp

    def _read_one(self, head_request: bool, deadline: float) -> Response:
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            if not self._fill(deadline):
                raise Closed(f"connection closed before a complete response head; got {bytes(self.buf)[:200]!r}",
                             bytes(self.buf))
        head = bytes(self.buf[:end])
        del self.buf[: end + 4]
        lines = head.split(b"\r\n")
        for line in lines:
            if b"\r" in line or b"\n" in line:
                raise ProtocolError(f"bare CR or LF in response head: {head!r}")
        m = _STATUS_LINE.match(lines[0])
        if not m:
            raise ProtocolError(f"bad status line {lines[0]!r}")
        status = int(m.group(1))
        fields = []
        for line in lines[1:]:
            fm = _FIELD.match(line)
            if not fm:
                raise ProtocolError(f"bad header line {line!r} in {head!r}")
            fields.append((fm.group(1).decode("ascii"), fm.group(2).decode("latin-1")))
        resp = Response(status, m.group(2).decode("latin-1"), fields, b"", head)
        if status < 200 or status in (204, 304) or head_request:
            return resp
        cl = resp.all("Content-Length")
        if len(cl) != 1 or not re.fullmatch(r"[0-9]+", cl[0]):
            raise ProtocolError(f"response {status} needs exactly one numeric Content-Length, got {cl}: {head!r}")
        if resp.has("Transfer-Encoding"):
            raise ProtocolError(f"response carries Transfer-Encoding: {head!r}")
        n = int(cl[0])
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise Closed(f"connection closed after {len(self.buf)} of {n} body bytes of a {status}",
                             head + b"\r\n\r\n" + bytes(self.buf))
        resp.body = bytes(self.buf[:n])
        del self.buf[:n]
        return resp

    def expect_closed(self, timeout: float = 5.0) -> bytes:
        """Waits until the server closes; returns any bytes that arrived meanwhile (buffered ones included).
        Raises TimeoutError if the connection is still open after `timeout`."""
        deadline = time.monotonic() + timeout
        while self._fill(deadline):
            pass
        extra = bytes(self.buf)
        self.buf.clear()
        return extra

    def is_open_quiet(self, wait: float = 0.0) -> bool:
        """True if, during `wait` seconds, the server neither closed the connection nor sent anything."""
        if self.buf or self.eof:
            return False
        r, _, _ = select.select([self.sock], [], [], wait)
        return not r

    def request(self, raw: bytes, head_request: bool = False, timeout: float | None = None) -> Response:
        self.send(raw)
        return self.read_response(head_request=head_request, timeout=timeout)


def req(method: str, target: str, headers: list[tuple[str, str]] | None = None, body: bytes | None = None,
        version: str = "HTTP/1.1", host: str | None = "127.0.0.1") -> bytes:
    """Builds a well-formed request; Content-Length is added for a body unless headers set framing."""
    lines = [f"{method} {target} {version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    names = set()
    for n, v in headers or []:
        lines.append(f"{n}: {v}")
        names.add(n.lower())
    if body is not None and "content-length" not in names and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def get(target: str, headers: list[tuple[str, str]] | None = None, **kw) -> bytes:
    return req("GET", target, headers, **kw)


def chunked(body_parts: list[bytes], ext: bool = False, trailers: list[tuple[str, str]] | None = None) -> bytes:
    """Encodes parts as a chunked body (each part one chunk), optionally with extensions and trailers."""
    out = b""
    for i, part in enumerate(body_parts):
        size = f"{len(part):x}"
        if ext:
            size += f';ext{i}=val{i};flag' if i % 2 else f' ; name="quoted;{i}"'
        out += size.encode() + b"\r\n" + part + b"\r\n"
    out += b"0" + (b";last=1" if ext else b"") + b"\r\n"
    for n, v in trailers or []:
        out += f"{n}: {v}\r\n".encode()
    return out + b"\r\n"


class FastReader:
    """Counts pipelined responses on a socket quickly (for load-ish tests): checks each status
    line and skips bodies by Content-Length without keeping them."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = bytearray()
        self.skip = 0
        self.count = 0
        self.statuses: dict[int, int] = {}
        self.eof = False
        self._rx = bytearray(1 << 20)

    def feed(self, data) -> None:
        mv = memoryview(data)
        if self.skip:
            if len(mv) <= self.skip:
                self.skip -= len(mv)
                return
            mv = mv[self.skip:]
            self.skip = 0
        self.buf += mv
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 1 << 16:
                    raise ProtocolError(f"response head over 64 KiB: {bytes(self.buf[:200])!r}")
                return
            head = bytes(self.buf[:end])
            if not head.startswith(b"HTTP/1.1 "):
                raise ProtocolError(f"bad response start {head[:100]!r}")
            status = int(head[9:12])
            m = re.search(rb"\r\ncontent-length:[ \t]*([0-9]+)", head, re.I)
            if not m:
                raise ProtocolError(f"response without Content-Length: {head!r}")
            n = int(m.group(1))
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.count += 1
            rest = len(self.buf) - (end + 4)
            if rest >= n:
                del self.buf[: end + 4 + n]
            else:
                self.skip = n - rest
                self.buf.clear()
                return

    def read_until(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.count < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"got {self.count} of {count} responses")
            self.sock.settimeout(remaining)
            try:
                n = self.sock.recv_into(self._rx)
            except socket.timeout:
                raise TimeoutError(f"got {self.count} of {count} responses") from None
            except ConnectionResetError:
                n = 0
            if not n:
                self.eof = True
                raise Closed(f"connection closed after {self.count} of {count} responses")
            self.feed(memoryview(self._rx)[:n])


def pipeline(conn: Conn, raws: list[bytes], heads: list[bool] | None = None, timeout: float = 30.0) -> list[Response]:
    """Sends all requests in one write, then reads one response per request, in order."""
    conn.send(b"".join(raws))
    heads = heads or [r.startswith(b"HEAD ") for r in raws]
    return [conn.read_response(head_request=h, timeout=timeout) for h in heads]
