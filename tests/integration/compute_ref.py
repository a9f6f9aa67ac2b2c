"""An independent implementation of the /compute aggregation (DESIGN.md "Orders and
/compute"), written from the definition with exact rational arithmetic, never floats.

Per category present in the first N rows: count n, revenue_cents = sum(price*qty),
min_cents, max_cents, mean_cents = sum(price)/n, var_cents2 = (n*sum(price^2) - sum(price)^2)/n^2
(both printed with exactly 3 decimals, rounded half to even), top_region = the region with
the largest revenue in that category (ties: the smaller name). One JSON array without
spaces, objects sorted by category name, keys in that order.
"""

from __future__ import annotations

import re
from fractions import Fraction

HEADER = "id,category,region,price_cents,qty"
NAME = re.compile(r"[a-z_]+")


def parse_orders(csv_bytes: bytes) -> list[tuple[str, str, int, int]]:
    """Rows as (category, region, price_cents, qty); strict about the documented format."""
    text = csv_bytes.decode("ascii")
    assert "\r" not in text, "orders.csv must use LF line endings"
    assert text.endswith("\n"), "orders.csv must end with a line feed"
    lines = text[:-1].split("\n")
    assert lines[0] == HEADER, f"orders.csv header is {lines[0]!r}"
    rows = []
    for line in lines[1:]:
        parts = line.split(",")
        assert len(parts) == 5, f"bad orders.csv line {line!r}"
        _id, cat, region, price, qty = parts
        assert re.fullmatch(r"[0-9]+", _id) and re.fullmatch(r"[0-9]+", price) and re.fullmatch(r"[0-9]+", qty), line
        assert NAME.fullmatch(cat) and NAME.fullmatch(region), line
        rows.append((cat, region, int(price), int(qty)))
    return rows


def round_half_even_3(value: Fraction) -> str:
    """`value` (>= 0) with exactly 3 decimals, rounded half to even."""
    assert value >= 0
    scaled = value * 1000
    q, r = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * r
    if twice > scaled.denominator or (twice == scaled.denominator and q % 2 == 1):
        q += 1
    return f"{q // 1000}.{q % 1000:03d}"


class _Category:
    __slots__ = ("n", "sum", "sum_sq", "min", "max", "revenue", "region_revenue")

    def __init__(self):
        self.n = 0
        self.sum = 0
        self.sum_sq = 0
        self.min = None
        self.max = None
        self.revenue = 0
        self.region_revenue: dict[str, int] = {}

    def add(self, region: str, price: int, qty: int) -> None:
        self.n += 1
        self.sum += price
        self.sum_sq += price * price
        self.min = price if self.min is None else min(self.min, price)
        self.max = price if self.max is None else max(self.max, price)
        self.revenue += price * qty
        self.region_revenue[region] = self.region_revenue.get(region, 0) + price * qty

    def top_region(self) -> str:
        return min(self.region_revenue.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    def mean(self) -> Fraction:
        return Fraction(self.sum, self.n)

    def var(self) -> Fraction:
        return Fraction(self.n * self.sum_sq - self.sum * self.sum, self.n * self.n)

    def json(self, name: str) -> str:
        return ('{"category":"%s","count":%d,"revenue_cents":%d,"min_cents":%d,"max_cents":%d,'
                '"mean_cents":%s,"var_cents2":%s,"top_region":"%s"}'
                % (name, self.n, self.revenue, self.min, self.max, round_half_even_3(self.mean()),
                   round_half_even_3(self.var()), self.top_region()))


def aggregate(rows: list[tuple[str, str, int, int]], n_rows: int) -> bytes:
    cats: dict[str, _Category] = {}
    for cat, region, price, qty in rows[:n_rows]:
        cats.setdefault(cat, _Category()).add(region, price, qty)
    return ("[" + ",".join(cats[name].json(name) for name in sorted(cats)) + "]").encode("ascii")


def interesting_row_counts(rows: list[tuple[str, str, int, int]]) -> dict[str, list[int]]:
    """Row counts N where the output of the first N rows hits an edge: an exact rounding tie
    (half to even decides) in a mean or a variance, or a tie for top_region. Found in one pass."""
    cats: dict[str, _Category] = {}
    found: dict[str, list[int]] = {"mean_tie": [], "var_tie": [], "region_tie": []}
    for i, (cat, region, price, qty) in enumerate(rows, start=1):
        c = cats.setdefault(cat, _Category())
        c.add(region, price, qty)
        # mean = S/n; a tie at 3 decimals: 1000*S/n has fractional part exactly 1/2.
        if (2000 * c.sum) % (2 * c.n) == c.n:
            found["mean_tie"].append(i)
        num, den = c.n * c.sum_sq - c.sum * c.sum, c.n * c.n
        if (2000 * num) % (2 * den) == den:
            found["var_tie"].append(i)
        revs = sorted(c.region_revenue.values(), reverse=True)
        if len(revs) > 1 and revs[0] == revs[1]:
            found["region_tie"].append(i)
    return found
