"""Tables inside report text, read so that each body row can be a search unit of its own.

Three forms occur in a corpus folder:

- flattened web tables: a scraper wrote every cell on its own line ending in ``|``
  (``847 |``), a lone ``|`` for an empty or merged cell and ``||||`` for several; the row
  breaks are gone and are inferred by ``table_layout``;
- Markdown pipe tables: ``| a | b |`` rows over a ``|---|---|`` line;
- tab-separated blocks: two or more consecutive lines of tab-separated cells.

A caption line (``表2 :總體財政幫扶資金的年度安排情況表(單位:萬元)``) directly before a table
belongs to it, and so does a ``單位:萬元`` line between the caption and the table.

``read_table(raw_lines, i)`` is the entry point: the table starting at line ``i`` (caption
included) and the index of the first line after it, or None. It sees raw lines because tabs
and pipes are what it reads and line cleaning turns tabs into spaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from indexer import table_layout
from indexer.analysis import fold
from indexer.clean import clean_line, has_text, normalize_line, split_cell_pipe
from indexer.table_layout import NUMBER_RE, UNIT_CHARS, cell_kind, is_total

ROW_SEP = " · "  # between the header: value pairs of a row's text
MAX_CAPTION = 80

_CAPTION_RE = re.compile(
    r"^(?:附)?表\s*(?:\d+(?:\s*[-—.]\s*\d+)?|[一二三四五六七八九十]+)\s*(?:[:：、.．]|\s|$)"
)
_UNIT_RE = re.compile(r"单位\s*[:：]\s*([^)）,，;；\s]{1,8})")
_UNIT_LINE_RE = re.compile(r"^[(（]?\s*单位\s*[:：]\s*[^)）]{1,12}[)）]?$")
_HEADER_UNIT_RE = re.compile(rf"[(（]\s*(%|‰|[{UNIT_CHARS}/]{{1,5}})\s*[)）]")
_MD_DELIM_RE = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_LIST_MARK_RE = re.compile(
    r"^(?:[\d一二三四五六七八九十甲乙丙丁戊己庚辛壬癸]+[、.．]|[(（].{1,3}[)）]|[•·●○◆■\-*])$")
_YUAN = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8}
MIN_CELLS = 4


def is_caption(text: str) -> bool:
    """``表1:實地考察項目建設情況表``, ``表2 :…``, ``附表3 …``: a table caption, not a title."""
    text = text.strip()
    return len(text) <= MAX_CAPTION and not text.endswith("。") and \
        bool(_CAPTION_RE.match(fold(text)))


def caption_unit(caption: str) -> str:
    """``(單位:萬元)`` in a caption -> ``万元`` (folded); '' when the caption names none."""
    m = _UNIT_RE.search(fold(caption))
    return m.group(1) if m else ""


def header_unit(header: str) -> str:
    """``資金 (萬元)`` -> ``万元``; ``貧困發生率(%) 2016年`` -> ``%``; ``縣(市)`` -> ''."""
    m = _HEADER_UNIT_RE.search(fold(header))
    return m.group(1) if m else ""


def yuan(value: float, unit: str) -> float | None:
    """An amount of money in yuan (``8256.88`` ``万元`` -> 82568800.0); None if not money."""
    factor = _YUAN.get(unit)
    return value * factor if factor else None


@dataclass
class Table:
    """One table as read. ``rows`` hold cell strings as written (cleaned, original script)."""

    caption: str = ""
    unit: str = ""  # the caption's unit, folded: 單位:萬元 -> 万元
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    irregular: list[int] = field(default_factory=list)  # rows whose cells could not all be paired
    loose: list[str] = field(default_factory=list)  # cells that fit no row, kept as text
    form: str = "cells"  # cells | markdown | tsv
    warnings: list[str] = field(default_factory=list)

    @property
    def totals(self) -> list[int]:
        """Rows that are totals (``合計`` in their first or second cell)."""
        return [k for k, row in enumerate(self.rows) if any(is_total(c) for c in row[:2])]

    def pairs(self, k: int) -> list[dict]:
        """Row ``k`` as ``[{"header", "value"}]``. In an irregular flattened row only the first
        cell's header is certain; the others get ``""``."""
        row = self.rows[k]
        if k in self.irregular and self.form == "cells":
            heads = self.headers[:1] + [""] * len(row)
        else:
            heads = self.headers + [""] * len(row)
        return [{"header": h, "value": v} for h, v in zip(heads, row, strict=False)]

    def row_text(self, k: int) -> str:
        """``年度: 2018 · 財政幫扶資金數: 8256.88 · …``: the stored text of a row unit."""
        return ROW_SEP.join(f"{p['header']}: {p['value']}" if p["header"] else p["value"]
                            for p in self.pairs(k) if has_text(p["value"]))

    def numbers(self, k: int) -> list[dict]:
        """Numeric cells of row ``k`` with their unit (the column's, else the caption's):
        ``[{"header", "value": 8256.88, "unit": "万元"}]``. The first column labels the row
        (a year, a serial number), so it is not a quantity."""
        out = []
        for j, p in enumerate(self.pairs(k)):
            if j == 0 or not p["header"] or cell_kind(p["value"]) != "N":
                continue
            m = NUMBER_RE.match(fold(p["value"]).strip())
            unit = m.group(2) or header_unit(p["header"]) or self.unit
            out.append({"header": p["header"], "value": float(m.group(1).replace(",", "")),
                        "unit": unit})
        return out

    def shape(self, units: list[int]) -> dict:
        """What the document keeps (``doc.meta["tables"]``, the ``docs.tables`` column), enough
        for a page to draw the table and highlight the row of a hit::

            {"caption": "表2 :…(單位:萬元)", "unit": "万元", "form": "cells",
             "headers": ["年度", "財政幫扶資金數", …],
             "rows": [["2016", "847", "847", "0"], …, ["合計", "32756.76", …]],
             "units": [12, 13, …],   # unit ordinal of each row (uid = doc_id#ordinal)
             "totals": [5],          # indices into rows
             "irregular": []}        # rows not as long as headers (cells kept as found)

        Cells are strings as written; a row may be shorter or longer than ``headers`` only when
        it is listed in ``irregular``.
        """
        return {
            "caption": self.caption,
            "unit": self.unit,
            "form": self.form,
            "headers": self.headers,
            "rows": self.rows,
            "units": units,
            "totals": self.totals,
            "irregular": self.irregular,
        }


