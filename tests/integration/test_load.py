"""`rpslab load` against servers whose behaviour the test knows: counts, pipelining depth,
the three latency views under a stall, errors by kind, log merging, exit codes, and the
generator-was-the-ceiling verdict."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import socket
import tempfile
import time
import threading
from pathlib import Path

import pytest

from fake_server import FakeServer
from serverproc import release_bin, require

REPO = Path(__file__).resolve().parents[2]


def load_bin() -> str:
    # The generator under test: the sanitizer build in the ASan run, the release build otherwise.
    return require(os.environ.get("RPSLAB_BIN") and str((REPO / os.environ["RPSLAB_BIN"]).resolve())
                   or str(REPO / "build/asan/rpslab"))


def run_load(*args: str, timeout: float = 60, expect: int | None = 0) -> tuple[dict, str, int]:
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "r.json"
        proc = subprocess.run([load_bin(), "load", *args, "--json", str(out)], capture_output=True, text=True,
                              timeout=timeout)
        if expect is not None:
            assert proc.returncode == expect, f"exit {proc.returncode}, want {expect}\n{proc.stdout}\n{proc.stderr}"
        data = json.loads(out.read_text()) if out.exists() else {}
        return data, proc.stdout + proc.stderr, proc.returncode


def start_nginx(tmp_path, log) -> tuple[subprocess.Popen, int]:
    """nginx on a free port, answering; retried on another port if one was taken meanwhile
    (the port is borrowed from a probe socket, so another process may grab it first)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(nginx, os.X_OK):
        pytest.fail("nginx is missing: make deps installs nginx-light")
    for _ in range(5):
        probe = FakeServer()
        port = probe.port
        probe.close()
        conf = tmp_path / "nginx.conf"
        conf.write_text(f"""
daemon off; worker_processes 1; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log {log};
  client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path}; fastcgi_temp_path {tmp_path};
  uwsgi_temp_path {tmp_path}; scgi_temp_path {tmp_path};
  keepalive_requests 1000000;
  server {{ listen 127.0.0.1:{port}; location / {{ return 200 'hi'; }} }}
}}
""")
        proc = subprocess.Popen([nginx, "-c", str(conf), "-e", str(tmp_path / "error.log")])
        for _ in range(100):
            if proc.poll() is not None:
                break  # it could not bind: try another port
            if subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/"]).returncode == 0:
                return proc, port
            time.sleep(0.05)
        proc.kill()
        proc.wait(10)
    pytest.fail(f"nginx did not start: {(tmp_path / 'error.log').read_text()[-500:]}")


def test_exact_count_matches_nginx_access_log(tmp_path):
    log = tmp_path / "access.log"
    proc, port = start_nginx(tmp_path, log)
    try:
        data, _, _ = run_load(f"http://127.0.0.1:{port}/x", "-c", "8", "-t", "2", "-n", "5000", "-p", "4")
    finally:
        proc.terminate()
        proc.wait(10)
    assert data["requests"] == 5000
    assert data["sent"] == 5000
    assert data["status"] == {"200": 5000}
    # The start-up probes asked for "/": only the generator's requests are for "/x".
    assert sum(1 for line in log.read_text().splitlines() if '"GET /x HTTP/1.1"' in line) == 5000


def test_pipelining_depth_is_kept_exactly():
    srv = FakeServer("hold", hold=8)
    try:
        data, _, _ = run_load(srv.url(), "-c", "3", "-p", "8", "-n", "3000")
    finally:
        srv.close()
    assert data["requests"] == 3000
    assert srv.max_in_flight == 8, "the generator must keep exactly -p requests in flight, never more"
    assert data["max_in_flight_per_connection"] == 8


