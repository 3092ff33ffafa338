"""What a hit is called: a title that tells documents apart, the issuer, the heading path.

Why: four national reports are titled just 「政府工作报告」, Hong Kong titles repeat their
parts (「行政长官2021年施政报告 - 施政报告 施政报告」), and a unit's stored ``section`` is
the path of what the reader took for headings, list items and tables of contents included.
These are plain strings built from the docs row and the unit's section; HTML is the views'
business (present.py), and the JSON of ``/api/search`` keeps the stored values.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass

from search_app.engine import loads

SEPARATORS = re.compile(r"\s+[-–—|｜·]\s+|\s*[|｜]\s*|\s+")
SECTION_SEPARATOR = " › "
# a heading names a part (第三章 使用, 一、工作回顾); a list item or a sentence does not
SENTENCE_END = re.compile(r"[。；;！？!?：:]$|[。；;]")
LONGEST_HEADING = 40
SHOWN_HEADINGS = 3
# offices that follow the issuing body in an author line: 国务院总理, 广东省省长 孟凡利
OFFICES = re.compile(r"(总理|副总理|省长|代省长|市长|代市长|区长|县长|主席|行政长官|书记)$")


def collapse_title(title: str) -> str:
    """The title with repeated parts dropped: a part contained in one already kept (or
    containing the first part) adds nothing. 「行政长官2021年施政报告 - 施政报告 施政报告」 →
    「行政长官2021年施政报告」; 「施政报告 | 行政长官2022年施政报告 施政报告」 → 「行政长官2022年施政报告」.
    """
    title = " ".join((title or "").split())
    parts = [p for p in SEPARATORS.split(title) if p]
    if len(parts) < 2:
        return title
    kept: list[str] = []
    for part in sorted(parts, key=len, reverse=True):  # longest first: it absorbs the rest
        if not any(part in k for k in kept):
            kept.append(part)
    if len(kept) == len(parts):
        return title  # nothing repeated: keep the title as written
    out: list[str] = []
    for part in parts:  # in the title's own order
        if part in kept and part not in out:
            out.append(part)
    return " ".join(out)


def is_heading(part: str) -> bool:
    """A section part that reads as a heading, not a list item, sentence or contents list."""
    part = part.strip()
    return bool(part) and len(part) <= LONGEST_HEADING and not SENTENCE_END.search(part)


def heading_path(section: str) -> str:
    """The section line: the stored path's headings only, the innermost three, joined by ›
    (第三章 使用 › 第二十条), never a list item or a table of contents."""
    parts = [" ".join(p.split()) for p in (section or "").split("›")]
    headings = [p for p in parts if is_heading(p)]
    return SECTION_SEPARATOR.join(headings[-SHOWN_HEADINGS:])


def issuer_of(issuer: str, source: str, author: str, regions: list[str]) -> str:
    """Who issued a document, for telling apart documents that share a title: the recorded
    issuer; else the body named before an office in the author line (国务院总理 → 国务院,
    广东省省长 孟凡利 → 广东省); else its one region (贵州省); else the source line."""
    if issuer:
        return issuer
    first = (author or "").split()[0] if (author or "").split() else ""
    body = OFFICES.sub("", first)
    if body != first and len(body) >= 2:
        return body
    if len(regions) == 1:
        return regions[0].rsplit("/", 1)[-1]
    return source or ""


@dataclass(frozen=True)
class DocLabel:
    """What tells a document apart: its year and issuer, and whether its title is shared."""

    year: int | None
    issuer: str
    shared: bool = False

    @property
    def parts(self) -> list[str]:
        """The qualifier after the title: year and issuer, for a shared title only."""
        return [str(x) for x in (self.year, self.issuer) if x] if self.shared else []


_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def doc_labels(snap) -> dict[str, DocLabel]:
    """doc_id → DocLabel for every document, ``shared`` when its title (collapsed) is another
    document's too; read once per generation (a few thousand docs rows)."""
    with _lock:
        found = _cache.get(snap)
    if found is not None:
        return found
    rows = snap.db().execute(
        "SELECT doc_id, title, year, source, author, regions, meta FROM docs").fetchall()
    titles: dict[str, int] = {}
    for row in rows:
        title = collapse_title(row["title"] or "")
        titles[title] = titles.get(title, 0) + 1
    found = {}
    for row in rows:
        meta = loads(row["meta"], None) or {}
        issuer = str(meta.get("issuer") or "") if isinstance(meta, dict) else ""
        title = collapse_title(row["title"] or "")
        found[row["doc_id"]] = DocLabel(
            row["year"], issuer_of(issuer, row["source"] or "", row["author"] or "",
                                   loads(row["regions"], []) or []),
            bool(title) and titles[title] > 1)
    with _lock:
        _cache[snap] = found
    return found


def citation(title: str, issuer: str, year: int | None, section: str, url: str) -> str:
    """A reference to one paragraph: 《政府工作报告》，国务院，2019，一、2018年工作回顾。<url>"""
    parts = [f"《{title}》", *(x for x in (issuer, str(year or ""), section) if x)]
    return "，".join(parts) + "。" + url
