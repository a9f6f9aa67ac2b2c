"""The debug listener (`rpslab serve --debug-listen`): CPU profiles from one prefork worker
or from every worker merged, read back by google-pprof; /debug/wait showing an idle server's
time in epoll and a deliberately contended lock's waits (--fault-contended-lock, test-only);
the port closed without the flag; precise errors for bad requests. The profiling tests need
the release build (`-m release`): they drive load and read symbols from build/release."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from httpclient import Conn, get
from procstat import server_pids
from serverproc import release_bin, rpslab_bin

DEBUG_LINE = re.compile(r"^rpslab: debug listener on 127\.0\.0\.1:([0-9]+)$")


def debug_port(srv) -> int:
    return int(srv.wait_line(DEBUG_LINE, timeout=30).group(1))


def debug_get(port: int, target: str, method: str = "GET", timeout: float = 60) -> tuple[int, dict, bytes]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, target)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def listening_ports(pid: int) -> set[int]:
    """TCP ports the server's processes listen on (LISTEN sockets among their descriptors)."""
    inodes = set()
    for p in server_pids(pid):
        for fd in Path(f"/proc/{p}/fd").iterdir():
            try:
                m = re.fullmatch(r"socket:\[([0-9]+)\]", os.readlink(fd))
            except OSError:
                continue
            if m:
                inodes.add(m.group(1))
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if f[3] == "0A" and f[9] in inodes:
                ports.add(int(f[1].rsplit(":", 1)[1], 16))
    return ports


def wait_json(port: int, seconds: int = 2) -> list[dict]:
    status, headers, body = debug_get(port, f"/debug/wait?seconds={seconds}&format=json")
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    return json.loads(body)["workers"]


def test_no_debug_port_without_the_flag(start_server):
    srv = start_server("--workers", "2")
    time.sleep(0.2)  # prefork workers have started
    assert listening_ports(srv.pid) == {srv.port}
    assert "debug listener" not in srv.stderr


def test_debug_port_is_loopback_only_unless_asked(start_server):
    for flags, message in ((["--debug-listen", "0.0.0.0:0"], "not a loopback address"),
                           (["--debug-listen-any"], "--debug-listen-any needs --debug-listen"),
                           (["--listen", "127.0.0.1:18931", "--debug-listen", "127.0.0.1:18931"], "public port")):
        srv = start_server(*flags, wait=False)
        assert srv.wait(30) == 1, srv.stderr
        assert message in srv.stderr
    srv = start_server("--workers", "1", "--debug-listen", "0.0.0.0:0", "--debug-listen-any")
    srv.wait_line(re.compile(r"^rpslab: debug listener on 0\.0\.0\.0:[0-9]+$"), timeout=30)


def test_bad_debug_requests_get_precise_errors(start_server):
    srv = start_server("--workers", "2", "--debug-listen", "127.0.0.1:0")
    port = debug_port(srv)
    cases = [
        ("/debug/pprof/profile?seconds=0", 400, "seconds must be a whole number from 1 to 300, got '0'"),
        ("/debug/pprof/profile?seconds=301", 400, "from 1 to 300, got '301'"),
        ("/debug/pprof/profile?seconds=1.5", 400, "got '1.5'"),
        ("/debug/pprof/profile?seconds=1&worker=2", 404, "no worker 2: this server has workers 0 to 1"),
        ("/debug/pprof/profile?seconds=1&worker=-1", 400, "worker must be a worker index"),
        ("/debug/pprof/profile?seconds=1&worker=x", 400, "got 'x'"),
        ("/debug/pprof/profile?seconds=1&seconds=2", 400, "parameter 'seconds' given twice"),
        ("/debug/pprof/profile?secs=1", 400, "unknown parameter 'secs' (this endpoint takes: seconds, worker)"),
        ("/debug/wait?seconds=9999", 400, "from 1 to 300"),
        ("/debug/wait?seconds=1&format=xml", 400, "format must be text or json, got 'xml'"),
        ("/debug/wait?worker=1", 400, "unknown parameter 'worker'"),
        ("/debug/nope", 404, "no such debug endpoint: /debug/nope"),
        ("/simple", 404, "no such debug endpoint"),
    ]
    for target, status, message in cases:
        got, _, body = debug_get(port, target)
        assert (got, message in body.decode()) == (status, True), (target, got, body)
    got, headers, body = debug_get(port, "/debug/wait?seconds=1", method="POST")
    assert got == 405 and headers["allow"] == "GET"
    got, _, body = debug_get(port, "/debug/pprof/heap")
    assert got == 501 and b"tcmalloc" in body  # the default build does not link tcmalloc
    with Conn(srv.port) as c:  # the public port knows nothing of /debug
        assert c.request(get("/debug/wait?seconds=1")).status == 404