# ---- the entry point ----------------------------------------------------------------------


def read_table(raws: Sequence[str], i: int) -> tuple[Table, int] | None:
    """The table that starts at ``raws[i]`` (a caption line or the table's first line), with
    the index of the line after it; None when no table starts there."""
    raw = raws[i]
    if not ("|" in raw or "\t" in raw or raw.lstrip().startswith(("表", "附表"))):
        return None
    caption, unit_line = "", ""
    start = i
    first = clean_line(raw)
    if "|" not in raw and is_caption(first):
        caption = first
        start = _next_nonblank(raws, i + 1)
        if start < len(raws) and _UNIT_LINE_RE.match(fold(clean_line(raws[start]))):
            unit_line = clean_line(raws[start])
            start = _next_nonblank(raws, start + 1)
        if start >= len(raws):
            return None
    found = _markdown(raws, start) or _tab_separated(raws, start) or _flattened(raws, start)
    if found is None:
        return None
    table, end = found
    if caption:
        table.caption = f"{caption} {unit_line}".strip()
    table.unit = caption_unit(table.caption) or table.unit
    return table, end


def _next_nonblank(raws: Sequence[str], i: int, limit: int = 2) -> int:
    """Skip up to ``limit`` empty lines."""
    j = i
    while j < len(raws) and j - i < limit and not raws[j].strip():
        j += 1
    return j


# ---- Markdown -----------------------------------------------------------------------------


def _md_cells(line: str) -> list[str]:
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
    return [clean_line(c.replace("\\|", "|")) for c in re.split(r"(?<!\\)\|", s)]


def _markdown(raws: Sequence[str], i: int) -> tuple[Table, int] | None:
    """A GFM table: a header row, a delimiter row with as many cells, then rows with ``|``."""
    if i + 1 >= len(raws) or "|" not in raws[i] or not _MD_DELIM_RE.match(raws[i + 1].strip()):
        return None
    headers = _md_cells(raws[i])
    if len(headers) != len(_md_cells(raws[i + 1])):
        return None
    j = i + 2
    rows = []
    while j < len(raws) and "|" in raws[j] and raws[j].strip():
        rows.append(_md_cells(raws[j]))
        j += 1
    if not rows:
        return None
    return _explicit(headers, rows, "markdown"), j


