"""/work: jobs on the bounded pool, answered in pipelined order; refusals are 503 with
Retry-After at once; the naive control answers 202; bad parameters are 400. Runs against
the sanitizer build in both modes (the overload run against release is test_overload.py)."""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time

import pytest

from httpclient import Conn, get, req
from procstat import cpu_seconds

WORK_JSON = re.compile(rb'\{"queued_us":([0-9]+),"ran_us":([0-9]+)\}')


def test_a_job_runs_for_its_time_and_reports_it(server):
    with Conn(server.port) as c:
        r = c.request(get("/work?ms=30&kb=256"))
    assert r.status == 200
    assert r.media_type() == "application/json"
    m = WORK_JSON.fullmatch(r.body)
    assert m, r.body
    assert int(m.group(2)) >= 30_000  # it held its thread for at least ms=30


def test_defaults_are_twenty_ms_and_500_kb(server):
    with Conn(server.port) as c:
        r = c.request(get("/work"))
    assert r.status == 200
    assert int(WORK_JSON.fullmatch(r.body).group(2)) >= 20_000


def test_head_runs_the_job_and_sends_no_body(server):
    with Conn(server.port) as c:
        c.send(req("HEAD", "/work?ms=1&kb=4") + get("/simple"))
        head = c.read_response(head_request=True)
        after = c.read_response()
    assert head.status == 200 and head.body == b""
    assert int(head.get("Content-Length")) > 0
    assert after.status == 200 and after.body == b'{"message":"hi"}'


def test_bad_parameters_are_400_and_the_connection_stays_usable(server):
    with Conn(server.port) as c:
        for target in ("/work?ms=abc", "/work?ms=10001", "/work?kb=-1", "/work?cpu_ms=", "/work?deadline_ms=x"):
            r = c.request(get(target))
            assert r.status == 400, target
            assert b"must be" in r.body, r.body
        assert c.request(get("/simple")).status == 200


def test_other_methods_are_405_with_allow(server):
    with Conn(server.port) as c:
        r = c.request(req("POST", "/work", body=b"x"))
    assert r.status == 405
    assert r.get("Allow") == "GET, HEAD"


def test_pipelined_requests_behind_a_job_are_answered_in_order(server):
    with Conn(server.port) as c:
        c.send(get("/simple") + get("/work?ms=80&kb=4") + get("/read?id=3") + get("/work?ms=1&kb=4") +
               get("/simple"))
        statuses = []
        bodies = []
        for _ in range(5):
            r = c.read_response()
            statuses.append(r.status)
            bodies.append(r.body)
    assert statuses == [200] * 5
    assert bodies[0] == b'{"message":"hi"}'
    assert WORK_JSON.fullmatch(bodies[1])
    assert b'"id":3' in bodies[2]
    assert WORK_JSON.fullmatch(bodies[3])
    assert bodies[4] == b'{"message":"hi"}'


def test_a_client_that_leaves_during_its_job_does_not_disturb_the_next(start_server):
    # The client resets the connection while its job runs, so the server closes it and may
    # give the connection object to the next client before the job ends; that client must
    # not receive the old job's response (the generation check).
    srv = start_server("--workers", "1")
    for _ in range(3):
        c = Conn(srv.port)
        c.send(get("/work?ms=200&kb=4"))
        time.sleep(0.02)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()  # RST, not FIN: the server sees an error and closes at once
    with Conn(srv.port) as c:
        deadline = time.monotonic() + 0.5  # past the abandoned jobs' end
        while time.monotonic() < deadline:
            assert c.request(get("/simple")).body == b'{"message":"hi"}'
            time.sleep(0.01)
        assert c.is_open_quiet(0.1)
    srv.stop()
    assert re.search(r"pool jobs: accepted 3, completed 3,", srv.stderr), srv.stderr


