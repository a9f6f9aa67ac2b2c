"""`rpslab serve` start-up: the listening line, workers, a port already in use, bad flags."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time

import pytest

from httpclient import HOST, Conn, get, pipeline
from serverproc import LISTENING, require, rpslab_bin, sanitizer_report


def test_listening_line_printed_once(start_server):
    srv = start_server("--workers", "3")
    assert srv.workers == 3
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200
    srv.check_stopped_cleanly()
    lines = [l for l in srv.stderr_lines if "listening" in l]
    assert len(lines) == 1, f"listening lines: {lines}"
    mode = os.environ.get("RPSLAB_MODE", "threads")
    assert re.fullmatch(rf"rpslab: listening on 127\.0\.0\.1:[0-9]+ \({mode}, 3 workers\)", lines[0]), lines[0]


def test_default_workers_follow_affinity_mask(start_server):
    srv = start_server()
    assert srv.workers == len(os.sched_getaffinity(0))


def test_default_workers_under_taskset(start_server):
    srv = start_server(prefix=["taskset", "-c", "0"])
    assert srv.workers == 1, f"under taskset -c 0: {srv.workers} workers"
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200


def _two_cpus() -> str:
    cpus = sorted(os.sched_getaffinity(0))
    return ",".join(str(c) for c in (cpus * 2)[:2]) if len(cpus) > 1 else str(cpus[0])


def test_cpus_flag(start_server):
    cpus = sorted(os.sched_getaffinity(0))
    srv = start_server("--workers", "1", "--cpus", str(cpus[-1]))
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200
    if len(cpus) < 2:
        return
    srv = start_server("--workers", "2", "--cpus", f"{cpus[0]},{cpus[1]}")
    assert srv.workers == 2
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200


# Serial: the port borrowed from a closed probe must still be free when the server binds it;
# another test's server (port 0) could be given it meanwhile.
@pytest.mark.serial
def test_fixed_port(start_server):
    probe = socket.socket()
    probe.bind((HOST, 0))
    port = probe.getsockname()[1]
    probe.close()
    srv = start_server("--listen", f"127.0.0.1:{port}", "--workers", "1")
    assert srv.port == port


def test_many_workers_all_serve(start_server):
    srv = start_server("--workers", "4")
    for _ in range(40):  # new connections are spread over the workers' listeners
        with Conn(srv.port) as c:
            rs = pipeline(c, [get("/simple"), get("/read?id=1")])
            assert [r.status for r in rs] == [200, 200]


def _expect_startup_failure(cmd: list[str], timeout: float = 20) -> str:
    """Runs cmd; it must exit 1 with a message and never claim to listen. A server that starts
    listening instead is killed at once (the test fails)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines: list[str] = []
    started = threading.Event()

    def pump():
        for raw in iter(proc.stderr.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            lines.append(line)
            if LISTENING.match(line):
                started.set()

    t = threading.Thread(target=pump, daemon=True)
    t.start()
    deadline = time.monotonic() + timeout
    while proc.poll() is None and not started.is_set() and time.monotonic() < deadline:
        time.sleep(0.02)
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)
        t.join(5)
        err = "\n".join(lines)
        pytest.fail(f"{cmd}: {'started listening' if started.is_set() else f'still running after {timeout} s'} "
                    f"instead of exiting 1; stderr:\n{err}", pytrace=False)
    t.join(5)
    err = "\n".join(lines)
    assert proc.returncode == 1, f"{cmd}: exit {proc.returncode}, want 1; stderr:\n{err}"
    assert err.strip(), f"{cmd}: no error message"
    assert not started.is_set(), f"{cmd}: claimed to listen:\n{err}"
    assert sanitizer_report(err) is None, sanitizer_report(err)
    return err


def _listener(reuseport: bool) -> socket.socket:
    s = socket.socket()
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((HOST, 0))
    s.listen(16)
    return s


@pytest.mark.parametrize("reuseport", [False, True], ids=["plain", "so_reuseport"])
def test_port_in_use_by_python(reuseport):
    with _listener(reuseport) as s:
        port = s.getsockname()[1]
        err = _expect_startup_failure([require(rpslab_bin()), "serve", "--listen", f"127.0.0.1:{port}",
                                       "--workers", "2"])
    assert "address already in use" in err.lower(), err
    assert f"127.0.0.1:{port}" in err, f"the message does not name the address:\n{err}"


def test_port_in_use_by_another_rpslab(start_server):
    first = start_server("--workers", "2")
    err = _expect_startup_failure([require(rpslab_bin()), "serve", "--listen", f"127.0.0.1:{first.port}",
                                   "--workers", "2"])
    assert "address already in use" in err.lower(), err
    with Conn(first.port) as c:
        assert c.request(get("/simple")).status == 200


BAD_FLAGS = [
    ["--workers", "abc"],
    ["--workers", "-2"],
    ["--listen", "nonsense"],
    ["--listen", "127.0.0.1:99999"],
    ["--listen", "127.0.0.1:"],
    ["--listen", "256.0.0.1:80"],
    ["--max-conns", "-1"],
    ["--max-conns", "x"],
    ["--header-timeout", "abc"],
    ["--header-timeout", "-1"],
    ["--idle-timeout", "1s2"],
    ["--grace", "soon"],
    ["--seed", "abc"],
    ["--max-body-bytes", "lots"],
    ["--max-header-bytes", "-5"],
    ["--max-request-line-bytes", ""],
    ["--max-header-count", "1.5"],
    ["--cpus", "9999"],
    ["--cpus", "a-b"],
    ["--no-such-flag"],
    ["--workers"],
    ["extra-positional"],
]


@pytest.mark.parametrize("flags", BAD_FLAGS, ids=[" ".join(f) or "empty" for f in BAD_FLAGS])
def test_bad_flags_exit_1(flags):
    _expect_startup_failure([require(rpslab_bin()), "serve", "--listen", "127.0.0.1:0"] + flags)


def test_unknown_subcommand_exits_1():
    _expect_startup_failure([require(rpslab_bin()), "no-such-command"])


def test_server_with_all_flags(start_server):
    srv = start_server("--workers", "2", "--cpus", _two_cpus(), "--max-conns", "100", "--max-header-bytes", "32768",
                       "--max-body-bytes", "1000000", "--max-request-line-bytes", "8192", "--max-header-count", "64",
                       "--header-timeout", "2.5", "--idle-timeout", "30", "--grace", "3", "--seed", "42")
    with Conn(srv.port) as c:
        assert c.request(get("/simple")).status == 200