# Serial: it bounds the idle workers' scheduling delay (< 10% of the wall time); busy
# neighbours on the same cores add to it.
@pytest.mark.serial
def test_wait_on_an_idle_server_is_time_in_epoll(start_server):
    srv = start_server("--workers", "2", "--debug-listen", "127.0.0.1:0")
    port = debug_port(srv)
    rows = wait_json(port, seconds=2)
    assert [r["worker"] for r in rows] == [0, 1]
    for r in rows:
        assert 1.9e9 < r["wall_ns"] < 3e9, r
        assert r["epoll_idle_ns"] > 0.9 * r["wall_ns"], r
        assert r["handling_ns"] == 0 and r["requests"] == 0, r
        assert r["lock_wait_ns"] == {"pool": 0, "test_fault": 0}, r
        assert r["sched_delay_ns"] is not None and r["sched_delay_ns"] < 0.1 * r["wall_ns"], r
        assert r["tid"] > 0 and r["pid"] in server_pids(srv.pid), r
    status, headers, body = debug_get(port, "/debug/wait?seconds=1")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    text = body.decode()
    assert re.search(r"^worker +pid +tid +wall +handling +epoll_idle +other +sched_delay +pool_queue +lock_pool "
                     r"+lock_test_fault +requests$", text, re.M), text
    assert len(re.findall(r"^[01] +[0-9]+ +[0-9]+ +1\.0", text, re.M)) == 2, text


# Serial: it asserts a share of the wall time (lock waits > 20%), which holds only while the
# clients and the server get the CPU they ask for.
@pytest.mark.serial
def test_wait_shows_a_contended_lock(start_server):
    srv = start_server("--workers", "2", "--debug-listen", "127.0.0.1:0", "--fault-contended-lock")
    port = debug_port(srv)
    stop = threading.Event()
    answered = [0]

    def client():
        with Conn(srv.port) as c:
            while not stop.is_set():
                assert c.request(get("/simple")).status == 200
                answered[0] += 1

    clients = [threading.Thread(target=client) for _ in range(4)]
    for t in clients:
        t.start()
    try:
        time.sleep(0.3)
        rows = wait_json(port, seconds=2)
    finally:
        stop.set()
        for t in clients:
            t.join(10)
    assert answered[0] > 0
    busy = [r for r in rows if r["requests"] > 0]
    assert busy, rows
    for r in busy:
        # The background thread holds the lock 4 ms of every 5: most handling is waiting on it.
        assert r["lock_wait_ns"]["test_fault"] > 0.2 * r["wall_ns"], r
        assert r["lock_wait_ns"]["test_fault"] <= r["handling_ns"], r
        assert r["lock_wait_ns"]["pool"] == 0, r


# --- CPU profiles (release build: symbols and a realistic load) -------------------------------

