"""`rpslab pool dump DIR [--seed S]`: the files peers serve (DESIGN.md "Same bytes everywhere")."""

from __future__ import annotations

import gzip
import json
import re
import statistics

from compute_ref import parse_orders
from httpclient import Conn, get, pipeline
from pooldata import POOL_SIZE, Pool, dump_pool

PRODUCT_KEYS = ["id", "sku", "name", "category", "price", "stock", "rating", "tags", "attributes", "description"]


def test_all_files_present(pool):
    names = {p.relative_to(pool.root).as_posix() for p in pool.root.rglob("*") if p.is_file()}
    want = {"simple.json", "list.json", "list.json.gz", "orders.csv", "compute.json"}
    want |= {f"read/{i}.json" for i in range(POOL_SIZE)} | {f"read/{i}.json.gz" for i in range(POOL_SIZE)}
    assert want <= names, f"missing: {sorted(want - names)[:10]}"


def test_simple_json(pool):
    assert pool.simple == b'{"message":"hi"}'


def test_products_shape(pool):
    categories = set()
    ids = set()
    skus = set()
    for i, raw in enumerate(pool.read):
        assert 4400 <= len(raw) <= 4600, f"read/{i}.json is {len(raw)} bytes"
        pairs = json.loads(raw, object_pairs_hook=lambda kv: kv)
        assert [k for k, _ in pairs] == PRODUCT_KEYS, f"read/{i}.json keys: {[k for k, _ in pairs]}"
        p = dict(pairs)
        assert isinstance(p["id"], int)
        ids.add(p["id"])
        skus.add(p["sku"])
        assert isinstance(p["sku"], str) and isinstance(p["name"], str) and isinstance(p["description"], str)
        assert isinstance(p["category"], str)
        categories.add(p["category"])
        assert re.search(rb'"price":\s*-?[0-9]+\.[0-9]{2}\s*[,}]', raw), f"read/{i}.json: price not two decimals"
        assert isinstance(p["stock"], int)
        assert isinstance(p["rating"], (int, float))
        assert isinstance(p["tags"], list) and all(isinstance(t, str) for t in p["tags"])
        attrs = p["attributes"]
        assert isinstance(attrs, list) and len(attrs) == 8, f"read/{i}.json: attributes {attrs}"
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in attrs)
        assert raw == raw.strip(), f"read/{i}.json has surrounding whitespace"
    assert len(ids) == POOL_SIZE, "product ids are not unique"
    assert len(skus) == POOL_SIZE, "skus are not unique"
    assert len(categories) == 12, f"{len(categories)} categories: {sorted(categories)}"


def test_products_differ(pool):
    assert len(set(pool.read)) == POOL_SIZE


def test_gzip_files_decompress_to_json(pool):
    ratios = []
    for i in range(POOL_SIZE):
        data = pool.read_gz[i]
        assert data[:2] == b"\x1f\x8b", f"read/{i}.json.gz is not gzip"
        assert gzip.decompress(data) == pool.read[i], f"read/{i}.json.gz does not decompress to read/{i}.json"
        ratios.append(len(pool.read[i]) / len(data))
    assert 1.5 <= statistics.median(ratios) <= 3.5, f"median gzip ratio {statistics.median(ratios):.2f}, want about 2"
    assert gzip.decompress(pool.list_gz) == pool.list


def test_list_is_first_100_products(pool):
    assert json.loads(pool.list) == [json.loads(b) for b in pool.read[:100]]
    assert 400_000 <= len(pool.list) <= 500_000


def test_orders_csv(pool):
    rows = parse_orders(pool.orders_csv)
    assert len(rows) == 20000
    lines = pool.orders_csv.decode().split("\n")[1:-1]
    ids = [int(line.split(",")[0]) for line in lines]
    assert len(set(ids)) == 20000, "order ids are not unique"
    assert len({r[0] for r in rows}) == 12
    assert len({r[1] for r in rows}) == 8
    assert all(100 <= r[2] <= 100000 for r in rows)
    assert all(1 <= r[3] <= 10 for r in rows)


def test_same_seed_same_bytes(pool, tmp_path):
    proc = dump_pool(tmp_path / "again", seed="42")
    assert proc.returncode == 0, proc.stderr
    again = Pool(tmp_path / "again")
    assert again.read == pool.read and again.read_gz == pool.read_gz
    assert (again.list, again.list_gz, again.orders_csv, again.compute, again.simple) == \
           (pool.list, pool.list_gz, pool.orders_csv, pool.compute, pool.simple)


def test_other_seed_other_bytes_and_server_agrees(tmp_path, start_server):
    proc = dump_pool(tmp_path / "s7", seed="7")
    assert proc.returncode == 0, proc.stderr
    p7 = Pool(tmp_path / "s7")
    default = dump_pool(tmp_path / "s42")
    assert default.returncode == 0
    p42 = Pool(tmp_path / "s42")
    assert p7.read != p42.read
    assert p7.orders_csv != p42.orders_csv
    assert p7.simple == p42.simple
    srv = start_server("--workers", "1", "--seed", "7")
    with Conn(srv.port, timeout=30) as c:
        rs = pipeline(c, [get("/read?id=0"), get("/read?id=499", [("Accept-Encoding", "gzip")]), get("/list"),
                          get("/compute")])
    assert [r.status for r in rs] == [200] * 4
    assert rs[0].body == p7.read[0]
    assert rs[1].body == p7.read_gz[499]
    assert rs[2].body == p7.list
    assert rs[3].body == p7.compute


def test_dump_creates_nested_directory(tmp_path):
    dest = tmp_path / "a" / "b" / "c"
    proc = dump_pool(dest)
    assert proc.returncode == 0, proc.stderr
    assert (dest / "read" / "499.json.gz").is_file()


def test_dump_to_unwritable_place_fails(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    proc = dump_pool(blocker / "sub")
    assert proc.returncode != 0
    assert proc.stderr.strip(), "no error message"


def test_dump_without_dir_is_usage_error():
    from serverproc import require, rpslab_bin
    import subprocess
    proc = subprocess.run([require(rpslab_bin()), "pool", "dump"], capture_output=True, timeout=30)
    assert proc.returncode == 1, proc
    assert proc.stderr.strip()
