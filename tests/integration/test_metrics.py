"""GET /metrics: Prometheus text 0.0.4 summed over every worker, whichever answers. The
summed rpslab_http_requests_total equals what a client sent, with several workers, in both
modes (the suite runs twice), across a worker restart in processes mode, and a scrape during
load parses under a strict parser."""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import threading
import time

import pytest

from httpclient import Conn, get, req
from serverproc import rpslab_bin

METRIC = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"'
SAMPLE = re.compile(rf"^({METRIC})(\{{(?:{LABEL}(?:,{LABEL})*)?\}})? (\S+)(?: (-?[0-9]+))?$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_value(text: str) -> float:
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf"))
    if not re.fullmatch(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", text):
        raise AssertionError(f"bad sample value {text!r}")
    return float(text)


def family_of(name: str, types: dict[str, str]) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) == "histogram":
            return base
    return name


def parse_exposition(text: str) -> dict[tuple[str, tuple], float]:
    """A strict reader of the text format: HELP/TYPE before their samples, each family once
    and contiguous, no duplicate series, histograms cumulative with +Inf == _count."""
    assert text.endswith("\n"), "exposition must end with a newline"
    types: dict[str, str] = {}
    helped: set[str] = set()
    samples: dict[tuple[str, tuple], float] = {}
    finished: set[str] = set()
    current = None
    for line in text[:-1].split("\n"):
        assert line, "empty line in exposition"
        if line.startswith("#"):
            m = re.fullmatch(rf"# (HELP|TYPE) ({METRIC}) (.*)", line)
            assert m, f"bad comment line {line!r}"
            kind, name, rest = m.groups()
            assert name not in finished, f"{name} comes back after other families: {line!r}"
            if kind == "HELP":
                assert name not in helped, f"second HELP for {name}"
                helped.add(name)
            else:
                assert rest in TYPES, line
                assert name not in types, f"second TYPE for {name}"
                types[name] = rest
            if current and current != name:
                finished.add(current)
            current = name
            continue
        m = SAMPLE.match(line)
        assert m, f"bad sample line {line!r}"
        name, labels_text, value, _ = m.groups()
        family = family_of(name, types)
        assert family in types, f"sample {name} before its TYPE"
        assert family == current, f"samples of {family} are not contiguous"
        labels = tuple(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', labels_text or ""))
        key = (name, labels)
        assert key not in samples, f"duplicate series {line!r}"
        samples[key] = parse_value(value)
    for family, kind in types.items():
        if kind != "histogram":
            continue
        buckets = [(dict(l)["le"], v) for (n, l), v in samples.items() if n == family + "_bucket"]
        bounds = [math.inf if le == "+Inf" else float(le) for le, _ in buckets]
        assert bounds == sorted(bounds) and bounds[-1] == math.inf, f"{family} buckets out of order"
        counts = [v for _, v in buckets]
        assert counts == sorted(counts), f"{family} buckets are not cumulative"
        assert counts[-1] == samples[(family + "_count", ())], f"{family}: +Inf bucket != _count"
    return samples


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    with Conn(port) as c:
        r = c.request(get("/metrics"))
    assert r.status == 200
    assert r.get("Content-Type") == "text/plain; version=0.0.4; charset=utf-8"
    return parse_exposition(r.body.decode())


def requests_total(samples, exclude_metrics: bool = True) -> float:
    return sum(v for (n, l), v in samples.items()
               if n == "rpslab_http_requests_total" and not (exclude_metrics and ("path", "/metrics") in l))


def send_mix(port: int, conns: int = 6) -> int:
    """Requests over several connections (so several workers answer); returns how many."""
    sent = 0
    for i in range(conns):
        with Conn(port) as c:
            for target in ("/simple", "/read?id=1", "/nope", "/healthz", "/compute?rows=10"):
                c.request(get(target))
                sent += 1
            c.request(req("POST", "/echo", body=b"x" * i))
            sent += 1
    with Conn(port) as c:  # a malformed request: answered 400 and counted under path="other"
        c.send(b"GET /simple HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n")
        assert c.read_response().status == 400
        sent += 1
    return sent


def test_requests_total_equals_what_was_sent(start_server):
    srv = start_server("--workers", "3")
    sent = send_mix(srv.port)
    samples = scrape(srv.port)
    assert requests_total(samples) == sent
    assert samples[("rpslab_http_requests_total", (("path", "other"), ("status", "404")))] == 6
    assert samples[("rpslab_http_parse_errors_total", (("status", "400"),))] == 1
    per_worker = [v for (n, _), v in samples.items() if n == "rpslab_worker_requests_total"]
    assert len(per_worker) == 3 and sum(per_worker) >= sent
    # Any worker answers for all: every scrape, on a new connection each, agrees.
    for _ in range(6):
        assert requests_total(scrape(srv.port)) == sent
    assert samples[("rpslab_connections_accepted_total", ())] >= 7
    assert samples[("rpslab_bytes_received_total", ())] > 0


def test_scrape_during_load_is_valid(start_server):
    srv = start_server("--workers", "2")
    load = subprocess.Popen([rpslab_bin(), "load", "-c", "8", "-d", "2s", "-p", "4",
                             f"http://127.0.0.1:{srv.port}/simple"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    seen = []
    try:
        while load.poll() is None:
            seen.append(requests_total(scrape(srv.port)))
            time.sleep(0.1)
    finally:
        load.wait(30)
    assert len(seen) >= 5
    assert seen == sorted(seen) and seen[-1] > seen[0]  # counters only grow
    final = scrape(srv.port)
    assert final[("rpslab_batch_responses_count", ())] > 0
    assert final[("rpslab_event_loop_iterations_total", ())] > 0


def test_counts_survive_a_worker_restart(start_server):
    if os.environ.get("RPSLAB_MODE") != "processes":
        pytest.skip("a worker process restart exists in processes mode only (the processes run covers it)")
    srv = start_server("--workers", "2")
    sent = send_mix(srv.port)
    workers = subprocess.run(["pgrep", "-P", str(srv.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) == 2
    os.kill(int(workers[0]), signal.SIGKILL)
    srv.wait_line(re.compile(r"serving again"), timeout=30)
    sent += send_mix(srv.port)
    samples = scrape(srv.port)
    assert requests_total(samples) == sent
    assert samples[("rpslab_process_restarts_total", ())] == 1


def test_stats_prints_a_line_per_interval(start_server):
    srv = start_server("--workers", "2", "--stats", "300ms")
    start = len(srv.stderr_lines)
    with Conn(srv.port) as c:
        for _ in range(200):
            c.request(get("/simple"))
    m = srv.wait_line(re.compile(r"^rpslab: stats: ([0-9]+) req/s, ([0-9]+) errors/s, ([0-9]+) connections open"),
                      timeout=10, start=start)
    lines = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(int(re.search(r"stats: ([0-9]+) req/s", l).group(1)) > 0
                                                  for l in lines):
        lines = [l for l in srv.stderr_lines[start:] if "rpslab: stats:" in l]
        time.sleep(0.1)
    assert m and any(int(re.search(r"stats: ([0-9]+) req/s", l).group(1)) > 0 for l in lines), lines
