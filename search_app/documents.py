"""One stored report, read back from ``units.sqlite`` for the document view and ``/api/doc``.

The outline (``docs.outline``) lists headings, units and tables in reading order; tables
(``docs.tables``) carry caption, unit of measure, headers and rows with the unit ordinal of
each row. Older indexes have no tables: their table rows, if any, are plain units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from search_app.engine import Snapshot, loads
from search_app.provenance import provenance
from search_app.units import doc_unit_rows

# the key under which a table lists each row's unit ordinal ("units" in tables.Table.shape)
_ROW_UNIT_KEYS = ("units", "row_units", "row_ordinals", "ordinals")


@dataclass
class TableView:
    caption: str
    unit: str
    headers: list[str]
    rows: list[tuple[int | None, list[str]]]  # (unit ordinal of the row, cells)
    totals: frozenset[int] = frozenset()  # indices of 合計 rows


@dataclass
class StoredDoc:
    doc_id: str
    path: str
    title: str
    subtitle: str
    published: str | None
    source: str
    author: str
    year: int | None
    year_source: str | None
    regions: list[str]
    outline: list[dict]
    tables: list[dict]
    units: list[dict] = field(default_factory=list)
    issuer: str = ""
    doc_number: str = ""
    source_format: str = ""

    def blocks(self) -> list[tuple[str, object]]:
        """("heading", {text, level}), ("unit", unit row) and ("table", TableView) in order.

        Every unit is shown exactly once: in its table if a table holds it, else where the
        outline puts it, else (an outline that misses it) at the end.
        """
        by_ordinal = {u["ordinal"]: u for u in self.units}
        shown: set[int] = set()
        out: list[tuple[str, object]] = []
        rank = _heading_ranks(self.outline)
        for entry in self.outline:
            if "heading" in entry:
                level = rank[_int(entry.get("level"), 1)]
                out.append(("heading", {"text": str(entry["heading"]), "level": level}))
            elif "table" in entry:
                table = self.table(entry["table"])
                if table is not None:
                    shown.update(o for o, _ in table.rows if o is not None)
                    out.append(("table", table))
            elif "unit" in entry:
                unit = by_ordinal.get(_int(entry["unit"], -1))
                if unit is not None and unit["ordinal"] not in shown:
                    shown.add(unit["ordinal"])
                    out.append(("unit", unit))
        out += [("unit", u) for u in self.units if u["ordinal"] not in shown]
        return out

    def table(self, k) -> TableView | None:
        index = _int(k, -1)
        if not 0 <= index < len(self.tables) or not isinstance(self.tables[index], dict):
            return None
        return table_view(self.tables[index])

    def to_dict(self) -> dict:
        """The ``/api/doc`` object."""
        return {
            "ok": True,
            "doc_id": self.doc_id,
            "path": self.path,
            "title": self.title,
            "subtitle": self.subtitle,
            "published": self.published,
            "source": self.source,
            "author": self.author,
            "year": self.year,
            "year_source": self.year_source,
            "regions": self.regions,
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "source_format": self.source_format,
            "outline": self.outline,
            "tables": self.tables,
            "units": self.units,
        }


def _heading_ranks(outline: list[dict]) -> dict[int, int]:
    """Parser heading levels (1-6, sparse: a report may use only 2 and 4) -> HTML levels
    h2, h3, … (h1 is the title), at most h5."""
    levels = sorted({_int(e.get("level"), 1) for e in outline if "heading" in e})
    return {level: min(2 + i, 5) for i, level in enumerate(levels)}


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value if v not in (None, ""))
    return "" if value is None else str(value)


def table_view(t: dict) -> TableView:
    """A stored table as headers and rows of strings, tolerant of the row layout."""
    rows = t.get("rows") or []
    ordinals = next((t[k] for k in _ROW_UNIT_KEYS if isinstance(t.get(k), list)), [])
    out: list[tuple[int | None, list[str]]] = []
    for i, row in enumerate(rows):
        ordinal = _int(ordinals[i], -1) if i < len(ordinals) else -1
        if isinstance(row, dict):  # {"cells": [...], "unit": n} style
            ordinal = _int(row.get("ordinal", row.get("unit", ordinal)), ordinal)
            row = row.get("cells") or []
        cells = [_text(c.get("value") if isinstance(c, dict) else c) for c in row]
        out.append((ordinal if ordinal >= 0 else None, cells))
    return TableView(
        caption=_text(t.get("caption")),
        unit=_text(t.get("unit")),
        headers=[_text(h) for h in t.get("headers") or []],
        rows=out,
        totals=frozenset(i for i in t.get("totals") or [] if isinstance(i, int)),
    )


def _unit(row) -> dict:
    unit = {
        "ordinal": row["ordinal"],
        "kind": row["kind"],
        "section": row["section"] or "",
        "text": row["text"],
        "regions": loads(row["regions"], []),
        "year": row["year"],
    }
    if row["kind"] == "table_row" or row["tbl"] or row["cells"]:
        unit["table"] = row["tbl"] or None
        unit["cells"] = loads(row["cells"], [])
    return unit


def load(snap: Snapshot, doc_id: str) -> StoredDoc | None:
    """The stored document ``doc_id`` (a corpus-relative path), or None."""
    db = snap.db()
    doc = db.execute("SELECT * FROM docs WHERE doc_id = ?", (doc_id,)).fetchone()
    if doc is None:
        return None
    units = doc_unit_rows(db, doc_id)
    return StoredDoc(
        doc_id=doc_id,
        path=str(Path(snap.corpus) / doc_id) if snap.corpus else doc_id,
        title=doc["title"] or doc_id,
        subtitle=doc["subtitle"] or "",
        published=doc["published"],
        source=doc["source"] or "",
        author=doc["author"] or "",
        year=doc["year"],
        year_source=doc["year_source"],
        regions=loads(doc["regions"], []),
        outline=[e for e in loads(doc["outline"], []) if isinstance(e, dict)],
        tables=loads(doc["tables"], []),
        units=[_unit(r) for r in units],
        **provenance(doc["meta"], doc_id),
    )


def original_file(snap: Snapshot, doc_id: str) -> Path | None:
    """The corpus file a document was read from, or None: no corpus, no such regular file, or
    a path that leaves the corpus (``..``, a symlink pointing outside)."""
    if not snap.corpus:
        return None
    root = Path(snap.corpus).resolve()
    try:
        path = (root / doc_id).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path
