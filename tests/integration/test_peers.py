"""The peers rpslab is measured beside (bench/peers) send rpslab's bytes.

DESIGN.md "Same bytes everywhere": a comparison of servers is only fair when every server
sends the bytes of `rpslab pool dump`. For each server the bench runs (rpslab itself,
nginx, h2o, the Go peers on fasthttp, fasthttp prefork and net/http) this runs
bench/peers/check-bodies.sh, the same check the bench scripts use before they trust a
number: /simple, /read (identity and gzip), /list (identity and gzip) and /compute are
200s with the dump's exact bodies, Content-Type application/json, Content-Encoding gzip
exactly when asked for, and Vary: Accept-Encoding on /read and /list.

The Go peers serve every workload, so they are also driven through what a static server
cannot do: /compute?rows=N (against compute_ref.py's exact reference, at the rounding
edges too, and the default computed per request with -compute-live), /read at random,
/echo, HEAD, 400/404/405, and a clean exit on SIGTERM (prefork: no child left behind).

A peer that is not installed or not built FAILS, naming the package or build it needs;
nothing is skipped. The Go peers are (re)built by bench/peers/build-go-peers.sh when
their sources are newer than the binaries. Release binaries only (run with -m release).
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from compute_ref import aggregate, interesting_row_counts, parse_orders
from pooldata import Pool, dump_pool
from serverproc import REPO, release_bin, require

pytestmark = pytest.mark.release

CHECK_BODIES = REPO / "bench/peers/check-bodies.sh"
BUILD_GO_PEERS = REPO / "bench/peers/build-go-peers.sh"
PEERS_DIR = REPO / "build/peers"

# What each peer needs, for the message when it is missing.
SYSTEM_PEERS = {
    "nginx": ("NGINX_BIN", ["nginx", "/usr/sbin/nginx"], "the Debian package nginx-light"),
    "h2o": ("H2O_BIN", ["h2o", "/usr/bin/h2o"], "the Debian package h2o"),
}
GO_PEERS = {"fasthttp": "fasthttp-peer", "fasthttp-prefork": "fasthttp-peer", "nethttp": "nethttp-peer"}
SERVERS = ["rpslab", "nginx", "h2o", "fasthttp", "fasthttp-prefork", "nethttp"]

GO_BUILD_TIMEOUT_S = 900  # a build from an empty cache compiles fasthttp and its deps on 2 cores
START_TIMEOUT_S = 10


@pytest.fixture(scope="module")
def pool_dir(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("peers") / "pool"
    proc = dump_pool(dest, binary=release_bin())
    assert proc.returncode == 0, f"rpslab pool dump failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}"
    return dest


@pytest.fixture(scope="module")
def pool(pool_dir) -> Pool:
    return Pool(pool_dir)


@pytest.fixture(scope="module")
def go_build() -> subprocess.CompletedProcess:
    """bench/peers/build-go-peers.sh, once: it rebuilds only what is out of date, holding the
    CPU lock unless this run already holds it."""
    return subprocess.run([str(BUILD_GO_PEERS)], cwd=REPO, capture_output=True, text=True,
                          timeout=GO_BUILD_TIMEOUT_S)


def require_peer(server: str, go_build: subprocess.CompletedProcess) -> dict[str, str]:
    """Fails the test, saying what to install or build, when `server` is missing; returns
    the environment check-bodies.sh needs to find it."""
    env = {"RPSLAB_BIN": require(release_bin())}
    if server in SYSTEM_PEERS:
        var, candidates, package = SYSTEM_PEERS[server]
        found = os.environ.get(var) or next((p for p in map(shutil.which, candidates) if p), None)
        if not found or not os.access(found, os.X_OK):
            pytest.fail(f"{server} is missing: install {package} (listed in deps/debian-packages.txt; "
                        f"`make deps` installs it)", pytrace=False)
        env[var] = found
    elif server in GO_PEERS:
        binary = PEERS_DIR / GO_PEERS[server]
        if go_build.returncode != 0 or not os.access(binary, os.X_OK):
            pytest.fail(f"{server}: {binary.relative_to(REPO)} could not be built by "
                        f"bench/peers/build-go-peers.sh (exit {go_build.returncode}; it needs golang-go and "
                        f"golang-github-valyala-fasthttp-dev, `make deps`):\n{go_build.stderr}{go_build.stdout}",
                        pytrace=False)
    return env


@pytest.mark.parametrize("server", SERVERS)
def test_peer_sends_the_dumps_bytes(server, pool_dir, go_build):
    env = dict(os.environ)
    env.update(require_peer(server, go_build))
    proc = subprocess.run([str(CHECK_BODIES), "--start", server, "--pool", str(pool_dir)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    out = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 0, f"check-bodies.sh --start {server} exited {proc.returncode}:\n{out}"
    assert "all bodies byte-identical" in out, out


# --- the Go peers: every workload --------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """Pids whose parent is `pid` (from /proc/PID/stat; this kernel may lack .../children)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


