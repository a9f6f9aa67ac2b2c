#!/usr/bin/env python3
"""The overload experiment (issue 14) at this machine's scale: /work jobs of 20 ms holding
500 KiB each, offered in open loop at several times the pool's capacity for 30 s, against
(a) `--pool naive` (a new thread per job, answered 202 at once, unbounded) and (b) the
bounded adaptive pool. The published test it scales down: 1,000,000 req/s for 30 s on 10
cores against a pool of at most 5,000 workers (capacity 250,000 jobs/s: 4x overload).

The server runs on cpu0, `rpslab load` on cpu1. Jobs are counted where they run: the
server prints, at exit, jobs accepted, completed and refused, their latency from arrival
to completion, their queue time and the time from a refused request's parse to its 503
leaving (bench reads those lines). Peak RSS is the server's VmHWM. The client side gives
status counts and its own latency of every response.

Usage: bench/overload.py [--duration 30] [--pool-max 32] [--overload 8] [--naive-max-rss 4G]
                         [--json FILE]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RPSLAB = Path(os.environ.get("RPSLAB_BIN", REPO / "build/release/rpslab"))
JOB = "ms=20&kb=500"
JOB_S = 0.020

SUMMARY = re.compile(r"rpslab: (?:naive|pool)(?: \(at the cap\))? jobs: accepted (\d+), completed (\d+), "
                     r"failed (\d+), refused (\d+) \(queue_full (\d+), overloaded (\d+), limit (\d+), "
                     r"deadline (\d+), shed (\d+)\); threads peak (\d+)")
PCTS = r"p50 (\d+), p99 (\d+), p99\.9 (\d+), max (\d+) us"
LATENCY = re.compile(r"job latency \(arrival to completion\): " + PCTS)
QUEUED = re.compile(r"job queue time: " + PCTS)
TO_503 = re.compile(r"time to a 503: " + PCTS)


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return int(re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M).group(1))
    except (OSError, AttributeError):
        return 0


def start_server(mode: str, args: argparse.Namespace, port: int, err_path: Path) -> subprocess.Popen:
    cmd = ["taskset", "-c", "0", str(RPSLAB), "serve", "--listen", f"127.0.0.1:{port}", "--workers", "1",
           "--grace", "30s", "--pool", mode, "--pool-max", str(args.pool_max), "--pool-queue",
           str(args.pool_queue), "--naive-max-rss", args.naive_max_rss]
    err = open(err_path, "w")
    proc = subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while "listening on" not in err_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start: {err_path.read_text()}")
        time.sleep(0.05)
    proc.cmdline = cmd  # type: ignore[attr-defined]
    return proc


def percentiles(m: re.Match | None) -> dict:
    if not m:
        return {}
    return dict(zip(("p50_us", "p99_us", "p999_us", "max_us"), map(int, m.groups())))


def run(mode: str, args: argparse.Namespace, tmp: Path) -> dict:
    port = free_port()
    err_path = tmp / f"{mode}.err"
    server = start_server(mode, args, port, err_path)
    rate = int(args.pool_max / JOB_S * args.overload)
    out = tmp / f"{mode}.json"
    load_cmd = ["taskset", "-c", "1", str(RPSLAB), "load", "-c", str(args.connections), "-R", str(rate), "-d",
                f"{args.duration}s", "--timeout", "10s", "--json", str(out),
                f"http://127.0.0.1:{port}/work?{JOB}"]
    peak_kb = 0
    started = time.monotonic()
    load = subprocess.Popen(load_cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while load.poll() is None:
        peak_kb = max(peak_kb, peak_rss_kb(server.pid))
        time.sleep(0.2)
    load_text = load.stdout.read() if load.stdout else ""
    exited_at_cap = server.poll() is not None
    ran_s = time.monotonic() - started
    peak_kb = max(peak_kb, peak_rss_kb(server.pid))
    if not exited_at_cap:
        server.send_signal(signal.SIGTERM)
    server.wait(120)
    err = err_path.read_text()
    client = json.loads(out.read_text()) if out.exists() else {}
    s = SUMMARY.search(err)
    row = {
        "mode": mode,
        "offered_rps": rate,
        "duration_s": args.duration,
        "server_command": " ".join(server.cmdline),  # type: ignore[attr-defined]
        "load_command": " ".join(load_cmd),
        "exited_at_rss_cap": exited_at_cap or server.returncode == 3,
        "peak_rss_mib": round(peak_kb / 1024, 1),
        "client_status": client.get("status", {}),
        "client_errors": sum(client.get("errors", {}).values()) if client else None,
        "client_latency_us": client.get("latency_us", {}),
        "job_latency": percentiles(LATENCY.search(err)),
        "queue_time": percentiles(QUEUED.search(err)),
        "time_to_503": percentiles(TO_503.search(err)),
        "server_stderr_tail": err[-1500:],
        "load_output_tail": load_text[-1500:],
        "wall_s": round(ran_s, 1),
    }
    if s:
        keys = ("accepted", "completed", "failed", "refused", "queue_full", "overloaded", "limit", "deadline",
                "shed", "threads_peak")
        row.update(dict(zip(keys, map(int, s.groups()))))
    run_ms = row["job_latency"].get("p50_us", 0) - row["queue_time"].get("p50_us", 0)
    capacity = args.pool_max / (run_ms / 1e6) if run_ms > 0 else args.pool_max / JOB_S
    row["capacity_jobs_per_s"] = round(capacity)
    row["goodput_jobs_per_s"] = round(row.get("completed", 0) / args.duration)
    row["goodput_of_capacity"] = round(row["goodput_jobs_per_s"] / capacity, 3) if capacity else None
    return row


def fmt_pcts(p: dict, scale: int = 1000, p999: bool = False) -> str:
    if not p:
        return "-"
    digits = 1 if scale > 1 else 0
    keys = ("p50_us", "p99_us", "p999_us", "max_us") if p999 else ("p50_us", "p99_us", "max_us")
    return " / ".join(f"{p[k] / scale:,.{digits}f}" for k in keys)


def fmt_client(p: dict) -> str:
    if not p:
        return "-"
    spread = " / ".join(f"{p[k] / 1000:,.1f}" for k in ("p50", "p99", "max") if k in p)
    return f"{spread} (mean {p.get('mean', 0) / 1000:,.1f})"


def answered_share(r: dict) -> float:
    return sum(r["client_status"].values()) / (r["offered_rps"] * r["duration_s"])


def table(rows: list[dict], args: argparse.Namespace) -> str:
    lines = [
        f"Offered {rows[0]['offered_rps']:,} req/s of /work?{JOB} for {args.duration} s "
        f"({args.overload}x the capacity of --pool-max {args.pool_max}); server on cpu0, rpslab load on cpu1.",
        "",
        "| | naive (thread per job) | bounded pool |",
        "|---|---|---|",
    ]
    by = {r["mode"]: r for r in rows}
    n, b = by.get("naive", {}), by.get("bounded", {})

    def both(label: str, f) -> None:
        lines.append(f"| {label} | {f(n) if n else '-'} | {f(b) if b else '-'} |")

    both("jobs completed", lambda r: f"{r.get('completed', 0):,}")
    both("refused (503)", lambda r: f"{r.get('refused', 0):,} (shed after queueing: {r.get('shed', 0):,})")
    both("exited at the RSS cap", lambda r: "yes" if r["exited_at_rss_cap"] else "no")
    both("peak RSS", lambda r: f"{r['peak_rss_mib']:,} MiB")
    both("threads peak", lambda r: f"{r.get('threads_peak', 0):,}")
    both("job latency p50 / p99 / max (ms, arrival to completion)", lambda r: fmt_pcts(r["job_latency"]))
    both("time to a 503 p50 / p99 / p99.9 / max (us, at the server)", lambda r: fmt_pcts(r["time_to_503"], 1, True))
    both("client latency p50 / p99 / max (ms, every response, from its intended send)",
         lambda r: fmt_client(r["client_latency_us"]))
    both("goodput (jobs completed per second)", lambda r: f"{r['goodput_jobs_per_s']:,}")
    lines.append(f"| pool capacity: --pool-max / job time | | {args.pool_max / JOB_S:,.0f} nominal "
                 f"({b.get('goodput_jobs_per_s', 0) / (args.pool_max / JOB_S) * 100:.0f}% reached); "
                 f"{b.get('capacity_jobs_per_s', 0):,} at the measured run time "
                 f"({(b.get('goodput_of_capacity') or 0) * 100:.0f}% reached) |")
    both("offered requests answered during the run", lambda r: f"{answered_share(r) * 100:.1f}%")
    both("client status counts", lambda r: ", ".join(f"{k}: {v:,}" for k, v in r["client_status"].items()))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--pool-max", type=int, default=32)
    ap.add_argument("--pool-queue", type=int, default=4096)
    ap.add_argument("--overload", type=float, default=8.0, help="offered rate as a multiple of the capacity")
    ap.add_argument("--connections", type=int, default=2000)
    ap.add_argument("--naive-max-rss", default="4G")
    ap.add_argument("--modes", default="naive,bounded")
    ap.add_argument("--json")
    args = ap.parse_args()
    if not os.access(RPSLAB, os.X_OK):
        print(f"overload: {RPSLAB} is missing; run make release", file=sys.stderr)
        return 2
    rows = []
    with open("/tmp/rpslab-cpu.lock", "w") as lock, tempfile.TemporaryDirectory() as d:
        fcntl.flock(lock, fcntl.LOCK_EX)  # never two benchmarks at once on this machine
        for mode in args.modes.split(","):
            print(f"overload: {mode} ...", file=sys.stderr, flush=True)
            rows.append(run(mode, args, Path(d)))
    print(table(rows, args))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "args": vars(args)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
