"""Real clients against the server: curl, Python's http.client, wrk, h2load --h1 and ab -k.
Each must see zero errors and only 2xx responses. Runs are kept to about 2 s."""

from __future__ import annotations

import gzip
import http.client
import re
import shutil
import subprocess

import pytest

from httpclient import HOST


def run(cmd: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    if shutil.which(cmd[0]) is None:
        pytest.fail(f"{cmd[0]} is not installed (make deps)", pytrace=False)
    return subprocess.run(cmd, capture_output=True, timeout=timeout)


def url(srv, path: str) -> str:
    return f"http://{HOST}:{srv.port}{path}"


# --- curl ------------------------------------------------------------------------------------

def test_curl_several_urls_on_one_connection(server, pool, tmp_path):
    out = [tmp_path / f"o{i}" for i in range(4)]
    paths = ["/simple", "/read?id=11", "/list", "/compute"]
    cmd = ["curl", "-sS", "-v", "--fail"]
    for p, o in zip(paths, out):
        cmd += ["-o", str(o), url(server, p)]
    r = run(cmd)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    assert [o.read_bytes() for o in out] == [pool.simple, pool.read[11], pool.list, pool.compute]
    verbose = r.stderr.decode(errors="replace")
    assert verbose.count("Re-using existing connection") == 3, "curl could not reuse the keep-alive connection:\n" \
                                                                + verbose[-3000:]


def test_curl_compressed(server, pool, tmp_path):
    r = run(["curl", "-sS", "--fail", "--compressed", "-o", str(tmp_path / "r"), url(server, "/read?id=5")])
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r").read_bytes() == pool.read[5]
    r = run(["curl", "-sS", "--fail", "-H", "Accept-Encoding: gzip", "-o", str(tmp_path / "l"), url(server, "/list")])
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "l").read_bytes() == pool.list_gz
    assert gzip.decompress(pool.list_gz) == pool.list


def test_curl_head(server, pool):
    r = run(["curl", "-sS", "--fail", "-I", url(server, "/list")])
    assert r.returncode == 0, r.stderr
    head = r.stdout.decode()
    assert head.startswith("HTTP/1.1 200 ")
    assert re.search(rf"(?im)^content-length: {len(pool.list)}\r?$", head), head


def test_curl_http10(server, pool):
    r = run(["curl", "-sS", "--fail", "--http1.0", url(server, "/simple")])
    assert r.returncode == 0, r.stderr
    assert r.stdout == pool.simple


def test_curl_post_echo(server, tmp_path):
    data = bytes(range(256)) * 400
    f = tmp_path / "body"
    f.write_bytes(data)
    r = run(["curl", "-sS", "--fail", "-D", "-", "-o", str(tmp_path / "out"), "-H", "Content-Type: application/x-foo",
             "--data-binary", f"@{f}", url(server, "/echo")])
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out").read_bytes() == data
    assert re.search(r"(?im)^content-type: application/x-foo\r?$", r.stdout.decode())


def test_curl_post_chunked(server, tmp_path):
    data = b"chunky " * 5000
    f = tmp_path / "body"
    f.write_bytes(data)
    r = run(["curl", "-sS", "--fail", "-o", str(tmp_path / "out"), "-H", "Transfer-Encoding: chunked",
             "--data-binary", f"@{f}", url(server, "/echo")])
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out").read_bytes() == data


def test_curl_expect_100_continue(server, tmp_path):
    data = b"0123456789" * 200_000  # 2 MB: curl asks for 100-continue
    f = tmp_path / "body"
    f.write_bytes(data)
    r = run(["curl", "-sS", "-v", "--fail", "-o", str(tmp_path / "out"), "-H", "Expect: 100-continue",
             "--expect100-timeout", "10", "--data-binary", f"@{f}", url(server, "/echo")])
    assert r.returncode == 0, r.stderr
    assert "HTTP/1.1 100 Continue" in r.stderr.decode(errors="replace")
    assert (tmp_path / "out").read_bytes() == data


# --- Python's http.client ---------------------------------------------------------------------