def pprof_text(profile: bytes, tmp_path: Path, *flags: str, binary: str | None = None) -> str:
    path = tmp_path / f"profile-{time.monotonic_ns()}"
    path.write_bytes(profile)
    proc = subprocess.run(["google-pprof", "--text", *flags, binary or release_bin(), str(path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^Total: [0-9]+ samples", proc.stdout, re.M), proc.stdout + proc.stderr
    return proc.stdout


def total_samples(text: str) -> int:
    return int(re.search(r"^Total: ([0-9]+) samples", text, re.M).group(1))


def top_functions(text: str, n: int) -> list[str]:
    rows = [l.split(None, 5) for l in text.splitlines() if re.match(r"^ +[0-9]+ +[0-9.]+%", l)]
    return [r[5] for r in rows[:n]]


class Load:
    """`rpslab load` pipelining /simple for `seconds`, in the background."""

    def __init__(self, port: int, seconds: int, binary: str | None = None):
        self.proc = subprocess.Popen([binary or release_bin(), "load", "-c", "8", "-p", "16", "-d", f"{seconds}s",
                                      f"http://127.0.0.1:{port}/simple"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)

    def __enter__(self):
        time.sleep(0.5)  # connections are up
        return self

    def __exit__(self, *exc):
        _, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, err


def prefork(start_server, *flags: str):
    srv = start_server("--mode", "processes", "--workers", "2", "--debug-listen", "127.0.0.1:0", *flags,
                       binary=release_bin())
    return srv, debug_port(srv)


@pytest.mark.release
def test_profile_of_one_prefork_worker_names_the_parser_and_the_write_path(start_server, tmp_path):
    srv, port = prefork(start_server)
    with Load(srv.port, 5):
        status, headers, body = debug_get(port, "/debug/pprof/profile?seconds=3&worker=1")
    assert status == 200, body
    assert headers["content-type"] == "application/octet-stream"
    assert headers["x-rpslab-workers"] == "1"
    text = pprof_text(body, tmp_path, "--cum")
    assert total_samples(text) >= 50, text
    top = top_functions(text, 40)
    assert "rpslab::http::parse_request" in top, text
    assert "rpslab::server::connection::flush" in top, text
    assert any(f.startswith("__libc_sendmsg") or f == "sendmsg" for f in top), text
    # Only worker 1's process was profiled: its memory map is the profile's.
    workers = [p for p in server_pids(srv.pid) if p != srv.pid]
    assert len(workers) == 2


@pytest.mark.release
def test_merged_profile_of_every_prefork_worker_parses(start_server, tmp_path):
    srv, port = prefork(start_server)
    with Load(srv.port, 5):
        status, headers, body = debug_get(port, "/debug/pprof/profile?seconds=3")
    assert status == 200, body
    assert headers["x-rpslab-workers"] == "0,1"
    assert "x-rpslab-skipped" not in headers
    text = pprof_text(body, tmp_path)
    assert total_samples(text) >= 100, text
    assert "rpslab::http::parse_request" in pprof_text(body, tmp_path, "--cum")


# Profiles work under ASan too: these run against both builds, in the mode of the run.

def test_a_second_profile_is_refused_while_one_runs(start_server):
    srv = start_server("--workers", "2", "--debug-listen", "127.0.0.1:0")
    port = debug_port(srv)
    first = {}
    t = threading.Thread(target=lambda: first.update(r=debug_get(port, "/debug/pprof/profile?seconds=2")))
    t.start()
    time.sleep(0.5)
    status, _, body = debug_get(port, "/debug/pprof/profile?seconds=1&worker=0")
    t.join(30)
    assert status == 409 and b"already being collected" in body
    assert first["r"][0] == 200, first["r"]
    assert debug_get(port, "/debug/pprof/profile?seconds=1")[0] == 200  # free again afterwards


def test_a_restarted_worker_can_be_profiled(start_server, tmp_path):
    if os.environ.get("RPSLAB_MODE") != "processes":
        pytest.skip("worker processes restart in processes mode only (the processes run covers it)")
    srv = start_server("--workers", "2", "--debug-listen", "127.0.0.1:0")
    port = debug_port(srv)
    workers = subprocess.run(["pgrep", "-P", str(srv.pid)], capture_output=True, text=True).stdout.split()
    start = len(srv.stderr_lines)
    os.kill(int(workers[0]), signal.SIGKILL)
    srv.wait_line(re.compile(r"serving again"), timeout=30, start=start)
    with Load(srv.port, 4, binary=rpslab_bin()):
        status, headers, body = debug_get(port, "/debug/pprof/profile?seconds=2")
    assert status == 200, body
    assert headers["x-rpslab-workers"] == "0,1"
    assert total_samples(pprof_text(body, tmp_path, binary=rpslab_bin())) > 0


def test_stopping_during_a_profile_ends_it(start_server):
    srv = start_server("--workers", "2", "--debug-listen", "127.0.0.1:0")
    port = debug_port(srv)
    result = {}
    t = threading.Thread(target=lambda: result.update(r=debug_get(port, "/debug/pprof/profile?seconds=60")))
    t.start()
    time.sleep(1)
    t0 = time.monotonic()
    srv.check_stopped_cleanly(timeout=15)
    t.join(15)
    assert time.monotonic() - t0 < 10
    assert result["r"][0] == 503, result["r"]


@pytest.mark.release
def test_threads_mode_profile_of_one_worker_is_its_thread_only(start_server, tmp_path):
    srv = start_server("--mode", "threads", "--workers", "2", "--debug-listen", "127.0.0.1:0", binary=release_bin())
    port = debug_port(srv)
    with Load(srv.port, 5):
        status, headers, body = debug_get(port, "/debug/pprof/profile?seconds=3&worker=0")
    assert status == 200, body
    assert headers["x-rpslab-workers"] == "0"
    text = pprof_text(body, tmp_path, "--cum")
    assert "rpslab::http::parse_request" in top_functions(text, 40), text
    # Filtered to one event-loop thread: no more samples than one CPU's worth (100 Hz).
    assert total_samples(text) <= 3 * 100 + 20, text