# Serial: service-time p99 < 200 ms and lag p99 < 50 ms include the scheduling delays of the
# generator and of the Python fake server, which other tests on the same cores would add to.
@pytest.mark.serial
def test_stall_shows_in_corrected_latency_only():
    srv = FakeServer("stall", stall_after=1.0, stall_s=1.0)
    try:
        data, out, _ = run_load(srv.url(), "-c", "20", "-R", "1000", "-d", "4s")
    finally:
        srv.close()
    lat, service, lag = data["latency_us"], data["service_time_us"], data["lag_us"]
    # About a quarter of the requests were due during the 1 s stall: corrected p99 sees it.
    assert lat["p99"] >= 500_000, out
    # Only the 20 requests in flight when it began waited in the server: < 1% of 4000.
    assert service["p99"] < 200_000, out
    assert lag["p99"] < 50_000, out
    assert lat["max"] >= 900_000


def test_errors_are_counted_by_kind():
    srv = FakeServer("every_nth_503", nth=10)
    try:
        data, _, _ = run_load(srv.url(), "-c", "1", "-n", "1000")
    finally:
        srv.close()
    assert data["status"] == {"200": 900, "503": 100}
    assert data["errors"]["status"] == 0
    srv = FakeServer("every_nth_503", nth=10)
    try:
        data, _, _ = run_load(srv.url(), "-c", "1", "-n", "1000", "--verify-status", "200")
    finally:
        srv.close()
    assert data["errors"]["status"] == 100

    srv = FakeServer("reset_after", nth=50)
    try:
        data, _, _ = run_load(srv.url(), "-c", "4", "-d", "1s")
    finally:
        srv.close()
    assert data["errors"]["read"] > 0
    assert any(k.startswith("read ECONNRESET") or k == "read EOF" for k in data["errors_by_errno"]), data

    srv = FakeServer("silent")
    try:
        data, out, rc = run_load(srv.url(), "-c", "3", "-d", "1.5s", "--timeout", "300ms", expect=None)
    finally:
        srv.close()
    assert rc == 2, "no response at all is a runtime failure"
    assert data["errors"]["timeout"] >= 3
    assert "timeout ETIMEDOUT" in data["errors_by_errno"]


# Serial: the port borrowed from a closed probe must stay free; a server started meanwhile by
# another test (port 0) could be given it.
@pytest.mark.serial
def test_connect_errors_have_their_errno():
    probe = FakeServer()
    port = probe.port
    probe.close()  # nothing listens there now
    data, _, rc = run_load(f"http://127.0.0.1:{port}/", "-c", "2", "-d", "0.5s", expect=None)
    assert rc == 2
    assert data["errors"]["connect"] >= 2
    assert "connect ECONNREFUSED" in data["errors_by_errno"]


