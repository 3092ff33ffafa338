"""What a format reader returns, and how it becomes the text the report parser reads.

A reader knows structure the plain-text parser has to guess (which line is a heading, where a
table's cells are) and fields it has no line for (issuer, document number). Writing the blocks
as the Markdown-like text ``document.parse_document`` already reads keeps one parser for every
format; the fields the text cannot carry are set on the parsed document by ``apply_fields``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer import lines as L
from indexer.document import Document

# Fields a reader may fill; ``published`` is an ISO date, the rest plain text.
FIELDS = ("title", "issuer", "doc_number", "published", "written", "subject", "index_no",
          "source", "author")
_SPACE_RE = re.compile(r"\s+")
_HAN_GAP_RE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def squash(text: str) -> str:
    """One line: runs of white space become one space, none between two CJK characters
    (a line break inside a Chinese sentence is not a space)."""
    return _HAN_GAP_RE.sub("", _SPACE_RE.sub(" ", text)).strip()


@dataclass
class Heading:
    text: str
    level: int = 1  # 1 = chapter


@dataclass
class Paragraph:
    text: str


@dataclass
class TableBlock:
    rows: list[list[str]]  # the first row names the columns; spans already expanded
    caption: str = ""


Block = Heading | Paragraph | TableBlock


@dataclass
class Extracted:
    """One file as a reader saw it."""

    fmt: str  # html, pdf, docx, doc
    blocks: list[Block] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    encoding: str = ""  # for HTML, the character set it was decoded from

    def text(self) -> str:
        """The blocks as report text: what ``parse_document`` reads."""
        out: list[str] = []
        title = self.fields.get("title", "")
        if title:
            out += [f"# {squash(title)}", ""]
        if self.fields.get("published"):
            out.append(f"发布时间: {self.fields['published']}")
        if self.fields.get("source"):
            out.append(f"来源: {squash(self.fields['source'])}")
        out.append("")
        for block in self.blocks:
            if isinstance(block, Heading):
                text = squash(block.text)
                if text:
                    out += ["#" * (min(max(block.level, 1), 5) + 1) + " " + text, ""]
            elif isinstance(block, Paragraph):
                text = squash(block.text)
                if text:
                    out += [_not_markup(text), ""]
            else:
                out += _table_lines(block) + [""]
        return "\n".join(out) + "\n"


def _not_markup(text: str) -> str:
    """A paragraph that starts like a Markdown heading or a table row is still a paragraph."""
    return "\u3000" + text if text[0] in "#|" else text


def _cell(text: str) -> str:
    return squash(text).replace("|", "\\|")


def _table_lines(table: TableBlock) -> list[str]:
    """A Markdown table (header row, delimiter row, body rows) the table reader reads back;
    a table of one row or one column is not a table but lines of text."""
    rows = [[_cell(c) for c in row] for row in table.rows]
    rows = [r for r in rows if any(r)]
    width = max((len(r) for r in rows), default=0)
    if len(rows) < 2 or width < 2:
        return [_not_markup(c) + "\n" for r in rows for c in r if c]
    rows = [r + [""] * (width - len(r)) for r in rows]
    out = [table.caption, ""] if table.caption else []
    out.append("| " + " | ".join(rows[0]) + " |")
    out.append("|" + "---|" * width)
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return out


def apply_fields(doc: Document, extracted: Extracted) -> None:
    """Set what the text carried no line for: the format and the official fields in
    ``doc.meta`` (``issuer``, ``doc_number``, ``subject``, …), and ``published`` when the
    text gave no date (the written date, 成文日期, when nothing else did)."""
    doc.meta["format"] = extracted.fmt
    for name in ("issuer", "doc_number", "subject", "index_no"):
        value = squash(extracted.fields.get(name, ""))
        if value:
            doc.meta[name] = value
    if doc.published is None:
        for name in ("published", "written"):
            date = L.parse_date(extracted.fields.get(name, ""))
            if date:
                doc.published = date
                break
    if extracted.fields.get("written"):
        doc.meta.setdefault("written", L.parse_date(extracted.fields["written"]) or
                            extracted.fields["written"])
