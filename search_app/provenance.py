"""Where a document came from: the issuing body, the document number and the file format.

Readers of published formats (``indexer.intake``) keep ``issuer``, ``doc_number`` and
``format`` in ``docs.meta``; hits and the document view show them. One helper for both, so
the search path needs only a line to carry them.
"""

from __future__ import annotations

from indexer.intake import source_format
from search_app.engine import loads


def provenance(meta_json: str | None, doc_id: str) -> dict:
    """``{"issuer", "doc_number", "source_format"}`` of a document ('' when unknown)."""
    meta = loads(meta_json, None) or {}
    if not isinstance(meta, dict):
        meta = {}
    return {
        "issuer": str(meta.get("issuer") or ""),
        "doc_number": str(meta.get("doc_number") or ""),
        "source_format": str(meta.get("format") or source_format(doc_id)),
    }
