#!/usr/bin/env python3
"""Turns bench/serve-cost.sh's measurements into the table and the JSON it reports.

    cost_report.py RESULTS.tsv --cases a,b --servers rpslab,x,y [--target CASE:PEER:MAX]...
                   [--json FILE] [--env KEY=VALUE]... [--config KEY=VALUE]...

RESULTS.tsv has one line per measurement, tab-separated:
    round case server status cpu_us requests duration_s rps socket_errors non_2xx
    wall_us other_us irq_us client_busy_us steal_us note
(other_us: task time on the server's CPU that was not the server's; irq_us: irq+softirq
time there; client_busy_us: all busy time of the client's CPU; steal_us: both CPUs.)
status is ok, failed (ran but the number is not trustworthy: see note) or missing
(the server could not be started: note says why).

How the figures are formed (DESIGN.md, "How performance is measured"):
- µs/req = server CPU µs (user+sys of its process tree) / requests wrk completed.
- per case and server: the median over rounds and the spread (max-min)/median; above 5%
  the row is flagged noisy.
- ratio rpslab/peer: median/median; its range is the min and max of the per-round
  ratios paired by round (both measured in the same round, minutes apart). A range that
  contains 1.0 is a tie, not a win.
- server% and client% are the busy share of each side's CPU during the run: near 100%
  says which side was the ceiling. More than 5% of the server's CPU used by other
  processes marks the round "busy" (kept, but warned about: the machine was shared).
- a target (rpslab/peer at most MAX) is met when the whole range is at or below it,
  missed when the whole range is above it, borderline otherwise.
"""
import argparse
import json
import os
import platform
import statistics
import sys

NOISY_SPREAD_PCT = 5.0
BUSY_OTHER_PCT = 5.0
CEILING_PCT = 95.0
LABELS = {"simple": "/simple", "simple-p16": "/simple p16", "read": "/read"}


def label(case):
    return LABELS.get(case, case)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results")
    p.add_argument("--cases", required=True)
    p.add_argument("--servers", required=True)
    p.add_argument("--target", action="append", default=[], help="CASE:PEER:MAX")
    p.add_argument("--json")
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE")
    p.add_argument("--config", action="append", default=[], help="KEY=VALUE")
    return p.parse_args(argv)


def read_results(path):
    rows = []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            (rnd, case, server, status, cpu_us, requests, duration_s, rps, socket_errors, non_2xx,
             wall_us, other_us, irq_us, client_busy_us, steal_us, note) = line.rstrip("\n").split("\t")
            row = {"round": int(rnd), "case": case, "server": server, "status": status, "note": note}
            if int(requests) > 0:
                row.update(cpu_us=int(cpu_us), requests=int(requests), duration_s=float(duration_s),
                           rps=float(rps), socket_errors=int(socket_errors), non_2xx=int(non_2xx),
                           wall_us=int(wall_us), other_us=max(0, int(other_us)), irq_us=int(irq_us),
                           client_busy_us=int(client_busy_us), steal_us=int(steal_us))
                row["us_per_req"] = row["cpu_us"] / row["requests"]
                wall = max(1, row["wall_us"])
                row["server_pct"] = 100 * row["cpu_us"] / wall
                row["client_pct"] = 100 * row["client_busy_us"] / wall
                row["other_pct"] = 100 * row["other_us"] / wall
                row["busy"] = row["other_pct"] > BUSY_OTHER_PCT
                if row["socket_errors"] or row["non_2xx"]:
                    row["status"] = "failed"
                    row["note"] = (f"{row['socket_errors']} socket errors, {row['non_2xx']} non-2xx/3xx"
                                   + (f"; {note}" if note else ""))
            rows.append(row)
    return rows


def summarize(rows, cases, servers):
    summary = []
    for case in cases:
        for server in servers:
            mine = sorted((r for r in rows if r["case"] == case and r["server"] == server),
                          key=lambda r: r["round"])
            ok = [r for r in mine if r["status"] == "ok" and r.get("us_per_req") is not None]
            s = {"case": case, "server": server, "rounds": [r["round"] for r in mine],
                 "us_per_req": [r.get("us_per_req") for r in mine],
                 "valid": [r["status"] == "ok" for r in mine],
                 "flags": sorted({f"round {r['round']}: {r['status']}: {r['note']}"
                                  for r in mine if r["status"] != "ok"}),
                 "busy": [f"round {r['round']}: other processes used {r['other_pct']:.0f}% of the server's CPU"
                          for r in mine if r.get("busy")]}
            if not mine or all(r["status"] == "missing" for r in mine):
                s["status"] = "missing"
                s["why"] = next((r["note"] for r in mine), "not run")
            elif not ok:
                s["status"] = "failed"
            else:
                values = [r["us_per_req"] for r in ok]
                med = statistics.median(values)
                s.update(status="ok" if len(ok) == len(mine) else "partial", median=med,
                         spread_pct=(max(values) - min(values)) / med * 100 if med else 0.0,
                         rps_median=statistics.median(r["rps"] for r in ok),
                         server_pct=statistics.median(r["server_pct"] for r in ok),
                         client_pct=statistics.median(r["client_pct"] for r in ok),
                         requests_total=sum(r["requests"] for r in ok))
                s["noisy"] = s["spread_pct"] > NOISY_SPREAD_PCT
            summary.append(s)
    return summary


