"""Where the rows are in a flattened table: a list of cells with the row breaks lost.

A scraper that writes every cell of an HTML table on its own line keeps the cells in reading
order but drops the ``<tr>`` boundaries, and merged header cells leave empty slots. The column
count is inferred, never assumed: every plausible (columns, header length) pair is scored by

- how consistently each column holds one kind of cell (numbers, years, short labels, prose),
- whether the header cells name exactly that many columns (two-level headers included),
- whether the body divides evenly into rows,
- whether ``合計`` rows start where a row starts,

discounted when only a row or two stand behind it, and the best one wins; ties go to fewer
columns. Where the first column has a kind of cell of its own, rows are cut at those cells
(anchored) instead of every ``columns`` cells, so one missing cell spoils one row. A layout is
believed only when its header fits or its rows are anchored; otherwise the cells stay text.
``cell_kind`` describes the cell kinds.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.analysis import fold
from indexer.clean import has_text

MAX_COLUMNS = 16
LONG_CELL = 30  # characters; a longer cell (or one with a full stop) is prose

UNIT_CHARS = "元万亿千百个人户亩吨米平方公里所家项座间套辆台次天岁名顷立瓦斤克头只株棵栋处"
NUMBER_RE = re.compile(rf"^([-+−]?\d[\d,]*(?:\.\d+)?)\s*(%|‰|[{UNIT_CHARS}]{{1,4}})?$")
_YEAR_RE = re.compile(r"^(?:19|20)\d\d(?:年度?)?$")
_TOTAL_RE = re.compile(r"^(?:合计|总计|共计|小计|合共|总数|全市合计|全省合计)$")


def cell_kind(cell: str) -> str:
    """'E' empty or ``/``, 'Y' a year (a row label), 'N' a number, 'T' short text, 'L' prose."""
    if not has_text(cell):
        return "E"
    folded = fold(cell).strip()
    if _YEAR_RE.match(folded):
        return "Y"
    if NUMBER_RE.match(folded):
        return "N"
    return "L" if len(cell) > LONG_CELL or "。" in cell else "T"


def is_total(cell: str) -> bool:
    """``合計``, ``合 計``, ``总计``, …: the label of a totals row."""
    return bool(_TOTAL_RE.match(re.sub(r"\s+", "", fold(cell))))


@dataclass
class Layout:
    columns: int
    header_len: int  # cells before the first body row
    headers: list[str]
    header_fits: bool  # the header cells name exactly `columns` columns
    score: float
    consistency: float = 0.0
    anchored: bool = False  # rows were cut at their first cells, not every `columns` cells
    rows: list[list[str]] = field(default_factory=list)
    irregular: list[int] = field(default_factory=list)  # rows not `columns` cells long
    warnings: list[str] = field(default_factory=list)


def header_names(slots: list[str], n: int) -> tuple[list[str], bool]:
    """Column names for ``n`` columns from the header cells, and whether they fit exactly.

    The first ``n`` slots are the top row. An empty slot after a name continues it (a merged
    ``colspan`` cell); the names after the top row are its sub-headers, in order, so
    ``貧困發生率(%)``, ``''`` then ``2016年``, ``2020年`` give ``貧困發生率(%) 2016年`` and
    ``貧困發生率(%) 2020年``. Scrapers pad the second row with empty slots (``||||``) after its
    cells rather than under the merged parent, so sub-headers are matched by order, not place.
    """
    top = (slots[:n] + [""] * n)[:n]
    subs = [s for s in slots[n:] if s]
    parent: list[int | None] = []
    for j, name in enumerate(top):
        if name:
            parent.append(j)
        else:
            parent.append(parent[j - 1] if j and parent[j - 1] is not None else None)
    sizes = Counter(p for p in parent if p is not None)
    spanned = [j for j in range(n) if parent[j] is not None and sizes[parent[j]] > 1]
    names = list(top)
    if len(slots) < n:
        return names, False
    if not subs:
        # no second row: an empty slot is an unnamed column only before the first name
        return names, not spanned
    if len(subs) != len(spanned):
        # sub-headers that do not match the merged cells: fall back to their positions
        levels = [slots[k : k + n] for k in range(0, len(slots), n)]
        names = [" ".join(lv[j] for lv in levels if j < len(lv) and lv[j]) for j in range(n)]
        return names, False
    for j, sub in zip(spanned, subs, strict=True):
        names[j] = f"{top[parent[j]]} {sub}"
    return names, True


def _consistency(kinds: list[str], n: int) -> float:
    """Share of body cells whose kind is their column's usual kind (prose ~ text by half)."""
    agree = total = 0.0
    rows = len(kinds) // n
    for j in range(n):
        col = [kinds[r * n + j] for r in range(rows) if kinds[r * n + j] not in ("E", "S")]
        if not col:
            continue
        usual = Counter(col).most_common(1)[0][0]
        agree += sum(1.0 if k == usual else 0.5 if {k, usual} == {"T", "L"} else 0.0 for k in col)
        total += len(col)
    return agree / total if total else 0.0


