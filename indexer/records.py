"""From a corpus file to what the index stores: Whoosh fields and units-database rows.

This is the work a build process does for one file; it runs in the worker processes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import traceback
from dataclasses import dataclass, field

from indexer import unit_texts
from indexer.analysis import TextTokens, analyze, fold, han_chars
from indexer.document import Document, Unit, parse_document
from indexer.intake import apply_fields, reader_for
from indexer.places import Recognizer, gazetteer
from indexer.reading import CorpusFile, SkipFile, decode, read_bytes
from indexer.tables import yuan
from indexer.years import document_year, mentioned_years


@dataclass
class FileResult:
    """What the parent process needs to know about one processed file."""

    doc_id: str
    size: int
    mtime_ns: int
    sha1: str = ""
    encoding: str = ""
    skipped: str = ""  # the reason, when the file was not indexed
    doc_row: dict | None = None
    unit_rows: list[dict] = field(default_factory=list)  # not sent to the parent: see chunks
    units: int = 0
    # the unit rows as units.sqlite stores them, compressed here in the worker: the parent,
    # which writes the database while the workers analyse, gets a tenth of the bytes to
    # unpickle and nothing to compress
    chunks: list[tuple[int, bytes]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=512)
def _section_words(section: str) -> list[str]:
    """A section heads many units in a row: segment it once. The units share the one list
    (nothing changes it), so the segment writer maps its words to term numbers once too."""
    return analyze(section).words


def annotate(doc: Document, texts: list[str], tokens: list[TextTokens]) -> None:
    """Set the places and years: ``regions`` and ``mentions_years`` of each unit (in
    ``unit.extra``), the document's ``regions``, ``year`` and ``year_source`` (in ``meta``).

    ``texts`` are the units' search texts and ``tokens`` their analysis, computed once. The
    document's head for places is its title, subtitle and header lines (source, issuer): the
    body only says what a document is about when these name nothing."""
    head = "\n".join(p for p in (doc.title, doc.subtitle, doc.source, doc.author) if p)
    unit_regions, doc_regions = Recognizer(gazetteer()).document(
        [t.words for t in tokens], [fold(t) for t in texts],
        analyze(head).words if head else [], fold(head))
    plain = [u.text for u in doc.units if not u.damaged]
    year, source = document_year(
        published=doc.published, meeting_date=doc.meta.get("meeting_date"), title=doc.title,
        doc_id=doc.doc_id, opening=[t for t in (doc.subtitle,) if t] + plain, body=plain)
    for unit, regions in zip(doc.units, unit_regions, strict=True):
        if regions:
            unit.extra["regions"] = regions
        years = mentioned_years(unit.text)
        if years:
            unit.extra["mentions_years"] = years
    doc.meta["regions"] = doc_regions
    doc.meta["year"], doc.meta["year_source"] = year, source


def unit_regions(doc: Document, unit: Unit) -> list[str]:
    """The places a unit is about: those it names, else its document's."""
    return unit.extra.get("regions") or doc.meta.get("regions") or []


def whoosh_fields(doc: Document, unit: Unit, title_words: list[str],
                  tokens: TextTokens | None = None) -> dict:
    tokens = tokens or analyze(doc.search_text(unit))
    section_words = _section_words(unit.section) if unit.section else []
    fields = {
        "doc_id": doc.doc_id,
        "ordinal": unit.ordinal,
        "kind": unit.kind,
        "words": tokens.words,
        "bigrams": tokens.bigrams,
        "chars": han_chars(tokens.bigrams),
        "title": title_words,
        "section": section_words,
    }
    regions = unit_regions(doc, unit)
    if regions:
        fields["region"] = ",".join(regions)
    year = doc.meta.get("year")
    if year:
        fields["year"] = int(year)
    amounts = [yuan(n["value"], n["unit"]) for n in unit.extra.get("numbers", ())]
    amounts = [a for a in amounts if a is not None]
    if amounts:
        fields["amount"] = amounts
    return fields


