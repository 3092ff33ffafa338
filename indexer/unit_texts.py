"""Units in ``units.sqlite``: each document's units as a few zlib-compressed chunks.

Issue 17 measured the schema-8 table on the real corpus: 184 MB for 48 MB of text, because
every one of 226k rows repeated its ``uid`` and ``doc_id`` as text (twice more in the indexes
over them), its section heading and its document's places. Here a document has an integer
key (``docs.dn``), and its units are stored as chunks of about ``CHUNK_CHARS`` characters:
``texts(dn, first, body)`` where ``first`` is the chunk's first ordinal and ``body`` the zlib
of JSON lines: ``{"sections": [...], "ordinals": [...]}``, then one ``[ordinal, kind,
section, lead, text, tbl, cells, regions, year, extra]`` per unit (``section`` an index into
``sections``: each heading once per chunk; a line per unit so that a hit parses only its own). Text compresses to about half; the repeated places and years of a
document's units to almost nothing.

A page of hits reads one chunk per hit (``units_of``), a document view all of a document's
chunks (``document_units``). Both give rows with the columns and types of the old table
(``cells``, ``regions``, ``extra`` as JSON text), so the code that renders them is unchanged.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator

CHUNK_CHARS = 8_000  # per hit ~0.1 ms to decompress; 16,000 cost twice that, 4,000 6 MB more
ZLIB_LEVEL = 6
COLUMNS = ("ordinal", "kind", "section", "lead", "text", "tbl", "cells", "regions", "year",
           "extra")


def chunks(unit_rows: list[dict]) -> Iterator[tuple[int, bytes]]:
    """(first ordinal, compressed body) of each chunk of a document's unit rows (in order)."""
    start = 0
    while start < len(unit_rows):
        end, size = start, 0
        while end < len(unit_rows) and (end == start or size < CHUNK_CHARS):
            size += len(unit_rows[end]["text"] or "") + len(unit_rows[end]["lead"] or "")
            end += 1
        yield unit_rows[start]["ordinal"], _encode(unit_rows[start:end])
        start = end


def _encode(rows: list[dict]) -> bytes:
    sections: dict[str, int] = {}
    lines = []
    for r in rows:
        sec = sections.setdefault(r["section"] or "", len(sections))
        lines.append(_dumps([r["ordinal"], r["kind"], sec, r["lead"], r["text"], r["tbl"],
                             r["cells"], r["regions"], r["year"], r["extra"]]))
    head = _dumps({"sections": list(sections), "ordinals": [r["ordinal"] for r in rows]})
    return zlib.compress("\n".join([head, *lines]).encode("utf-8"), ZLIB_LEVEL)


def _dumps(value) -> str:
    """One line of JSON (a newline inside a string is written ``\\n``)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decode(doc_id: str, body: bytes, ordinals: Iterable[int] | None = None) -> list[dict]:
    """The unit rows of one chunk (only those of ``ordinals`` if given), as dicts with the
    columns of the schema-8 ``units`` table. Each unit is a line of its own, so a hit parses
    its own unit's JSON, not the chunk's."""
    lines = zlib.decompress(body).split(b"\n")
    head = json.loads(lines[0])
    sections = head["sections"]
    if ordinals is None:
        wanted = range(len(head["ordinals"]))
    else:
        where = {o: i for i, o in enumerate(head["ordinals"])}
        wanted = [where[o] for o in ordinals if o in where]
    out = []
    for i in wanted:
        row = dict(zip(COLUMNS, json.loads(lines[i + 1]), strict=True))
        row["section"] = sections[row["section"]]
        row["doc_id"] = doc_id
        row["uid"] = f"{doc_id}#{row['ordinal']}"
        out.append(row)
    return out


def write_document(conn: sqlite3.Connection, doc_row: dict, units: int,
                   unit_chunks: list[tuple[int, bytes]]) -> None:
    """Store a document, its number of units and their ``chunks`` (replacing an earlier
    version of it)."""
    delete_document(conn, doc_row["doc_id"])
    row = dict(doc_row, units=units)
    cur = conn.execute(
        f"INSERT INTO docs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()))
    conn.executemany("INSERT INTO texts (dn, first, body) VALUES (?, ?, ?)",
                     [(cur.lastrowid, first, body) for first, body in unit_chunks])


def delete_document(conn: sqlite3.Connection, doc_id: str) -> None:
    conn.execute("DELETE FROM texts WHERE dn IN (SELECT dn FROM docs WHERE doc_id = ?)",
                 (doc_id,))
    conn.execute("DELETE FROM docs WHERE doc_id = ?", (doc_id,))


def unit_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COALESCE(SUM(units), 0) FROM docs").fetchone()[0]


def units_of(conn: sqlite3.Connection, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int],
                                                                                dict]:
    """The rows of the units ``(doc_id, ordinal)``; each chunk read and decompressed once."""
    by_chunk: dict[tuple[str, int], list[int]] = {}
    body_of: dict[tuple[str, int], bytes] = {}
    for doc_id, ordinal in dict.fromkeys(keys):
        row = conn.execute(
            "SELECT t.first, t.body FROM texts t JOIN docs d ON t.dn = d.dn "
            "WHERE d.doc_id = ? AND t.first <= ? ORDER BY t.first DESC LIMIT 1",
            (doc_id, ordinal)).fetchone()
        if row is None:
            continue
        chunk = (doc_id, row[0])
        body_of.setdefault(chunk, row[1])
        by_chunk.setdefault(chunk, []).append(ordinal)
    out: dict[tuple[str, int], dict] = {}
    for (doc_id, first), ordinals in by_chunk.items():
        for unit in decode(doc_id, body_of[(doc_id, first)], ordinals):
            out[(doc_id, unit["ordinal"])] = unit
    return out


def document_units(conn: sqlite3.Connection, doc_id: str) -> list[dict]:
    """All unit rows of a document, in order."""
    rows = conn.execute(
        "SELECT t.body FROM texts t JOIN docs d ON t.dn = d.dn WHERE d.doc_id = ? "
        "ORDER BY t.first", (doc_id,))
    return [u for (body,) in rows for u in decode(doc_id, body)]