def test_merge_equals_combined_counts(tmp_path):
    srv = FakeServer()
    try:
        a, _, _ = run_load(srv.url(), "-c", "2", "-d", "1s", "--hdr-log", str(tmp_path / "a.hlog"))
        b, _, _ = run_load(srv.url(), "-c", "2", "-d", "1s", "--hdr-log", str(tmp_path / "b.hlog"))
    finally:
        srv.close()
    merged = tmp_path / "m.json"
    proc = subprocess.run([load_bin(), "load", "merge", str(tmp_path / "a.hlog"), str(tmp_path / "b.hlog"),
                           "--json", str(merged)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    m = json.loads(merged.read_text())
    assert m["requests"] == a["requests"] + b["requests"]
    assert m["latency_us"]["max"] >= max(a["latency_us"]["max"], b["latency_us"]["max"]) * 0.999


def test_slo_and_usage_exit_codes():
    srv = FakeServer()
    try:
        _, out, _ = run_load(srv.url(), "-c", "1", "-n", "200", "--slo", "p50<=1us", expect=3)
        assert "SLO failed: p50" in out
        run_load(srv.url(), "-c", "1", "-n", "200", "--slo", "p99<=10s,errors<=0", expect=0)
    finally:
        srv.close()
    for bad in (["https://x/"], ["http://127.0.0.1:1/", "-R", "fast"], ["http://127.0.0.1:1/", "--slo", "p99"]):
        proc = subprocess.run([load_bin(), "load", *bad], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 1, (bad, proc.stdout, proc.stderr)
        assert "rpslab" in proc.stderr


@pytest.mark.release
def test_ceiling_verdict_when_the_generator_is_starved():
    """The generator shares its only core with seven busy loops while the server has one
    to itself: it gets an eighth of a core, so it is always running or waiting for that
    core, never for the server: it is the ceiling. (With three loops, a quarter of a core,
    it once caught up with the server within its slice and idled 21% of the time.)"""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two CPUs")
    cpus = sorted(os.sched_getaffinity(0))
    server = subprocess.Popen(["taskset", "-c", str(cpus[0]), require(release_bin()), "serve", "--listen",
                               "127.0.0.1:0", "--workers", "1"], stderr=subprocess.PIPE, text=True)
    hogs = [subprocess.Popen(["taskset", "-c", str(cpus[1]), "sh", "-c", "while :; do :; done"]) for _ in range(7)]
    try:
        line = server.stderr.readline()
        port = re.search(r":(\d+) ", line).group(1)
        proc = subprocess.run(["taskset", "-c", str(cpus[1]), require(release_bin()), "load",
                               f"http://127.0.0.1:{port}/simple", "-c", "50", "-p", "16", "-d", "2s", "--strict"],
                              capture_output=True, text=True, timeout=60)
    finally:
        for hog in hogs:
            hog.kill()
        server.terminate()
        server.wait(10)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "the generator was the ceiling" in proc.stdout


def test_hdr_log_reads_the_same_in_hdr_histogram_js(tmp_path):
    """Our interval log, decoded by hdr-histogram-js (npm; make deps installs it): the same
    intervals, the same count in each, and the same total as our JSON."""
    js_dir = REPO / "tests/integration/js"
    if not (js_dir / "node_modules/hdr-histogram-js").is_dir():
        pytest.fail("hdr-histogram-js is not installed: make deps runs npm ci in tests/integration/js")
    srv = FakeServer()
    try:
        data, _, _ = run_load(srv.url(), "-c", "4", "-d", "3s", "--hdr-log", str(tmp_path / "run.hlog"))
    finally:
        srv.close()
    proc = subprocess.run(["node", str(js_dir / "read_log.js"), str(tmp_path / "run.hlog")], capture_output=True,
                          text=True, timeout=60, cwd=js_dir)
    assert proc.returncode == 0, proc.stderr
    js = json.loads(proc.stdout)
    assert js["intervals"] == len(data["per_second"]) == 3
    assert js["counts"] == data["per_second"], "each second's histogram holds that second's responses"
    assert js["total"] == data["requests"]
    # Percentiles agree to the histogram's precision (both report the bucket's top value).
    assert abs(js["p50"] - data["latency_us"]["p50"]) <= max(1, data["latency_us"]["p50"] // 1000)
    assert abs(js["p99"] - data["latency_us"]["p99"]) <= max(1, data["latency_us"]["p99"] // 1000)


def test_unix_socket(tmp_path):
    path = tmp_path / "s.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(16)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        buf = b""
        with conn:
            while not stop.is_set():
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
                n = buf.count(b"\r\n\r\n")
                buf = buf[buf.rfind(b"\r\n\r\n") + 4:] if n else buf
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" * n)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        data, _, _ = run_load("http://localhost/simple", "--unix-socket", str(path), "-c", "3", "-n", "3000")
    finally:
        stop.set()
        listener.close()
    assert data["requests"] == 3000
    assert data["status"] == {"200": 3000}


def test_ramp_runs_one_step_per_connection_count():
    srv = FakeServer()
    try:
        data, out, _ = run_load(srv.url(), "--ramp", "2,5", "--step-duration", "1s", "--warmup", "200ms")
    finally:
        srv.close()
    steps = data["steps"]
    assert [s["connections"] for s in steps] == [2, 5]
    for s in steps:
        assert s["requests"] > 0 and len(s["per_second"]) == 1
        assert s["warmup_s"] == 0.2 and s["warmup_responses"] > 0, "the warm-up is excluded and reported"
    assert out.count("closed loop, 1.00 s measured after 0.2 s warm-up") == 2
    assert data["connections"] == 5, "the top level is the last step"