# Serial: refusals must come back within 0.8 s, and the counts assume the 12 clients all
# arrive while the first 1 s jobs run: both are wall-clock windows that busy neighbours shrink.
@pytest.mark.serial
def test_refused_jobs_get_503_with_retry_after_at_once(start_server):
    srv = start_server("--workers", "1", "--pool-min", "0", "--pool-max", "2", "--pool-queue", "2",
                       "--retry-after", "3")
    results: list[tuple[int, str | None, bytes, float]] = []
    lock = threading.Lock()

    def one() -> None:
        with Conn(srv.port, timeout=30) as c:
            t0 = time.monotonic()
            r = c.request(get("/work?ms=1000&kb=64"))
            with lock:
                results.append((r.status, r.get("Retry-After"), r.body, time.monotonic() - t0))

    threads = [threading.Thread(target=one) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(s for s, *_ in results)
    assert len(results) == 12
    assert set(statuses) <= {200, 503}, statuses
    ok = [r for r in results if r[0] == 200]
    # Refused at admission: at once. Shed: admitted, then dropped once it had waited past
    # its budget (it learns of that when a thread comes free, after a 1 s job).
    at_once = [r for r in results if r[0] == 503 and b"shed" not in r[2]]
    shed = [r for r in results if r[0] == 503 and b"shed" in r[2]]
    # Two threads and two queue places: at most four jobs were taken.
    assert 2 <= len(ok) + len(shed) <= 4, results
    assert len(at_once) >= 8, results
    for _, retry_after, body, elapsed in at_once + shed:
        assert retry_after == "3"
        assert body.startswith(b"Service Unavailable")
    for _, _, body, elapsed in at_once:
        assert body.strip() in (b"Service Unavailable: queue_full", b"Service Unavailable: overloaded"), body
        assert elapsed < 0.8  # answered long before any 1 s job could have finished
    for _, _, body, _ in ok:
        assert WORK_JSON.fullmatch(body), body
    srv.stop()
    assert re.search(r"pool jobs: accepted [2-4], completed [0-4], failed 0, refused ([0-9]+)", srv.stderr)


def test_a_drain_waits_for_jobs_in_flight(start_server):
    srv = start_server("--workers", "1")
    with Conn(srv.port, timeout=30) as c:
        c.send(get("/work?ms=300&kb=4"))
        time.sleep(0.05)
        srv.send_signal(15)
        r = c.read_response()
        assert r.status == 200 and WORK_JSON.fullmatch(r.body)
    assert srv.wait(15) == 0


def test_naive_control_answers_202_and_counts_its_jobs(start_server):
    srv = start_server("--workers", "1", "--pool", "naive")
    with Conn(srv.port) as c:
        for _ in range(5):
            r = c.request(get("/work?ms=50&kb=64"))
            assert r.status == 202
            assert json.loads(r.body) == {"accepted": True}
    srv.stop()
    err = srv.stderr
    assert re.search(r"naive jobs: accepted 5, completed 5, failed 0, refused 0", err), err


def test_pool_flags_are_checked(start_server):
    for flags, words in ((("--pool-min", "9", "--pool-max", "8"), "--pool-min"),
                         (("--pool-target-ms", "200", "--pool-interval-ms", "100"), "--pool-target-ms"),
                         (("--pool-min", "0", "--pool-max", "1", "--workers", "2"), "at least the number of workers")):
        srv = start_server(*flags, wait=False)
        assert srv.wait(30) == 1
        assert words in srv.stderr


def test_adaptive_limit_refuses_past_its_limit_and_serves_within_it(start_server):
    srv = start_server("--workers", "1", "--pool-limit", "adaptive", "--pool-min", "0", "--pool-max", "2",
                       "--pool-queue", "64")
    conns = [Conn(srv.port, timeout=30) for _ in range(6)]
    for c in conns:
        c.send(get("/work?ms=300&kb=16"))
    statuses = sorted(c.read_response().status for c in conns)
    for c in conns:
        c.close()
    # The limit starts at --pool-max (2) jobs in flight, queued or running.
    assert statuses.count(200) == 2 and statuses.count(503) == 4, statuses
    with Conn(srv.port) as c:
        for _ in range(3):  # one at a time: always within the limit
            assert WORK_JSON.fullmatch(c.request(get("/work?ms=5&kb=16")).body)
    srv.stop()
    assert re.search(r"refused 4 \(queue_full 0, overloaded 0, limit 4,", srv.stderr), srv.stderr


# Serial: it measures the server's CPU time; on shared cores a spinning worker would get less
# CPU and could pass.
@pytest.mark.serial
def test_a_full_buffer_behind_a_pending_job_does_not_spin(start_server):
    # 80 KiB of requests pipelined behind a 1.5 s job fill the read buffer; the worker must
    # stop reading and sleep until the job ends (a level-triggered loop would spin at 100%).
    srv = start_server("--workers", "1")
    behind = get("/simple") * (80 * 1024 // len(get("/simple")))
    with Conn(srv.port, timeout=30) as c:
        c.send(get("/work?ms=1500&kb=4"))
        time.sleep(0.05)
        before = cpu_seconds(srv.pid)
        c.sock.setblocking(False)
        try:
            c.sock.send(behind)  # as much as the socket takes; the rest is not needed
        except BlockingIOError:
            pass
        c.sock.setblocking(True)
        time.sleep(1.2)
        spent = cpu_seconds(srv.pid) - before
        assert spent < 0.5, f"the server used {spent:.2f} s of CPU while waiting for one job"
        assert WORK_JSON.fullmatch(c.read_response().body)
        assert c.read_response().body == b'{"message":"hi"}'