def ratios(rows, summary, cases, servers, targets):
    out = []
    base = servers[0]
    by_key = {(s["case"], s["server"]): s for s in summary}
    for case in cases:
        for peer in servers[1:]:
            r = {"case": case, "server": base, "peer": peer, "target": targets.get((case, peer))}
            a, b = by_key[(case, base)], by_key[(case, peer)]
            if "median" not in a or "median" not in b:
                missing = [s["server"] for s in (a, b) if "median" not in s]
                r["status"] = "n/a: " + ", ".join(f"{m} {by_key[(case, m)]['status']}" for m in missing)
                out.append(r)
                continue
            paired = []
            for rnd in sorted({x["round"] for x in rows}):
                ra = next((x for x in rows if (x["round"], x["case"], x["server"]) == (rnd, case, base)), None)
                rb = next((x for x in rows if (x["round"], x["case"], x["server"]) == (rnd, case, peer)), None)
                if ra and rb and ra["status"] == rb["status"] == "ok":
                    paired.append(ra["us_per_req"] / rb["us_per_req"])
            r.update(status="ok", ratio=a["median"] / b["median"], paired=paired,
                     min=min(paired) if paired else None, max=max(paired) if paired else None)
            if paired:
                r["tie"] = r["min"] <= 1.0 <= r["max"]
                r["faster"] = "tie" if r["tie"] else (base if r["max"] < 1.0 else peer)
            if r["target"] is not None and paired:
                t = r["target"]
                r["verdict"] = "met" if r["max"] <= t else "missed" if r["min"] > t else "borderline"
            out.append(r)
    return out


def fmt(v, spec, width):
    return f"{v:{width}{spec}}" if v is not None else f"{'-':>{width}}"


def print_table(summary, ratio_rows, rounds, config):
    print(f"server CPU µs per request — {config.get('setup', '')}")
    head = f"{'case':<12} {'server':<16}" + "".join(f" {'r' + str(i):>8}" for i in rounds)
    print(head + f" {'median':>8} {'spread':>7} {'req/s':>10} {'server%':>8} {'client%':>8}")
    for s in summary:
        line = f"{label(s['case']):<12} {s['server']:<16}"
        if s["status"] == "missing":
            print(line + f" missing: {s['why']}")
            continue
        values = dict(zip(s["rounds"], zip(s["us_per_req"], s["valid"])))
        for i in rounds:
            v, valid = values.get(i, (None, False))
            # A flagged round shows its value marked with "!" and stays out of the median.
            line += " " + (fmt(v, ".2f", 8) if valid or v is None else f"{v:7.2f}!")
        if "median" in s:
            line += (f" {s['median']:8.2f} {s['spread_pct']:6.1f}% {s['rps_median']:10,.0f}"
                     f" {s['server_pct']:7.0f}% {s['client_pct']:7.0f}%")
            if s["noisy"]:
                line += "  noisy"
            if s["busy"]:
                line += "  busy"
        else:
            line += "  no valid round"
        print(line)
    flags = [f"{label(s['case'])} {s['server']}: {f}" for s in summary for f in s["flags"]
             if s["status"] != "missing"]
    if flags:
        print("flagged rounds (marked !, left out of the medians):")
        for f in flags:
            print("  " + f)
    busy = [f"{label(s['case'])} {s['server']}: {b}" for s in summary for b in s["busy"]]
    if busy:
        print("busy machine (kept in the medians; rerun on a quiet machine to trust these rows):")
        for b in busy:
            print("  " + b)
    print(f"server%/client%: busy share of the server's/client's CPU (≥{CEILING_PCT:.0f}%: that side was the ceiling);"
          f" noisy: spread > {NOISY_SPREAD_PCT:.0f}%")
    print()
    print("rpslab / peer (ratio of medians; range: per-round ratios paired by round; "
          "< 1 means rpslab spends less CPU per request)")
    print(f"{'case':<12} {'peer':<16} {'ratio':>6} {'range':>13}  {'result':<24} {'target':>7}  verdict")
    for r in ratio_rows:
        line = f"{label(r['case']):<12} {r['peer']:<16}"
        target = f"≤{r['target']:.2f}" if r["target"] is not None else ""
        if r["status"] != "ok":
            print(line + f" {r['status']}" + (f"  (target {target})" if target else ""))
            continue
        rng = f"{r['min']:.2f}–{r['max']:.2f}" if r["paired"] else "-"
        result = ("tie" if r.get("tie") else f"{r['faster']} cheaper") if r["paired"] else "-"
        print(line + f" {r['ratio']:6.2f} {rng:>13}  {result:<24} {target:>7}  {r.get('verdict', '')}")


def environment(extra):
    env = {"kernel": platform.release(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            env["cpu_model"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    try:
        with open("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor") as f:
            env["governor"] = f.read().strip()
    except OSError:
        env["governor"] = "n/a (no cpufreq: virtual machine?)"
    env.update(extra)
    return env


def key_values(items):
    return dict(item.split("=", 1) for item in items)


def main(argv):
    args = parse_args(argv)
    cases, servers = args.cases.split(","), args.servers.split(",")
    targets = {}
    for t in args.target:
        case, peer, value = t.split(":")
        targets[(case, peer)] = float(value)
    rows = read_results(args.results)
    rounds = sorted({r["round"] for r in rows})
    summary = summarize(rows, cases, servers)
    ratio_rows = ratios(rows, summary, cases, servers, targets)
    config = key_values(args.config)
    print_table(summary, ratio_rows, rounds, config)
    if args.json:
        doc = {"benchmark": "serve-cost", "config": config, "environment": environment(key_values(args.env)),
               "measurements": rows, "summary": summary, "ratios": ratio_rows}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
    # For the caller's exit status: 0 all ran clean, 3 something missing or flagged.
    clean = all(s["status"] == "ok" for s in summary)
    return 0 if clean else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
