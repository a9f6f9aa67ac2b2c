#!/usr/bin/env python3
"""The load generators' own cost: CPU microseconds per request of `rpslab load`, wrk and
autocannon, each pinned to the same single core (cpu1) against the same rpslab server
(pinned to cpu0), with the same connections and pipelining, in interleaved rounds.

A generator's CPU is its user+system time as a child process (getrusage), divided by the
responses it reports. The server is far from saturated only when the generator is the
ceiling; that does not matter here: what is measured is what each response costs the
generator, not how many there were.

Usage: bench/load-cost.py [--rounds 3] [--duration 5] [--connections 50] [--json FILE]
Targets (issue 12): rpslab load at most 0.7x wrk's cost with pipelining 16, at most 0.9x
without. autocannon needs `npm install` in bench/generators (make bench does it).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RPSLAB = Path(os.environ.get("RPSLAB_BIN", REPO / "build/release/rpslab"))
AUTOCANNON = REPO / "bench/generators/node_modules/.bin/autocannon"
PIPELINE_LUA = REPO / "bench/lib/pipeline.lua"
TARGETS = {1: 0.9, 16: 0.7}


def children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_measured(cmd: list[str], timeout: float) -> tuple[float, str]:
    before = children_cpu_s()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    cpu = children_cpu_s() - before
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[2] if len(cmd) > 2 else cmd}: exit {proc.returncode}: {proc.stderr[-500:]}")
    return cpu, proc.stdout


def rpslab_load(url: str, conns: int, depth: int, seconds: int, tmp: Path) -> tuple[float, int, int]:
    out = tmp / "r.json"
    cpu, _ = run_measured(["taskset", "-c", "1", str(RPSLAB), "load", url, "-c", str(conns), "-t", "1", "-p",
                           str(depth), "-d", f"{seconds}s", "--json", str(out)], seconds + 60)
    r = json.loads(out.read_text())
    errors = sum(r["errors"].values())
    return cpu, r["requests"], errors


def wrk(url: str, conns: int, depth: int, seconds: int, tmp: Path) -> tuple[float, int, int]:
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{seconds}s"]
    if depth > 1:
        cmd += ["-s", str(PIPELINE_LUA), url, "--", str(depth)]
    else:
        cmd += [url]
    cpu, out = run_measured(cmd, seconds + 60)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = sum(int(x) for x in m.groups()) if m else 0
    return cpu, requests, errors


def autocannon(url: str, conns: int, depth: int, seconds: int, tmp: Path) -> tuple[float, int, int]:
    cpu, out = run_measured(["taskset", "-c", "1", str(AUTOCANNON), "-c", str(conns), "-p", str(depth), "-d",
                             str(seconds), "-j", url], seconds + 60)
    r = json.loads(out)
    return cpu, r["requests"]["total"], r["errors"] + r["timeouts"]


GENERATORS = {"rpslab-load": rpslab_load, "wrk": wrk, "autocannon": autocannon}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(["taskset", "-c", "0", str(RPSLAB), "serve", "--listen", f"127.0.0.1:{port}", "--workers",
                             "1", "--cpus", "0"], stderr=subprocess.PIPE, text=True, pass_fds=())
    line = proc.stderr.readline()
    if "listening on" not in line:
        proc.kill()
        raise RuntimeError(f"rpslab serve did not start: {line}")
    return proc, port


def spread(values: list[float]) -> float:
    m = statistics.median(values)
    return (max(values) - min(values)) / m * 100 if m else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5, help="seconds per run")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--json")
    args = ap.parse_args()
    if len(os.sched_getaffinity(0)) < 2:
        print("load-cost: needs 2 CPUs (server on cpu0, generator on cpu1)", file=sys.stderr)
        return 1
    generators = dict(GENERATORS)
    missing = {}
    if not os.access(AUTOCANNON, os.X_OK):
        missing["autocannon"] = f"not installed ({AUTOCANNON}); run: npm install --prefix bench/generators"
    if shutil.which("wrk") is None:
        missing["wrk"] = "wrk not found (make deps)"
    for name in missing:
        generators.pop(name)

    lock = open("/tmp/rpslab-cpu.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # never two benchmarks or builds at once on this machine
    server, port = start_server()
    url = f"http://127.0.0.1:{port}/simple"
    results: dict[tuple[int, str], list[dict]] = {}
    try:
        with tempfile.TemporaryDirectory() as d:
            for rnd in range(1, args.rounds + 1):
                for depth in (1, 16):
                    for name, fn in generators.items():
                        cpu, requests, errors = fn(url, args.connections, depth, args.duration, Path(d))
                        row = {"round": rnd, "pipeline": depth, "generator": name, "cpu_s": cpu,
                               "requests": requests, "errors": errors,
                               "us_per_req": cpu * 1e6 / requests if requests else float("nan")}
                        results.setdefault((depth, name), []).append(row)
                        print(f"round {rnd} p{depth:<2} {name:<12} {row['us_per_req']:7.3f} us/req  "
                              f"{requests / args.duration:12.0f} req/s  errors {errors}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(15)
        fcntl.flock(lock, fcntl.LOCK_UN)

    print(f"\nGenerator CPU per request (us), /simple, {args.connections} connections, 1 thread, "
          f"generator on cpu1, rpslab serve on cpu0, {args.rounds} interleaved rounds of {args.duration} s")
    print(f"{'pipeline':<9} {'generator':<12} {'median':>8} {'spread':>8} {'req/s':>12}  rounds")
    summary = []
    for (depth, name), rows in sorted(results.items()):
        us = [r["us_per_req"] for r in rows]
        rps = statistics.median(r["requests"] for r in rows) / args.duration
        summary.append({"pipeline": depth, "generator": name, "median_us": statistics.median(us),
                        "spread_pct": spread(us), "rounds_us": us, "rps": rps,
                        "errors": sum(r["errors"] for r in rows)})
        print(f"{depth:<9} {name:<12} {statistics.median(us):8.3f} {spread(us):7.1f}% {rps:12.0f}  "
              + " ".join(f"{x:.3f}" for x in us))
    print("\nrpslab load / peer (per-round ratios paired by round)")
    ratios = []
    for depth in (1, 16):
        ours = results.get((depth, "rpslab-load"), [])
        for peer in ("wrk", "autocannon"):
            theirs = results.get((depth, peer))
            if not ours or not theirs:
                continue
            per_round = [a["us_per_req"] / b["us_per_req"] for a, b in zip(ours, theirs)]
            med = statistics.median(r["us_per_req"] for r in ours) / statistics.median(r["us_per_req"] for r in theirs)
            target = TARGETS.get(depth) if peer == "wrk" else None
            verdict = "" if target is None else ("met" if max(per_round) <= target else
                                                  "not met" if min(per_round) > target else "borderline")
            ratios.append({"pipeline": depth, "peer": peer, "ratio": med, "min": min(per_round),
                           "max": max(per_round), "target": target, "verdict": verdict})
            print(f"p{depth:<3} vs {peer:<11} {med:6.2f}  range {min(per_round):.2f}-{max(per_round):.2f}"
                  + (f"  target <= {target}: {verdict}" if target else ""))
    for name, why in missing.items():
        print(f"missing: {name}: {why}")
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "ratios": ratios, "missing": missing,
                                               "rounds": args.rounds, "duration_s": args.duration,
                                               "connections": args.connections}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
