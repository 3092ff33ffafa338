"""Word documents (``.docx``) through python-docx (MIT): body paragraphs and tables in order.

Only the body is read, so page headers and footers (running titles, page numbers) never reach
the index; python-docx's paragraph text holds the runs' text, not field instructions
(``PAGE \\* MERGEFORMAT``), and a field's result is dropped when it is only a page number.
Heading styles (``Heading 1``, ``标题 1``, WPS's ``1``) give heading levels; merged cells come
back once per grid column, which is the expanded grid the table reader pairs with headers.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from indexer.intake.blocks import Block, Extracted, Heading, Paragraph, TableBlock, squash
from indexer.reading import SkipFile

_HEADING_RE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_FIELD_CODE_RE = re.compile(r"\b(?:MERGEFORMAT|PAGE|NUMPAGES|HYPERLINK|TOC)\b.*$")
_PAGE_NUMBER_RE = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d{1,4})?[-—–\s]*$")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_docx(data: bytes, path: Path | None = None) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if data.startswith(_OLE_MAGIC):  # what Word writes for a password-protected .docx
        raise SkipFile("encrypted DOCX (or a Word 97-2003 file named .docx)")
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as err:
        raise SkipFile(f"broken DOCX: {err or type(err).__name__}") from err
    fields = {}
    core = document.core_properties
    if core.title and re.search(r"[\u4e00-\u9fff]", core.title):
        fields["title"] = squash(core.title)
    blocks = []
    for block in _body_blocks(document):
        if isinstance(block, Heading) and block.level == 0:  # the Title style
            if "title" not in fields:
                fields["title"] = block.text
                continue
            block = Heading(block.text, 1)
        blocks.append(block)
    if not any(isinstance(b, Paragraph | TableBlock) for b in blocks):
        raise SkipFile("no text in DOCX")
    return Extracted("docx", blocks, fields)


def _body_blocks(document):
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            block = _paragraph(DocxParagraph(child, document))
            if block:
                yield block
        elif tag == "tbl":
            table = Table(child, document)
            rows = []
            for row in table.rows:
                try:
                    rows.append([squash(c.text) for c in row.cells])
                except (IndexError, ValueError):  # a malformed grid: keep what reads
                    continue
            yield TableBlock(rows)


def _paragraph(p) -> Block | None:
    text = squash(_FIELD_CODE_RE.sub("", p.text))
    if not text or _PAGE_NUMBER_RE.match(text):
        return None
    style = ""
    try:
        style = (p.style.name or "") if p.style is not None else ""
    except (KeyError, ValueError):
        pass
    m = _HEADING_RE.match(style.strip()) or re.fullmatch(r"(\d)", style.strip())
    if m and len(text) <= 60:
        return Heading(text, int(m.group(1)))
    if style.strip().lower() in ("title", "标题") and len(text) <= 80:
        return Heading(text, 0)
    return Paragraph(text)