class GoPeer:
    """A Go peer process on a free port, its output in a temp file."""

    def __init__(self, server: str, pool_dir: Path, extra: list[str]):
        self.server = server
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        args = [str(PEERS_DIR / GO_PEERS[server]), "-addr", f"127.0.0.1:{self.port}", "-dir", str(pool_dir)]
        if server == "fasthttp-prefork":
            args.append("-prefork")
        # Two Ps: two prefork children, two threads running goroutines.
        env = dict(os.environ, GOMAXPROCS="2")
        self.proc = subprocess.Popen(args + extra, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"{server} exited with {self.proc.returncode} at start:\n{self.output()}", pytrace=False)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.kill()
                    pytest.fail(f"{server} did not listen on {self.port} within {START_TIMEOUT_S}s:\n"
                                f"{self.output()}", pytrace=False)
                time.sleep(0.05)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def kill(self) -> None:
        for pid in children_of(self.proc.pid) + [self.proc.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(5)

    def stop(self) -> None:
        """SIGTERM: exit 0 within 5 s, and no child process left running."""
        children = children_of(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"{self.server} ignored SIGTERM for 5 s:\n{self.output()}", pytrace=False)
        deadline = time.monotonic() + 5
        while any(_running(p) for p in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [p for p in children if _running(p)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert rc == 0, f"{self.server} exited {rc} after SIGTERM:\n{self.output()}"
        assert not left, f"{self.server}: children {left} still running after the master exited"


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def get(c: http.client.HTTPConnection, path: str, headers: dict | None = None, method: str = "GET",
        body=None) -> tuple[http.client.HTTPResponse, bytes]:
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    return r, r.read()


@pytest.fixture(scope="module")
def orders(pool):
    return parse_orders(pool.orders_csv)


@pytest.fixture(scope="module")
def compute_cases(orders) -> dict[int, bytes]:
    """Row counts to ask for, with the reference answers: a spread, and the first of each
    kind of rounding or region tie (where an implementation that is almost right is wrong)."""
    edges = interesting_row_counts(orders)
    counts = {1, 2, 3, 11, 12, 13, 97, 1000, 4999, 12345, 19999, len(orders)}
    for found in edges.values():
        counts.update(found[:4])
    return {n: aggregate(orders, n) for n in sorted(counts)}


@pytest.mark.parametrize("server", list(GO_PEERS))
def test_go_peer_serves_every_workload(server, pool, pool_dir, go_build, compute_cases):
    require_peer(server, go_build)
    # -compute-live: the default /compute is computed per request too, and must still be
    # compute.json byte for byte.
    peer = GoPeer(server, pool_dir, ["-compute-live"])
    try:
        c = peer.conn()
        # /compute?rows=N against the exact reference, then the default computed live.
        for n, expected in compute_cases.items():
            r, body = get(c, f"/compute?rows={n}")
            assert (r.status, r.getheader("Content-Type")) == (200, "application/json"), f"rows={n}"
            assert body == expected, f"{server} /compute?rows={n}:\n got  {body[:300]!r}\n want {expected[:300]!r}"
        r, body = get(c, "/compute")
        assert r.status == 200 and body == pool.compute, f"{server}: live /compute differs from compute.json"
        for bad in ["0", "20001", "-1", "abc", "", "1e3", "99999999999"]:
            r, _ = get(c, f"/compute?rows={bad}")
            assert r.status == 400, f"{server} /compute?rows={bad}: {r.status}, want 400"

        # /read at random: products of the pool, many different ones, both encodings.
        seen = set()
        for i in range(60):
            gz = i % 2 == 1
            r, body = get(c, "/read", {"Accept-Encoding": "gzip"} if gz else {})
            assert r.status == 200 and r.getheader("Vary") == "Accept-Encoding"
            index = pool.read_gz_index if gz else pool.read_index
            assert body in index, f"{server} /read sent a body that is no product of the dump ({len(body)} bytes)"
            assert (r.getheader("Content-Encoding") == "gzip") == gz
            seen.add(index[body])
        assert len(seen) >= 30, f"{server}: 60 random /read gave only {len(seen)} different products"
        # Accept-Encoding as rpslab reads it (test_endpoints.py): gzip with q > 0.
        for accept in ["gzip", "gzip, deflate, br", "deflate, gzip", "gzip,deflate", "br;q=1.0, gzip",
                       "GZIP", "deflate, gzip;q=0.5"]:
            r, body = get(c, "/read?id=499", {"Accept-Encoding": accept})
            assert (r.getheader("Content-Encoding"), body) == ("gzip", pool.read_gz[499]), f"{server}: {accept!r}"
        for accept in ["deflate", "br", "identity", "compress, br", "gzip;q=0", "gzip; q=0.000"]:
            r, body = get(c, "/read?id=3", {"Accept-Encoding": accept})
            assert (r.getheader("Content-Encoding"), body) == (None, pool.read[3]), f"{server}: {accept!r}"
        assert get(c, "/read?id=500")[0].status == 404
        assert get(c, "/read?id=x")[0].status == 400

        # HEAD: the headers of the GET, no body.
        r, body = get(c, "/list", method="HEAD")
        assert r.status == 200 and body == b"" and r.getheader("Content-Length") == str(len(pool.list))

        # /echo: the body back, with the request's Content-Type (octet-stream without one);
        # a chunked request is answered de-chunked, with Content-Length.
        payload = bytes(range(256)) * 300
        r, body = get(c, "/echo", {"Content-Type": "application/x-test"}, "POST", payload)
        assert (r.status, body, r.getheader("Content-Type")) == (200, payload, "application/x-test")
        r, body = get(c, "/echo", {}, "POST", b"abc")
        assert (r.status, body, r.getheader("Content-Type")) == (200, b"abc", "application/octet-stream")
        c.putrequest("POST", "/echo")
        c.putheader("Transfer-Encoding", "chunked")
        c.putheader("Content-Type", "text/x-chunky")
        c.endheaders()
        c.send(b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n")
        r = c.getresponse()
        body = r.read()
        assert (r.status, body, r.getheader("Content-Length"), r.getheader("Transfer-Encoding")) == \
            (200, b"abcdefg", "7", None)

        # Everything above went over one keep-alive connection.
        assert get(c, "/healthz")[0].status == 200
        assert get(c, "/simple", method="POST")[0].status == 405
        assert get(c, "/nope")[0].status == 404
        c.close()

        # New connections (spread over the prefork children) get the same bytes.
        for _ in range(6):
            c = peer.conn()
            assert get(c, "/simple")[1] == pool.simple
            c.close()
    except BaseException:
        peer.kill()
        raise
    peer.stop()