def test_python_http_client_keep_alive(server, pool):
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        checks = [
            ("GET", "/simple", None, {}, pool.simple),
            ("GET", "/read?id=499", None, {}, pool.read[499]),
            ("GET", "/list", None, {"Accept-Encoding": "gzip"}, pool.list_gz),
            ("POST", "/echo", b"py" * 1000, {"Content-Type": "text/x-py"}, b"py" * 1000),
            ("HEAD", "/list", None, {}, b""),
            ("GET", "/compute", None, {}, pool.compute),
            ("GET", "/healthz", None, {}, None),
        ]
        first_sock = None
        for method, path, body, headers, want in checks * 3:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            assert resp.status == 200, (method, path, resp.status)
            assert resp.version == 11
            if want is not None:
                assert data == want, (method, path)
            if method == "HEAD":
                assert int(resp.getheader("Content-Length")) == len(pool.list)
            assert not resp.will_close, f"{method} {path}: server wants to close"
            if first_sock is None:
                first_sock = conn.sock
            assert conn.sock is first_sock, "http.client had to reconnect"
    finally:
        conn.close()


# --- load generators ------------------------------------------------------------------------

def _wrk(args: list[str]) -> str:
    r = run(["wrk", "--timeout", "5s", "-d", "2s"] + args, timeout=60)
    out = r.stdout.decode(errors="replace")
    assert r.returncode == 0, out + r.stderr.decode(errors="replace")
    m = re.search(r"(\d+) requests in", out)
    assert m and int(m.group(1)) > 100, f"wrk made too few requests:\n{out}"
    assert "Socket errors" not in out, f"wrk saw socket errors:\n{out}"
    assert "Non-2xx or 3xx" not in out, f"wrk saw non-2xx responses:\n{out}"
    return out


def test_wrk_simple(server):
    _wrk(["-t", "1", "-c", "16", url(server, "/simple")])


def test_wrk_pipelined(server, tmp_path):
    script = tmp_path / "pipeline.lua"
    script.write_text(
        'init = function(args)\n'
        '  local r = {}\n'
        '  for i = 1, 16 do r[i] = wrk.format(nil, i % 2 == 0 and "/simple" or "/read?id=" .. i) end\n'
        '  req = table.concat(r)\n'
        'end\n'
        'request = function() return req end\n')
    _wrk(["-t", "1", "-c", "8", "-s", str(script), url(server, "/")])


def test_wrk_list_gzip(server):
    _wrk(["-t", "1", "-c", "4", "-H", "Accept-Encoding: gzip", url(server, "/list")])


def _h2load(args: list[str], n: int) -> str:
    r = run(["h2load", "--h1", "-n", str(n)] + args, timeout=90)
    out = r.stdout.decode(errors="replace")
    assert r.returncode == 0, out + r.stderr.decode(errors="replace")
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                  r"(\d+) errored, (\d+) timeout", out)
    assert m, out
    total, started, done, succeeded, failed, errored, timeout = map(int, m.groups())
    assert (total, done, succeeded, failed, errored, timeout) == (n, n, n, 0, 0, 0), out
    m = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    assert m and tuple(map(int, m.groups())) == (n, 0, 0, 0), out
    return out


def test_h2load_h1(server):
    _h2load(["-c", "8", url(server, "/simple")], 5000)


def test_h2load_h1_pipelined(server):
    _h2load(["-c", "8", "-m", "16", url(server, "/read?id=250")], 20000)


def _ab(args: list[str], n: int) -> str:
    r = run(["ab", "-k", "-n", str(n)] + args, timeout=90)
    out = r.stdout.decode(errors="replace")
    assert r.returncode == 0, out + r.stderr.decode(errors="replace")
    assert re.search(rf"Complete requests:\s+{n}\n", out), out
    assert re.search(r"Failed requests:\s+0\n", out), out
    assert "Non-2xx responses" not in out, out
    assert re.search(rf"Keep-Alive requests:\s+{n}\n", out), f"ab -k (HTTP/1.0 keep-alive) was not kept alive:\n{out}"
    return out


def test_ab_keep_alive(server):
    _ab(["-c", "8", url(server, "/simple")], 5000)


def test_ab_keep_alive_list(server):
    _ab(["-c", "2", url(server, "/list")], 300)


def test_ab_keep_alive_post(server, tmp_path):
    body = tmp_path / "post"
    body.write_bytes(b"ab-post-body " * 50)
    _ab(["-c", "4", "-p", str(body), "-T", "application/x-ab", url(server, "/echo")], 3000)
