"""GET /compute against an independent Python implementation of the aggregation."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from compute_ref import aggregate, interesting_row_counts, parse_orders, round_half_even_3
from httpclient import Conn, get, pipeline

ROWS = 20000


@pytest.fixture(scope="module")
def orders(pool):
    return parse_orders(pool.orders_csv)


# --- the reference implementation itself, checked on hand-computed numbers --------------

HAND_ROWS = (
    # category b: prices 100 x15 and 101 x1 -> mean 1601/16 = 100.0625 (a tie: stays .062),
    # var (16*160201 - 1601^2)/256 = 15/256 = 0.05859375; north and east both earn 800 -> east.
    [("b", "north", 100, 1)] * 8 + [("b", "east", 100, 2)] + [("b", "east", 100, 1)] * 6 + [("b", "south", 101, 1)]
    # category a: prices 100 x13 and 101 x3, qty 3 -> mean 1603/16 = 100.1875 (a tie: rounds up to .188),
    # var 39/256 = 0.15234375.
    + [("a", "zeta", 100, 3)] * 12 + [("a", "alpha", 100, 3)] + [("a", "zeta", 101, 3)] * 3
    + [("c", "mid", 99999, 10)]
)
HAND_EXPECTED = (
    b'[{"category":"a","count":16,"revenue_cents":4809,"min_cents":100,"max_cents":101,'
    b'"mean_cents":100.188,"var_cents2":0.152,"top_region":"zeta"},'
    b'{"category":"b","count":16,"revenue_cents":1701,"min_cents":100,"max_cents":101,'
    b'"mean_cents":100.062,"var_cents2":0.059,"top_region":"east"},'
    b'{"category":"c","count":1,"revenue_cents":999990,"min_cents":99999,"max_cents":99999,'
    b'"mean_cents":99999.000,"var_cents2":0.000,"top_region":"mid"}]'
)


def test_reference_on_hand_computed_rows():
    assert aggregate(HAND_ROWS, len(HAND_ROWS)) == HAND_EXPECTED
    assert aggregate(HAND_ROWS, 1) == (b'[{"category":"b","count":1,"revenue_cents":100,"min_cents":100,'
                                       b'"max_cents":100,"mean_cents":100.000,"var_cents2":0.000,'
                                       b'"top_region":"north"}]')


def test_reference_rounding_matches_python_round_half_even():
    rng = random.Random(1)
    for _ in range(20000):
        f = Fraction(rng.randrange(0, 10**12), rng.choice([1, 2, 8, 16, 80, 2000, 4000, 7, 3, rng.randrange(1, 10**6)]))
        q = round(f, 3) * 1000  # Fraction.__round__ rounds half to even, exactly
        assert q.denominator == 1
        assert round_half_even_3(f) == f"{q.numerator // 1000}.{q.numerator % 1000:03d}"
    assert round_half_even_3(Fraction(1, 2000)) == "0.000"
    assert round_half_even_3(Fraction(3, 2000)) == "0.002"
    assert round_half_even_3(Fraction(50123457, 1000)) == "50123.457"


# --- the files and the server -------------------------------------------------------------

def test_compute_json_is_the_aggregation_over_all_rows(pool, orders):
    assert len(orders) == ROWS
    assert pool.compute == aggregate(orders, ROWS)


def test_default_compute_serves_compute_json(server, pool):
    with Conn(server.port) as c:
        r = c.request(get("/compute"))
    assert r.status == 200
    assert r.get("Content-Type") == "application/json"
    assert r.body == pool.compute


def _check_rows(port: int, orders, counts: list[int]) -> None:
    mismatches = []
    with Conn(port, timeout=60) as c:
        for start in range(0, len(counts), 50):
            batch = counts[start:start + 50]
            responses = pipeline(c, [get(f"/compute?rows={n}") for n in batch])
            for n, r in zip(batch, responses):
                want = aggregate(orders, n)
                if r.status != 200 or r.body != want:
                    mismatches.append((n, r.status, r.body[:300], want[:300]))
                assert r.get("Content-Type") == "application/json"
    assert not mismatches, f"{len(mismatches)} of {len(counts)} row counts differ; first: rows={mismatches[0][0]} " \
                           f"status={mismatches[0][1]}\n got: {mismatches[0][2]!r}\nwant: {mismatches[0][3]!r}"


def test_compute_rows_sample(server, orders):
    rng = random.Random(42)
    counts = sorted({1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 16, 17, 31, 32, 33, 63, 64, 65, 99, 100, 101, 127, 128, 255,
                     256, 257, 1000, 1023, 1024, 4095, 4096, 9999, 10000, 10001, 16384, 19999, ROWS}
                    | {rng.randrange(1, ROWS + 1) for _ in range(80)})
    _check_rows(server.port, orders, counts)


def test_compute_rows_at_rounding_and_region_ties(server, orders):
    """Row counts where half-to-even rounding or the top_region tie rule decides the bytes."""
    found = interesting_row_counts(orders)
    counts = set()
    for kind, ns in found.items():
        counts.update(ns[:25])
        counts.update(ns[-5:])
    assert counts, "no tie in the table at all (the reference found none)"
    _check_rows(server.port, orders, sorted(counts))


def test_compute_rows_all_equals_default(server, pool):
    with Conn(server.port) as c:
        a, b = pipeline(c, [get(f"/compute?rows={ROWS}"), get("/compute")])
    assert a.status == 200 and b.status == 200
    assert a.body == b.body == pool.compute


@pytest.mark.parametrize("value", ["0", str(ROWS + 1), "-1", "abc", "", "1.5", "5abc", "0x10", "1e3", " 5",
                                   "99999999999999999999999999", "4294967297", "18446744073709551617"])
def test_compute_bad_rows_is_400(server, value):
    with Conn(server.port) as c:
        c.send(get("/compute?rows=" + value.replace(" ", "%20")))
        r = c.read_response()
    assert r.status == 400, f"rows={value!r}: got {r.status} {r.body[:200]!r}"
    assert r.media_type() == "text/plain"
