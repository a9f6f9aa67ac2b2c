"""Starting and stopping `rpslab serve` processes for the integration tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

LISTENING = re.compile(r"^rpslab: listening on 127\.0\.0\.1:([0-9]+) \((?:threads|processes), ([0-9]+) workers?\)$")
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "ThreadSanitizer",
                     "runtime error")
START_TIMEOUT_S = 30.0  # an ASan build generates and compresses the pool at start-up


def _binary(env_name: str, default: str) -> str:
    value = os.environ.get(env_name)
    path = Path(value) if value else REPO / default
    if not path.is_absolute():
        path = REPO / path
    return str(path)


def rpslab_bin() -> str:
    return _binary("RPSLAB_BIN", "build/asan/rpslab")


def release_bin() -> str:
    return _binary("RPSLAB_RELEASE_BIN", "build/release/rpslab")


def alloc_bin() -> str:
    return _binary("RPSLAB_ALLOC_BIN", "build/release/rpslab_alloc_count")


def require(path: str) -> str:
    if not os.access(path, os.X_OK):
        pytest.fail(f"binary not found or not executable: {path} (build it, or set the RPSLAB_*BIN variables)",
                    pytrace=False)
    return path


def sanitizer_report(text: str) -> str | None:
    for marker in SANITIZER_MARKERS:
        if marker in text:
            i = text.index(marker)
            return text[max(0, i - 200): i + 3000]
    return None


class Server:
    """One `rpslab serve` process; its stdout and stderr are collected by threads."""

    def __init__(self, args: list[str], binary: str | None = None, env: dict | None = None,
                 wait: bool = True, preexec=None, prefix: list[str] | None = None):
        self.binary = require(binary or rpslab_bin())
        args = list(args)
        # RPSLAB_MODE=processes runs the whole suite against prefork workers (scripts/test.sh
        # does both modes); a test that names its mode keeps it.
        mode = os.environ.get("RPSLAB_MODE")
        if mode and "--mode" not in args:
            args = ["--mode", mode] + args
        if "--listen" not in args:
            args = ["--listen", "127.0.0.1:0"] + args
        self.cmd = (prefix or []) + [self.binary, "serve"] + args
        self._lines: list[str] = []
        self._out: list[str] = []
        self._cond = threading.Condition()
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=full_env, preexec_fn=preexec)
        self.pid = self.proc.pid
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stderr, self._lines), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stdout, self._out), daemon=True)]
        for t in self._threads:
            t.start()
        self.port: int | None = None
        self.workers: int | None = None
        self.returncode: int | None = None
        if wait:
            self.wait_listening()

    def _pump(self, stream, sink: list[str]) -> None:
        for raw in iter(stream.readline, b""):
            with self._cond:
                sink.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    @property
    def stderr_lines(self) -> list[str]:
        with self._cond:
            return list(self._lines)

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    @property
    def stdout(self) -> str:
        with self._cond:
            return "\n".join(self._out)

    def wait_line(self, pattern: re.Pattern | str, timeout: float, start: int = 0) -> re.Match:
        """Waits for a stderr line (index >= start) matching `pattern`; fails if the process exits first."""
        pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self._lines[start:]:
                    m = pattern.search(line)
                    if m:
                        return m
                if self.proc.poll() is not None and not any(t.is_alive() for t in self._threads):
                    pytest.fail(f"{self.cmd} exited with {self.proc.returncode} before printing "
                                f"{pattern.pattern!r}; stderr:\n{self.stderr_unlocked()}", pytrace=False)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"{self.cmd}: no line matching {pattern.pattern!r} within {timeout}s; stderr:\n"
                                f"{self.stderr_unlocked()}", pytrace=False)
                self._cond.wait(min(remaining, 0.1))

    def stderr_unlocked(self) -> str:
        return "\n".join(self._lines)

    def wait_listening(self) -> None:
        m = self.wait_line(LISTENING, START_TIMEOUT_S)
        self.port = int(m.group(1))
        self.workers = int(m.group(2))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send_signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int | None:
        """Waits for exit; returns the status, or None if still running after `timeout`."""
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        for t in self._threads:
            t.join(5)
        return self.returncode

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Sends `sig` (if running) and waits; kills and fails the test if it does not exit in time."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.wait(timeout)
        if rc is None:
            self.proc.kill()
            self.wait(10)
            pytest.fail(f"{self.cmd} did not exit within {timeout}s of signal {sig}; stderr:\n{self.stderr}",
                        pytrace=False)
        return rc

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.wait(10)

    def check_clean(self, since_line: int = 0) -> None:
        """Asserts no sanitizer report in stderr (from line `since_line` on)."""
        report = sanitizer_report("\n".join(self.stderr_lines[since_line:]))
        assert report is None, f"sanitizer report in the server's stderr:\n{report}"

    def check_stopped_cleanly(self, timeout: float = 15.0) -> None:
        """Stops with SIGTERM if still running; asserts exit status 0 and a clean stderr."""
        was_running = self.proc.poll() is None
        rc = self.stop(signal.SIGTERM, timeout)
        self.check_clean()
        assert rc == 0, (f"server exited with {rc} ({'after SIGTERM' if was_running else 'on its own'}), "
                         f"want 0; stderr:\n{self.stderr[-4000:]}")

    def rss_kb(self) -> int:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")


class SharedServer:
    """A server shared by many tests. If one test kills it, that test fails (see alive_check)
    and the next test gets a fresh server, so one crash does not fail every later test."""

    def __init__(self, args: list[str], binary: str | None = None):
        self.args = list(args)
        self.binary = binary
        self.srv: Server | None = None
        self.restarts = 0

    def get(self) -> Server:
        if self.srv is None or not self.srv.alive():
            if self.srv is not None:
                self.restarts += 1
            self.srv = Server(self.args, binary=self.binary)
        return self.srv

    def close(self) -> None:
        if self.srv is not None and self.srv.alive():
            self.srv.check_stopped_cleanly()


def module_server(*args: str, binary: str | None = None):
    """A module-scoped fixture holding a SharedServer running `rpslab serve args`; on teardown
    the running one must exit 0 after SIGTERM, with a clean stderr. Tests take it through a
    function-scoped wrapper that uses alive_check."""

    @pytest.fixture(scope="module")
    def _module_server():
        shared = SharedServer(list(args), binary=binary)
        yield shared
        shared.close()

    return _module_server


def alive_check(shared: SharedServer):
    """Generator body for a function-scoped fixture: yields a running server, then asserts it
    survived the test without a sanitizer report."""
    srv = shared.get()
    start = len(srv.stderr_lines)
    yield srv
    time.sleep(0.05)  # let a report written at the end of the test reach us
    assert srv.alive(), f"the server died during this test (exit {srv.proc.poll()}); stderr:\n{srv.stderr[-4000:]}"
    srv.check_clean(since_line=start)
    problem = probe(srv)
    if problem:
        srv.kill()  # the next test gets a fresh one
        pytest.fail(f"the server stopped answering after this test (a stuck worker?): {problem}", pytrace=False)


def probe(srv: Server, connections: int = 6, timeout: float = 5.0) -> str | None:
    """GET /healthz on a few new connections (spread over the workers' listeners by the kernel);
    returns what went wrong, or None."""
    from httpclient import Conn, get
    for i in range(connections):
        try:
            with Conn(srv.port, timeout=timeout) as c:
                r = c.request(get("/healthz"))
                if r.status != 200:
                    return f"probe {i}: /healthz answered {r.status}"
        except Exception as e:  # any failure is the finding
            return f"probe {i}: {e!r}"
    return None
