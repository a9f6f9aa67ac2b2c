"""`rpslab bench` end to end: a tiny plan against rpslab and nginx, run for real.

The run starts each server pinned to the server CPU, checks it sends the dump's bytes,
drives it with `rpslab load` on the client CPU and samples both sides. These tests check
what a reader of the report relies on: one row per server and point with every figure of
the issue's list, repetitions that really happened, a peer that cannot run reported and
not dropped, a static server's /compute marked not applicable, a stale server on the port
never measured in the new one's place, precise errors for bad plans, and the report files.
Release binary only (-m release): the sanitizer build would measure itself.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from serverproc import REPO, release_bin, require

pytestmark = pytest.mark.release

TINY_PLAN = {
    "name": "tiny",
    "description": "make test's end-to-end run: seconds, not minutes",
    "repeat": 2,
    "experiments": [
        {
            "name": "sweep",
            "title": "pipelining on /simple and /read",
            "servers": ["rpslab", "nginx", "fasthttp"],
            "workloads": ["/simple", "/read", "/compute"],
            "connections": [8],
            "pipeline": [1, 4],
            "duration": "400ms",
            "warmup": "200ms",
            "x_axis": "pipeline",
        }
    ],
}

ROW_KEYS = {"server", "workload", "connections", "pipeline", "rps", "rps_runs", "rps_cv", "server_cpu_us_per_req",
            "client_cpu_us_per_req", "latency_us", "errors", "ceiling", "littles_law_ok"}


def run_bench(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([require(release_bin()), "bench", *args], capture_output=True, text=True, timeout=timeout)


def repo_without_go_peers(tmp_path: Path) -> Path:
    """A checkout with the peers' configs but no built Go peers: fasthttp is missing there."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "bench" / "peers", repo / "bench" / "peers",
                    ignore=shutil.ignore_patterns("*.go", "pooldump"))
    return repo


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    tmp = tmp_path_factory.mktemp("bench")
    plan = tmp / "tiny.json"
    plan.write_text(json.dumps(TINY_PLAN))
    out = tmp / "out"
    cpus = os.sched_getaffinity(0)
    server, client = (str(min(cpus)), str(max(cpus)))
    proc = run_bench(str(plan), "--out", str(out), "--server-cpus", server, "--client-cpus", client,
                     "--repo", str(repo_without_go_peers(tmp)))
    return proc, out


def rows_of(out: Path) -> list[dict]:
    return json.loads((out / "results.json").read_text())["rows"]


def test_every_server_and_point_has_a_row_with_every_figure(tiny_run):
    proc, out = tiny_run
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = rows_of(out)
    keys = {(r["server"], r["workload"], r["pipeline"]) for r in rows}
    assert keys == {(s, w, p) for s in ("rpslab", "nginx", "fasthttp") for w in ("/simple", "/read", "/compute")
                    for p in (1, 4)}
    measured = [r for r in rows if r["status"] == "ok"]
    # rpslab: 6 points; nginx: /simple and /read (4); fasthttp: none (missing here).
    assert len(measured) == 10, [(r["server"], r["workload"], r["status"]) for r in rows]
    for r in measured:
        assert ROW_KEYS <= r.keys()
        assert len(r["rps_runs"]) == 2 and all(x > 0 for x in r["rps_runs"]), r
        assert min(r["rps_runs"]) <= r["rps"] <= max(r["rps_runs"])
        assert r["connections"] == 8 and r["connections_achieved"] == 8
        assert r["errors"] == {}, r
        assert r["ceiling"] in ("server", "client", "network/other")
        assert r["ceiling_reason"].startswith("server CPUs ")
        assert 0 < r["server_cpu_us_per_req"] < 10_000 and 0 < r["client_cpu_us_per_req"] < 10_000
        assert 0 < r["latency_us"]["p50"] <= r["latency_us"]["p99"] <= r["latency_us"]["max"]
        assert isinstance(r["littles_law_ok"], bool)
        assert 0 <= r["server_foreign"] <= 1 and 0 <= r["client_foreign"] <= 1 and isinstance(r["contention"], str)
        assert "taskset -c" in r["load_command"] and "http://127.0.0.1:" in r["load_command"].split(" load ")[1]


def test_static_servers_get_random_files_and_do_not_compute(tiny_run):
    _, out = tiny_run
    rows = {(r["server"], r["workload"], r["pipeline"]): r for r in rows_of(out)}
    assert "/read/{0..499}.json" in rows[("nginx", "/read", 1)]["load_command"]
    assert rows[("rpslab", "/read", 1)]["load_command"].split(" load ")[1].split()[0].endswith("/read")
    assert rows[("nginx", "/compute", 1)]["status"] == "not applicable: nginx is a static server and does not compute"
    # Pipelining 4 answers more than 1 on /simple: the sweep really changed the load.
    assert rows[("rpslab", "/simple", 4)]["rps"] > rows[("rpslab", "/simple", 1)]["rps"]


def test_a_peer_that_cannot_run_is_reported_not_dropped(tiny_run):
    proc, out = tiny_run
    rows = [r for r in rows_of(out) if r["server"] == "fasthttp"]
    assert len(rows) == 6
    for r in rows:
        assert r["status"].startswith("missing: fasthttp: ") and "make peers" in r["status"], r["status"]
    servers = {s["name"]: s for s in json.loads((out / "results.json").read_text())["servers"]}
    assert "not built" in servers["fasthttp"]["missing"]
    assert "worker_processes 1;" in servers["nginx"]["config"]
    assert "fasthttp" in (out / "results.md").read_text()


