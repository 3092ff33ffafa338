"""Reading units back from ``units.sqlite`` for the query side: one place for the SQL, so the
search (a page of hits, the rerank window) and the document view share the storage format of
``indexer.unit_texts``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from indexer.unit_texts import document_units, units_of


def unit_rows(db: sqlite3.Connection, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int],
                                                                              dict]:
    """Rows (the old ``units`` columns) of the units ``(doc_id, ordinal)``, read per chunk."""
    return units_of(db, keys)


def unit_row(db: sqlite3.Connection, doc_id: str, ordinal: int) -> dict | None:
    """One unit's row, or None."""
    return units_of(db, [(doc_id, ordinal)]).get((doc_id, ordinal))


def doc_unit_rows(db: sqlite3.Connection, doc_id: str) -> list[dict]:
    """Every unit row of a document, in order."""
    return document_units(db, doc_id)