def doc_row(doc: Document) -> dict:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "subtitle": doc.subtitle,
        "published": doc.published,
        "source": doc.source,
        "author": doc.author,
        "year": doc.meta.get("year"),
        "year_source": doc.meta.get("year_source"),
        "regions": json.dumps(doc.meta.get("regions") or [], ensure_ascii=False),
        "meta": _json_without(doc.meta, ("tables", "regions", "year", "year_source")),
        "outline": json.dumps(doc.outline, ensure_ascii=False),
        "tables": json.dumps(doc.meta.get("tables") or [], ensure_ascii=False),
    }


def unit_row(doc: Document, unit: Unit) -> dict:
    """A unit as ``unit_texts`` stores it (keyed by its document's row and its ordinal)."""
    return {
        "ordinal": unit.ordinal,
        "kind": unit.kind,
        "section": unit.section,
        "lead": unit.lead,
        "text": unit.text,
        "tbl": unit.table,
        "cells": json.dumps(unit.cells, ensure_ascii=False) if unit.cells else None,
        "regions": json.dumps(unit_regions(doc, unit), ensure_ascii=False),
        "year": doc.meta.get("year"),
        "extra": _json_without(unit.extra, ("regions",)),
    }


def _json_without(data: dict, own_columns: tuple[str, ...]) -> str | None:
    """``meta`` or ``extra`` for the database, without what has a column of its own."""
    kept = {k: v for k, v in data.items() if k not in own_columns}
    return json.dumps(kept, ensure_ascii=False) if kept else None


def warm_up() -> None:
    """Load what every file needs (jieba and its dictionary, character frequencies) once.

    Called in the build's parent before it forks its workers, so they inherit it instead of
    each paying about a second."""
    from indexer.analysis import tokenizer
    from indexer.clean import char_logp, very_rare_re

    tokenizer()  # also builds the gazetteer
    char_logp()
    very_rare_re()


def process_file(f: CorpusFile) -> tuple[FileResult, list[dict]]:
    """Read, decode, clean and analyse one file. Never raises: problems become a skip."""
    result = FileResult(f.doc_id, f.size, f.mtime_ns)
    try:
        data = read_bytes(f.path)
        result.sha1 = hashlib.sha1(data).hexdigest()
        reader = reader_for(f.path)
        if reader is None:
            text, result.encoding = decode(data)
            doc = parse_document(text, f.doc_id)
        else:
            extracted = reader(data, f.path)
            result.encoding = extracted.encoding or extracted.fmt
            doc = parse_document(extracted.text(), f.doc_id)
            apply_fields(doc, extracted)
    except SkipFile as err:
        result.skipped = str(err)
        return result, []
    except Exception as err:  # a bug must not stop the build; report it with the file
        result.skipped = f"internal error: {type(err).__name__}: {err}"
        result.warnings.append(traceback.format_exc(limit=3))
        return result, []
    if not doc.units:
        result.skipped = "no searchable text after cleaning"
        return result, []
    if result.encoding not in ("utf-8", "utf-8-sig", "pdf", "docx", "doc"):
        result.warnings.append(f"{f.doc_id}: decoded as {result.encoding}")
    result.warnings.extend(f"{f.doc_id}: {w}" for w in doc.warnings)
    texts = [doc.search_text(u) for u in doc.units]
    tokens = [analyze(t) for t in texts]
    annotate(doc, texts, tokens)
    title_words = analyze(doc.title).words
    fields = [whoosh_fields(doc, u, title_words, t) for u, t in zip(doc.units, tokens,
                                                                     strict=True)]
    result.doc_row = doc_row(doc)
    result.unit_rows = [unit_row(doc, u) for u in doc.units]
    result.units = len(result.unit_rows)
    result.chunks = list(unit_texts.chunks(result.unit_rows))
    return result, fields