def test_results_carry_the_machine_and_the_plan(tiny_run):
    _, out = tiny_run
    doc = json.loads((out / "results.json").read_text())
    assert doc["plan"]["experiments"][0]["name"] == "sweep"
    for key in ("cpu_model", "cores", "kernel", "governor", "tune_check"):
        assert key in doc["machine"], key
    assert doc["server_cpus"] and doc["client_cpus"]


def test_the_report_files(tiny_run):
    _, out = tiny_run
    md = (out / "results.md").read_text()
    assert "| rpslab" in md and "| nginx" in md
    html = (out / "report.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html") and "<svg" in html
    svgs = list(out.glob("*.svg"))
    assert svgs, list(out.iterdir())
    for svg in svgs:
        assert svg.read_text().lstrip().startswith("<svg") or svg.read_text().lstrip().startswith("<?xml")


def test_compare_a_run_with_itself_finds_no_change(tiny_run):
    _, out = tiny_run
    result = run_bench("compare", str(out / "results.json"), str(out / "results.json"))
    assert result.returncode == 0, result.stderr
    assert "0 of 10 rows changed beyond their spread" in result.stdout, result.stdout


def test_a_stale_server_on_the_port_is_never_measured(tmp_path):
    stale = socket.socket()
    stale.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    stale.bind(("127.0.0.1", 0))
    stale.listen(16)
    port = stale.getsockname()[1]
    plan = dict(TINY_PLAN, experiments=[dict(TINY_PLAN["experiments"][0], servers=["rpslab"], workloads=["/simple"],
                                             pipeline=[1], x_axis="none")])
    (tmp_path / "p.json").write_text(json.dumps(plan))
    proc = run_bench(str(tmp_path / "p.json"), "--out", str(tmp_path / "out"), "--port", str(port), "--repeat", "1")
    stale.close()
    assert proc.returncode == 0, proc.stderr
    [row] = rows_of(tmp_path / "out")
    assert row["status"] == (f"failed: port {port} already answers before rpslab starts: "
                             "a stale server must never be measured in its place")


def test_other_work_on_the_server_cpu_is_named_and_the_row_not_ranked(tmp_path):
    """A busy loop pinned to the server CPU takes about half of it: the row must say so,
    name the process, and not count as the server's capacity."""
    server = str(min(os.sched_getaffinity(0)))
    plan = dict(TINY_PLAN, experiments=[dict(TINY_PLAN["experiments"][0], servers=["rpslab"], workloads=["/simple"],
                                             pipeline=[1], x_axis="none")])
    (tmp_path / "p.json").write_text(json.dumps(plan))
    hog = subprocess.Popen(["taskset", "-c", server, "python3", "-c", "while True: pass"])
    try:
        proc = run_bench(str(tmp_path / "p.json"), "--out", str(tmp_path / "out"), "--repeat", "1",
                         "--server-cpus", server, "--client-cpus", str(max(os.sched_getaffinity(0))))
    finally:
        hog.kill()
        hog.wait()
    assert proc.returncode == 0, proc.stderr
    [row] = rows_of(tmp_path / "out")
    assert row["server_foreign"] > 0.25, row
    assert row["contention"].startswith("other work took "), row["contention"]
    assert f"of the server CPUs (e.g. python3 (pid {hog.pid}, " in row["contention"], row["contention"]
    assert row["ceiling"] == "network/other" and row["contention"] in row["ceiling_reason"]
    table = (tmp_path / "out" / "results.md").read_text()
    assert "network/other, contended, not ranked" in table and "contended: other work took" in table, table


@pytest.mark.parametrize("plan_text, message", [
    ('{"experiments": []}', "p.json: experiments: must not be empty"),
    ('{"experiments": [{"name": "x", "servers": ["ngnix"], "workloads": ["/simple"]}]}',
     'p.json: experiments[0].servers[0]: unknown server "ngnix"'),
    ('{"experiments": [', "p.json:1:"),
])
def test_a_bad_plan_is_a_usage_error_naming_the_place(tmp_path, plan_text, message):
    (tmp_path / "p.json").write_text(plan_text)
    proc = run_bench(str(tmp_path / "p.json"), "--out", str(tmp_path / "out"), timeout=30)
    assert proc.returncode == 1
    assert message in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


def test_go_peers_compute_per_request(tmp_path):
    """Without -compute-live the Go peers would serve the precomputed compute.json: a file,
    not the CPU-bound workload rpslab computes per request."""
    plan = dict(TINY_PLAN, experiments=[dict(TINY_PLAN["experiments"][0], servers=["fasthttp"],
                                             workloads=["/compute"], pipeline=[1], x_axis="none")])
    (tmp_path / "p.json").write_text(json.dumps(plan))
    proc = run_bench(str(tmp_path / "p.json"), "--out", str(tmp_path / "out"), "--repeat", "1")
    assert proc.returncode == 0, proc.stderr
    [row] = rows_of(tmp_path / "out")
    assert row["status"] == "ok", row["status"]
    [server] = json.loads((tmp_path / "out" / "results.json").read_text())["servers"]
    assert server["command"].endswith(" -compute-live"), server["command"]
