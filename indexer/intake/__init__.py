"""Read published formats (HTML, PDF, DOCX, DOC) into the text the report parser already reads.

Every reader takes the file's bytes and path and returns an ``Extracted``: the title, the
official fields (issuer, document number, dates) and the body as blocks (headings, paragraphs,
tables). ``Extracted.text()`` writes those blocks in the plain-text shape ``document.
parse_document`` understands (a ``#`` title, ``发布时间:`` and ``来源:`` lines, ``##`` headings,
blank-line separated paragraphs, Markdown tables), so cleaning, units, places, years and tables
work the same for every format; ``apply_fields`` then adds what plain text has no line for.

``READERS`` maps a suffix to its reader: one explicit table, so ``grep read_pdf`` finds the
caller. A reader raises ``reading.SkipFile`` with the reason shown to the user.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from indexer.intake.blocks import Extracted, apply_fields
from indexer.intake.read_doc import read_doc
from indexer.intake.read_docx import read_docx
from indexer.intake.read_html import read_html
from indexer.intake.read_pdf import read_pdf

Reader = Callable[[bytes, Path], Extracted]

READERS: dict[str, Reader] = {
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".doc": read_doc,
}

# The formats a download link names, and the content type it is served with.
CONTENT_TYPES: dict[str, str] = {
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
}


def reader_for(path: Path | str) -> Reader | None:
    """The reader for a file by its suffix; None for plain text (``.txt``, ``.md``)."""
    return READERS.get(Path(path).suffix.lower())


def source_format(doc_id: str) -> str:
    """``a/b.HTM`` -> ``htm``: the format a document was read from, as its suffix says."""
    return Path(doc_id).suffix.lower().lstrip(".") or "txt"


__all__ = ["CONTENT_TYPES", "READERS", "Extracted", "apply_fields", "reader_for", "source_format"]