# ---- tab-separated ------------------------------------------------------------------------


def _tab_cells(raw: str) -> list[str]:
    cells = [clean_line(c) for c in raw.strip("\r\n ").split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _tab_separated(raws: Sequence[str], i: int) -> tuple[Table, int] | None:
    """Two or more lines of two or more tab-separated cells. Numbered paragraphs (``1.\\t…``)
    and lists of headings (``甲、\\t引言``) have tabs too; they are not tables."""
    rows = []
    j = i
    while j < len(raws) and "\t" in raws[j] and not raws[j].lstrip().startswith("#"):
        cells = _tab_cells(raws[j])
        if sum(1 for c in cells if c) < 2:
            break
        rows.append(cells)
        j += 1
    if len(rows) < 2 or any(cell_kind(c) == "L" for c in rows[0]):
        return None  # a header names columns; a paragraph is not a header
    listed = sum(1 for r in rows if _LIST_MARK_RE.match(r[0]) and sum(map(has_text, r)) <= 2)
    if listed >= 0.8 * len(rows):
        return None
    return _explicit(rows[0], rows[1:], "tsv"), j


def _explicit(headers: list[str], rows: list[list[str]], form: str) -> Table:
    """A table whose rows are given (Markdown, tabs): short rows are padded with empty cells,
    as Markdown renders them; longer rows keep their cells and are marked irregular."""
    n = len(headers)
    table = Table(headers=headers, form=form)
    for k, row in enumerate(rows):
        if len(row) != n:
            table.warnings.append(f"row {k + 1} has {len(row)} cells, not {n}")
        if len(row) > n:
            table.irregular.append(k)
        table.rows.append(row + [""] * (n - len(row)))
    return table


# ---- flattened web tables -----------------------------------------------------------------


def _line_cells(raw: str) -> list[str] | None:
    """``'847 |'`` -> ``['847']``; ``'|'`` -> ``['']``; ``'||||'`` -> four empty cells;
    ``'a | b |'`` -> ``['a', 'b']``; None for a line that is not a cell line."""
    line = normalize_line(raw)
    _, is_cell = split_cell_pipe(line)
    if not is_cell:
        return None
    m = re.search(r"[|\s]*$", line)
    pipes = m.group().count("|")
    body = line[: m.start()]
    if not body.strip():
        return [""] * pipes
    return [clean_line(c) for c in body.split("|")] + [""] * (pipes - 1)


def _flattened(raws: Sequence[str], i: int) -> tuple[Table, int] | None:
    """A run of cell lines (one empty line inside is allowed) read as a table."""
    cells: list[str] = []
    j = i
    while j < len(raws):
        got = _line_cells(raws[j])
        if got is None:
            if cells and not raws[j].strip() and j + 1 < len(raws) and \
                    _line_cells(raws[j + 1]) is not None:
                j += 1
                continue
            break
        cells.extend(got)
        j += 1
    caption = ""
    if cells and is_caption(cells[0]):
        caption, cells = cells[0], cells[1:]
    filled = [c for c in cells if has_text(c)]
    if len(cells) < MIN_CELLS or len(filled) < 3:
        return None
    kinds = [cell_kind(c) for c in filled]
    if 2 * kinds.count("L") > len(kinds) or \
            "N" not in kinds and not caption and not _caption_before(raws, i):
        return None  # lines of prose that end in "|", not a table
    lay = table_layout.infer(cells)
    table = Table(caption=caption, form="cells")
    if lay is None:
        table.loose = filled
        table.warnings.append(f"{len(cells)} cells whose columns could not be told apart; "
                              "kept as text, not as rows")
        return table, j
    table.headers, table.rows, table.irregular = lay.headers, lay.rows, lay.irregular
    table.warnings = lay.warnings
    return table, j


def _caption_before(raws: Sequence[str], i: int) -> bool:
    j = i - 1
    while j >= 0 and not raws[j].strip():
        j -= 1
    return j >= 0 and is_caption(clean_line(raws[j]))
