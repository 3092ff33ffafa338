"""Turn the text of one report into a Document: metadata fields and search units.

The header (everything before the first line of running text) yields the title, subtitle,
publication date, source and author; web chrome anywhere is dropped; short headings become the
``section`` of the units under them; every paragraph is a unit, and so is every body row of a
table (``kind="table_row"``, see ``indexer.tables``).

``Document.outline`` lists, in reading order, ``{"heading", "level"}``, ``{"unit": ordinal}`` and
``{"table": k}`` entries; ``k`` indexes ``meta["tables"]`` (shape: ``tables.Table.shape``), whose
``units`` name the ordinal of each row's unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from indexer import lines as L
from indexer.clean import DAMAGE, clean_line, has_text, normalize_line, split_cell_pipe
from indexer.tables import ROW_SEP, Table, is_caption, read_table

SECTION_SEP = " › "
HEADER_MAX_LINES = 40
_END_PUNCT = "。！？!?；;：:…"
_JOIN_END = "。！？!?；;」”』）)…：:"
_JOIN_START = "，,。、；;：:）)」”』"
_COMMENT_RE = re.compile(r"^<!--.*-->$")


@dataclass
class Unit:
    """One search unit: a paragraph (or a table row, see tables.py)."""

    ordinal: int
    kind: str
    text: str
    section: str = ""
    lead: str = ""  # heading text right above this unit, searchable with it
    table: str = ""  # table caption, for table rows
    cells: list[dict] = field(default_factory=list)  # [{"header", "value"}] for table rows
    extra: dict = field(default_factory=dict)

    @property
    def damaged(self) -> bool:
        return DAMAGE in self.text


@dataclass
class Document:
    doc_id: str
    title: str = ""
    subtitle: str = ""
    published: str | None = None
    source: str = ""
    author: str = ""
    meta: dict = field(default_factory=dict)
    units: list[Unit] = field(default_factory=list)
    outline: list[dict] = field(default_factory=list)  # headings, units and tables in order
    warnings: list[str] = field(default_factory=list)

    def search_text(self, unit: Unit) -> str:
        """What a unit is found by: its lead headings (and the title, issuer and document
        number, for the first unit: ``国发〔2019〕4号`` finds the document)."""
        parts = []
        if unit.ordinal == 0:
            parts += [self.title, self.subtitle, self.meta.get("issuer", ""),
                      self.meta.get("doc_number", "")]
        parts += [unit.lead, unit.table, unit.text]
        return "\n|\n".join(p for p in parts if p)


@dataclass
class _Line:
    text: str  # cleaned
    cell: bool = False
    raw: str = ""  # as read: tables are told by their tabs and pipes

    @property
    def blank(self) -> bool:
        return not has_text(self.text)


def _prepare_lines(text: str) -> list[_Line]:
    out = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        body, cell = split_cell_pipe(normalize_line(raw))
        if _COMMENT_RE.match(body):
            out.append(_Line(""))
            continue
        out.append(_Line(clean_line(body), cell, raw))
    return out


_REGION_NAME_RE = re.compile(r"^(?:全国|.{2,8}(?:省|市|自治区|特别行政区|地区|州|县|区))$")


def title_from_filename(doc_id: str) -> str:
    """``2025_全国_2025年…政府工作报告.txt`` -> ``2025年…政府工作报告``; '' if no Han name."""
    stem = PurePosixPath(doc_id).stem
    parts = [p for p in stem.split("_") if re.search(r"[\u4e00-\u9fff]", p)]
    named = [p for p in parts if not _REGION_NAME_RE.match(p)] or parts
    return max(named, key=len) if named else ""


class _Parser:
    def __init__(self, doc_id: str, lines: list[_Line]):
        self.doc = Document(doc_id)
        self.lines = lines
        self.raws = [ln.raw for ln in lines]
        self.crumbs: set[str] = set()
        self.stack: list[tuple[int, str]] = []
        self.pending: list[str] = []  # headings since the last unit
        self.last_was_heading_level: int | None = None
        self.article = ""
        self.first_heading = ""
        nonblank = sum(1 for ln in lines if not ln.blank)
        blanks = len(lines) - nonblank
        self.blank_separated = nonblank > 0 and blanks >= 0.3 * nonblank

    # -- header -----------------------------------------------------------------------------

    def parse_header(self) -> int:
        """Consume header lines; return the index of the first body line."""
        doc, lines = self.doc, self.lines
        for ln in lines[:HEADER_MAX_LINES]:
            if L.chrome_kind(ln.text) == "breadcrumb":
                self.crumbs.update(L.breadcrumb_crumbs(ln.text))
        pending_field = None
        crumb_mode = False
        title_lines = 0
        last = None  # kind of the previous non-blank header line
        i = 0
        while i < len(lines) and i < HEADER_MAX_LINES:
            ln = lines[i]
            text = ln.text
            if ln.raw and read_table(self.raws, i):
                break  # a table is body, even before the first paragraph
            if ln.blank:
                if text.strip() in (">", "»", "›", "/"):
                    crumb_mode, last = True, "sep"
                i += 1
                continue
            kind = L.chrome_kind(text)
            if kind == "breadcrumb":
                crumb_mode, last = True, "crumb"
                i += 1
                continue
            if crumb_mode and last == "sep" and len(text) <= 12:
                self.crumbs.add(text)
                last = "crumb"
                i += 1
                continue
            crumb_mode = crumb_mode and kind is not None
            if kind:
                last = "chrome"
                i += 1
                continue
            meta = L.parse_meta_line(text)
            if meta:
                for name, value in meta.fields.items():
                    if value:
                        self._set_field(name, value)
                    else:
                        pending_field = name
                last = "meta"
                i += 1
                continue
            if pending_field and len(text) <= 40 and not L.is_subtitle(text):
                self._set_field(pending_field, text)
                pending_field, last = None, "meta"
                i += 1
                continue
            pending_field = None
            if L.is_date_only(text):
                self._set_field("published", text)
                last = "meta"
                i += 1
                continue
            if text in self.crumbs or text in (doc.title, doc.subtitle):
                i += 1
                continue
            credit = L.credit_source(text)
            if credit:
                self._set_field("source", credit)
                i += 1
                continue
            md = L.markdown_heading(text)
            if md and md[0] == 1 and not doc.title:
                doc.title, last, title_lines = md[1], "md-title", 1
                i += 1
                continue
            if L.is_subtitle(text) and not doc.subtitle:
                doc.subtitle = text
                if doc.published is None:
                    doc.meta["meeting_date"] = L.parse_date(text)
                last = "subtitle"
                i += 1
                continue
            if last == "subtitle" and not re.search(r"会议?上[)）]?$", doc.subtitle) and \
                    re.search(r"会议?上[)）]?$", text) and len(text) <= 40:
                doc.subtitle += text  # a subtitle wrapped onto a second line
                i += 1
                continue
            if self._title_like(text) and not md:
                if not doc.title:
                    doc.title, last, title_lines = text, "title", 1
                    i += 1
                    continue
                if last == "title" and title_lines < 3 and not doc.subtitle and \
                        not L.parse_date(text):
                    sep = "" if len(text) <= 3 or len(doc.title) <= 3 else " "
                    doc.title += sep + text
                    title_lines += 1
                    i += 1
                    continue
                if doc.title and not doc.author and len(text) <= 30 and last != "title":
                    doc.author, last = text, "author"
                    i += 1
                    continue
            break
        return i

    def _title_like(self, text: str) -> bool:
        return (
            len(text) <= 60
            and text[-1] not in _END_PUNCT + "，,"
            and "。" not in text
            and L.enumerated_level(text) is None
            and L.is_article_start(text) is None
            and not ln_is_caption(text)
        )

    def _set_field(self, name: str, value: str) -> None:
        doc = self.doc
        value = value.replace(DAMAGE, "").strip(" |")
        if name == "published":
            date = L.parse_date(value)
            if date and doc.published is None:
                doc.published = date
        elif name in ("source", "author") and not getattr(doc, name):
            setattr(doc, name, value)
        elif name not in ("counter",) and value:
            doc.meta.setdefault(name, value)

    # -- body -------------------------------------------------------------------------------

    def parse_body(self, start: int) -> None:
        lines = self.lines
        i = start
        n = len(lines)
        while i < n:
            ln = lines[i]
            table = read_table(self.raws, i) if ln.raw else None
            if table:
                self.add_table(table[0])
                i = table[1]
                continue
            if ln.blank:
                i += 1
                continue
            text = ln.text
            if L.chrome_kind(text):
                i += 1
                continue
            meta = L.parse_meta_line(text)
            if meta and self._absorb_meta(meta):
                i += 1
                continue
            credit = L.credit_source(text)
            if credit:
                self._set_field("source", credit)
                i += 1
                continue
            md = L.markdown_heading(text)
            if md:
                if md[0] == 1 and not self.doc.title:
                    self.doc.title = md[1]
                else:
                    self.add_heading(md[1], md[0])
                i += 1
                continue
            level = L.heading_level(text)
            if level is None and not ln.cell and L.is_plain_heading(text) and \
                    self._alone_in_block(i) and self._followed_by_text(i, len(text)):
                level = L.PLAIN_HEADING_LEVEL
            if level is not None:
                self.add_heading(text, level)
                i += 1
                continue
            i = self._paragraph(i)

    def _absorb_meta(self, meta: L.MetaLine) -> bool:
        """Editor, counter and keyword lines are chrome; a source or date fills an empty field."""
        fields = meta.fields
        if set(fields) <= {"editor", "counter", "keywords"}:
            return True
        doc = self.doc
        if all(not getattr(doc, f, None) for f in fields if f in ("source", "author", "published")):
            for name, value in fields.items():
                self._set_field(name, value)
            return True
        return False

    def _alone_in_block(self, i: int) -> bool:
        """In a blank-line separated text, a heading is a block of one line."""
        if not self.blank_separated:
            return True
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        return nxt is None or nxt.blank

    def _followed_by_text(self, i: int, length: int) -> bool:
        for ln in self.lines[i + 1 : i + 4]:
            if ln.blank:
                continue
            return len(ln.text) > length and L.chrome_kind(ln.text) is None
        return False

    def _paragraph(self, i: int) -> int:
        lines = self.lines
        text = lines[i].text
        j = i + 1
        if self.blank_separated and not lines[i].cell:
            while j < len(lines) and not lines[j].blank and not lines[j].cell:
                nxt = lines[j].text
                if L.chrome_kind(nxt) or L.heading_level(nxt) or L.markdown_heading(nxt) or \
                        L.is_article_start(nxt):
                    break
                if text[-1] in _JOIN_END and nxt[0] not in _JOIN_START:
                    break
                text = text + nxt
                j += 1
        self.add_unit(text)
        return j

    def add_heading(self, text: str, level: int) -> None:
        text = text.replace(DAMAGE, "").strip()
        if not text:
            return
        if not self.first_heading:
            self.first_heading = text
        self.doc.outline.append({"heading": text, "level": level})
        if self.last_was_heading_level == level and self.stack and self.stack[-1][0] == level:
            self.stack[-1] = (level, self.stack[-1][1] + " " + text)
        else:
            while self.stack and self.stack[-1][0] >= level:
                self.stack.pop()
            self.stack.append((level, text))
        self.pending.append(text)
        self.last_was_heading_level = level
        self.article = ""

    def add_unit(self, text: str, kind: str = "paragraph", outline: bool = True,
                 **extra) -> Unit:
        section = SECTION_SEP.join(t for _, t in self.stack)
        article = L.is_article_start(text)
        if article:
            self.article = article
        elif self.article:
            section = SECTION_SEP.join(p for p in (section, self.article) if p)
        unit = Unit(len(self.doc.units), kind, text, section, " ".join(self.pending), **extra)
        self.doc.units.append(unit)
        if outline:
            self.doc.outline.append({"unit": unit.ordinal})
        self.pending = []
        self.last_was_heading_level = None
        return unit

    def add_table(self, table: Table) -> None:
        """One unit per body row; cells that fit no row become one paragraph, so no text is
        lost; what could not be read with certainty goes to the document's warnings."""
        doc = self.doc
        name = table.caption or f"table at unit {len(doc.units)}"
        doc.warnings.extend(f"{name}: {w}" for w in table.warnings)
        if table.rows:
            tables = doc.meta.setdefault("tables", [])
            k = len(tables)
            doc.outline.append({"table": k})
            ordinals = []
            totals = table.totals
            for r in range(len(table.rows)):
                extra = {"table_index": k, "row_index": r, "numbers": table.numbers(r)}
                if r in totals:
                    extra["total"] = True
                unit = self.add_unit(table.row_text(r), kind="table_row", outline=False,
                                     table=table.caption, cells=table.pairs(r), extra=extra)
                ordinals.append(unit.ordinal)
            tables.append(table.shape(ordinals))
        if table.loose:
            self.add_unit(ROW_SEP.join(c for c in table.loose if has_text(c)),
                          table=table.caption)

    def finish(self) -> Document:
        doc = self.doc
        if not doc.title:
            doc.title = title_from_filename(doc.doc_id) or self.first_heading
        if not doc.title and doc.units:
            first = doc.units[0].text
            doc.title = first[:30] + ("…" if len(first) > 30 else "")
        doc.title = doc.title.replace(DAMAGE, "").strip()
        return doc


def ln_is_caption(text: str) -> bool:
    """Table captions (``表1:…``) are not titles."""
    return is_caption(text)


def parse_document(text: str, doc_id: str) -> Document:
    """Clean and structure one report's text."""
    parser = _Parser(doc_id, _prepare_lines(text))
    start = parser.parse_header()
    parser.parse_body(start)
    return parser.finish()
