"""Fixtures for the rpslab integration tests: servers on port 0, and the dumped pool.

- `server`: one shared `rpslab serve --workers 2` (default limits and timeouts) for the
  session; after every test that used it, it must still be running with a clean stderr
  (if a test kills it, that test fails and the next one gets a fresh server).
- `start_server(*flags, binary=None)`: starts a server for one test; on teardown it gets
  SIGTERM (if still running) and must exit 0 without a sanitizer report.
- `pool`: the files of `rpslab pool dump` (seed 42), the bytes every response must match.
"""

from __future__ import annotations

import pytest

from pooldata import Pool, dump_pool
from serverproc import Server, SharedServer, alive_check, sanitizer_report


@pytest.fixture(scope="session")
def _session_server():
    shared = SharedServer(["--workers", "2"])
    yield shared
    shared.close()


@pytest.fixture
def server(_session_server):
    yield from alive_check(_session_server)


@pytest.fixture
def start_server():
    started: list[Server] = []

    def start(*args: str, binary: str | None = None, wait: bool = True, **kw) -> Server:
        srv = Server(list(args), binary=binary, wait=wait, **kw)
        started.append(srv)
        return srv

    yield start
    errors = []
    for srv in started:
        try:
            if srv.returncode is None and srv.proc.poll() is None:
                srv.check_stopped_cleanly()
            else:
                srv.wait(10)
                srv.check_clean()
        except BaseException as e:  # report every server, not only the first
            errors.append(f"{srv.cmd}: {e}")
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)


@pytest.fixture(scope="session")
def pool(tmp_path_factory) -> Pool:
    dest = tmp_path_factory.mktemp("pool") / "seed42"
    proc = dump_pool(dest)
    stderr = proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, f"rpslab pool dump failed ({proc.returncode}): {stderr}"
    report = sanitizer_report(stderr)
    assert report is None, report
    return Pool(dest)