def _row_start(pos: int, n: int, kinds: list[str]) -> bool:
    """A totals label opens its row (or follows an empty serial-number cell)."""
    return pos % n == 0 or (pos % n == 1 and kinds[pos - 1] == "E")


def _anchored_bounds(kinds: list[str], n: int) -> list[int] | None:
    """Row starts where the first column's kind of cell occurs, if that kind occurs about once
    per row: ``都勻市`` among numbers, ``1`` … ``8`` among prose, years among amounts. A missing
    or extra cell then spoils one row instead of shifting every row after it."""
    anchor = kinds[0]
    if anchor in ("E", "L"):
        return None
    starts = [p for p, k in enumerate(kinds) if k in (anchor, "S")]
    expected = len(kinds) / n
    if abs(len(starts) - expected) > max(1.0, 0.1 * expected):
        return None
    return [*starts, len(kinds)]


def _score(cells: list[str], kinds: list[str], n: int, s: int) -> Layout:
    """Score the layout of ``n`` columns after ``s`` header cells; ``kinds`` as in ``infer``."""
    body = kinds[s:]
    names, fits = header_names(cells[:s], n)
    bounds = _anchored_bounds(body, n)
    anchored = bounds is not None
    if bounds is None:
        bounds = [*range(0, len(body), n), len(body)]
    spans = list(zip(bounds, bounds[1:], strict=False))
    regular = [(a, b) for a, b in spans if b - a == n]
    consistency = _consistency([k for a, b in regular for k in body[a:b]], n)
    if anchored:
        even = len(regular) / len(spans)
        totals_ok = True
    else:
        even = float(len(body) % n == 0)
        totals_ok = all(_row_start(p, n, body) for p, k in enumerate(body) if k == "S")
    # one row agrees with itself: consistency is evidence in proportion to the rows behind it
    score = consistency * len(regular) / (len(regular) + 1) + 0.5 * fits + 0.5 * even - 0.02 * n
    if "S" in body:
        score += 0.5 if totals_ok else -0.5
    if "Y" in kinds[:s] and "Y" in body:
        score -= 0.5  # a year names a column or labels a row, not both
    lay = Layout(n, s, names, fits, score, consistency, anchored)
    if anchored or (even and totals_ok):  # otherwise no row break is certain
        lay.rows = [cells[s + a : s + b] for a, b in spans]
        lay.irregular = [k for k, (a, b) in enumerate(spans) if b - a != n]
    return lay


def infer(cells: list[str]) -> Layout | None:
    """The most plausible layout of a flattened table, or None when nothing is convincing.

    The body starts at the row holding the first number, so only header lengths that put that
    number in the first body row are tried, and never at an empty cell.
    """
    kinds = ["S" if is_total(c) else cell_kind(c) for c in cells]  # S: a totals label
    first_number = next((i for i, k in enumerate(kinds) if k == "N"), None)
    best: Layout | None = None
    for n in range(2, min(MAX_COLUMNS, len(cells) // 2) + 1):
        if first_number is not None:
            starts = range(max(1, first_number - n + 1), first_number + 1)
        else:
            starts = range(1, min(2 * n, len(cells) - n) + 1)
        for s in starts:
            if len(cells) - s < n or kinds[s] == "E":
                continue
            cand = _score(cells, kinds, n, s)
            if _acceptable(cand) and (best is None or cand.score > best.score + 1e-9):
                best = cand
    if best is None or not best.rows:
        return None
    _explain(best)
    return best


def _acceptable(lay: Layout) -> bool:
    """Rows are believable when the header names the columns or the rows are anchored on their
    first cells, and most cells are of their column's kind."""
    return (lay.header_fits or lay.anchored) and lay.consistency >= 0.7


def _explain(lay: Layout) -> None:
    """Warnings for what could not be read with certainty."""
    n = lay.columns
    if not lay.header_fits:
        lay.warnings.append(f"{lay.header_len} header cells do not name {n} columns exactly; "
                            "their names are a best guess")
    for k in lay.irregular:
        row = lay.rows[k]
        lay.warnings.append(f"row {k + 1} ({row[0]!r}) has {len(row)} cells, not {n}; "
                            "only its first cell is paired with a header")
