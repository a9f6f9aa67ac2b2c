"""Overload against the release build: a small pool (--pool-max 32 --pool-queue 128) offered
many times its capacity by `rpslab load` in open loop. Refusals are 503 with Retry-After,
accepted jobs answer correctly, /simple keeps answering, resident memory stays within the
pool's bound, and once the load stops the pool shrinks back to its minimum."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from httpclient import Conn, get
from procstat import status_value
from serverproc import release_bin

pytestmark = pytest.mark.release

JOB_KB = 500
POOL_MAX = 32


def test_overload_is_refused_fast_and_memory_stays_bounded(start_server):
    srv = start_server("--workers", "1", "--pool-min", "2", "--pool-max", str(POOL_MAX), "--pool-queue", "128",
                       "--pool-idle-ms", "200", binary=release_bin())
    with Conn(srv.port) as c:  # warm up: the worker's buffers and the pool's first job
        assert c.request(get("/work?ms=1&kb=4")).status == 200
    time.sleep(0.5)  # a thread the warm-up may have added retires (--pool-idle-ms 200)
    idle_threads = status_value(srv.pid, "Threads")
    rss_before_kb = status_value(srv.pid, "VmHWM")

    stop = threading.Event()
    simple_worst = [0.0]
    probes: list[tuple[int, str | None, bytes]] = []

    def keep_asking_simple() -> None:
        with Conn(srv.port, timeout=10) as c:
            while not stop.is_set():
                t0 = time.monotonic()
                assert c.request(get("/simple")).body == b'{"message":"hi"}'
                simple_worst[0] = max(simple_worst[0], time.monotonic() - t0)
                time.sleep(0.02)

    def probe_work() -> None:
        time.sleep(1.0)  # well into the overload
        with Conn(srv.port, timeout=10) as c:
            for _ in range(50):
                r = c.request(get(f"/work?ms=20&kb={JOB_KB}"))
                probes.append((r.status, r.get("Retry-After"), r.body))

    side = [threading.Thread(target=keep_asking_simple), threading.Thread(target=probe_work)]
    for t in side:
        t.start()
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "load.json"
        # Capacity is about 32 / 20 ms = 1,600 jobs/s; offer about four times that.
        proc = subprocess.run([release_bin(), "load", "-c", "400", "-R", "6000", "-d", "4s", "--timeout", "5s",
                               "--json", str(out), f"http://127.0.0.1:{srv.port}/work?ms=20&kb={JOB_KB}"],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        result = json.loads(out.read_text())
    stop.set()
    for t in side:
        t.join(30)

    status = {int(k): v for k, v in result["status"].items()}
    assert status.get(200, 0) > 0 and status.get(503, 0) > 0, status
    assert set(status) <= {200, 503}, status
    assert sum(result["errors"].values()) == 0, result["errors"]
    assert probes and {s for s, _, _ in probes} <= {200, 503}
    for s, retry_after, body in probes:
        if s == 503:
            assert retry_after == "1"
        else:
            assert re.fullmatch(rb'\{"queued_us":[0-9]+,"ran_us":[0-9]+\}', body), body
    assert any(s == 503 for s, _, _ in probes)

    # /simple is served by the event loop, never behind the jobs: generous bound, a hang detector.
    assert simple_worst[0] < 1.0, f"/simple took {simple_worst[0]:.3f} s during the overload"

    # The pool's bound: at most POOL_MAX jobs' memory at once, plus connections and stacks.
    grown_kb = status_value(srv.pid, "VmHWM") - rss_before_kb
    bound_kb = POOL_MAX * JOB_KB + 48 * 1024
    print(f"overload: peak RSS grew {grown_kb} kB (bound {bound_kb} kB); status {status}")
    assert grown_kb <= bound_kb

    # Idle again: the pool retires its extra threads (idle 200 ms) down to --pool-min.
    deadline = time.monotonic() + 10
    while status_value(srv.pid, "Threads") > idle_threads and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status_value(srv.pid, "Threads") == idle_threads

    srv.stop()
    err = srv.stderr
    m = re.search(r"pool jobs: accepted ([0-9]+), completed ([0-9]+), failed 0, refused ([0-9]+)", err)
    assert m, err
    accepted, completed, refused = map(int, m.groups())
    assert completed > 0 and refused > 0
    assert "threads peak" in err


def test_naive_control_stops_at_its_memory_cap(start_server):
    srv = start_server("--workers", "1", "--pool", "naive", "--naive-max-rss", "256M", binary=release_bin())
    with Conn(srv.port, timeout=30) as c:
        # Each job holds 64 MiB for 3 s: the fifth passes the cap while all still run.
        for _ in range(8):
            c.send(get("/work?ms=3000&kb=65536"))
        try:
            for _ in range(8):
                assert c.read_response().status == 202
        except Exception:
            pass  # the server may exit before every 202 is read
    assert srv.wait(30) == 3
    err = srv.stderr
    assert "passed --naive-max-rss 256 MiB" in err, err
    m = re.search(r"naive \(at the cap\) jobs: accepted ([0-9]+), completed 0", err)
    assert m and int(m.group(1)) >= 4, err
