"""PDF files with a text layer, through pypdfium2 (Apache-2.0/BSD; PDFium is Chrome's reader).

A PDF has lines and pages, not paragraphs, and prints furniture on every page. We

- drop page numbers (``2``, ``- 2 -``, ``第2页``, ``2/40``) and running headers and footers (a
  line, digits aside, that opens or closes many pages), and table-of-contents lines;
- join lines into paragraphs across line and page breaks: a Chinese line that fills the
  measure continues the sentence, whatever punctuation it ends with; a short line ends its
  paragraph (or is a heading, which the report parser recognises); a numbered item (``18.``,
  ``（一）``, ``甲、``) starts a new one;
- remove spaces between CJK characters (justified lines come out as ``憲 制 規 定``).

A PDF whose pages carry (almost) no text is a scan: skipped with ``no text layer (scanned
PDF?)``; an encrypted or broken one is skipped with its reason.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from indexer.intake.blocks import Extracted, Paragraph, squash
from indexer.reading import SkipFile

_PAGE_NO_RE = re.compile(
    r"^(?:[-—–·\s]*\d{1,4}[-—–·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|"
    r"\d{1,4}\s*/\s*\d{1,4}|[ivxlcIVXLC]{1,6}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$", re.I)
_TOC_RE = re.compile(r"\S.*?\s*\d{1,4}(?:\s*[-–—]\s*\d{1,4})?\s*$")
_ITEM_RE = re.compile(
    r"^(?:\d{1,3}[.．、](?!\d)|[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|"
    r"[甲乙丙丁戊己庚辛壬癸]、|第[一二三四五六七八九十百\d]{1,4}[章节条部分])")
_END_RE = re.compile(r"[。！？!?；;：:…]$")
HEADING_MAX = 16
MIN_CHARS_PER_PAGE = 5
EDGE = 2  # lines at the top and bottom of a page where furniture sits


def read_pdf(data: bytes, path: Path | None = None) -> Extracted:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        message = str(err)
        if "password" in message.lower():
            raise SkipFile("encrypted PDF (needs a password)") from err
        raise SkipFile(f"broken PDF: {message}") from err
    try:
        pages = [_page_lines(pdf[i]) for i in range(len(pdf))]
        meta = pdf.get_metadata_dict()
    except pdfium.PdfiumError as err:
        raise SkipFile(f"broken PDF: {err}") from err
    finally:
        pdf.close()
    chars = sum(len(ln) for page in pages for ln in page)
    if not pages or chars < MIN_CHARS_PER_PAGE * len(pages):
        raise SkipFile("no text layer (scanned PDF?)")
    fields = {}
    title = squash(meta.get("Title", ""))
    if re.search(r"[\u4e00-\u9fff]", title):
        fields["title"] = title
    author = squash(meta.get("Author", ""))
    if re.search(r"[\u4e00-\u9fff]", author):
        fields["author"] = author
    paragraphs = join_lines(drop_furniture(pages))
    return Extracted("pdf", [Paragraph(p) for p in paragraphs], fields)


def _page_lines(page) -> list[str]:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_bounded()
    finally:
        textpage.close()
        page.close()
    lines = (squash(ln) for ln in re.split(r"\r\n|\r|\n", text))
    return [ln for ln in lines if ln]


def _shape(line: str) -> str:
    """A running header's form, whatever page number it carries."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def drop_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Pages without page numbers, running headers/footers and table-of-contents lines."""
    edges: Counter[str] = Counter()
    for page in pages:
        for ln in set(page[:EDGE] + page[-EDGE:]):
            edges[_shape(ln)] += 1
    repeated = {s for s, n in edges.items()
                if n >= 3 and n >= 0.3 * len(pages) and not _END_RE.search(s)}
    out = []
    for page in pages:
        keep = list(page)
        for k in [*range(min(EDGE, len(keep))), *range(max(len(keep) - EDGE, 0), len(keep))]:
            ln = keep[k]
            if ln and (_PAGE_NO_RE.match(ln) or _shape(ln) in repeated):
                keep[k] = ""
        keep = [ln for ln in keep if ln]
        toc = [ln for ln in keep if _TOC_RE.fullmatch(ln) and len(ln) <= 40]
        if len(keep) >= 5 and len(toc) >= 0.6 * len(keep):
            keep = [ln for ln in keep if ln not in toc and not re.fullmatch(r"目[录錄]|段落", ln)]
        out.append(keep)
    return out


def join_lines(pages: list[list[str]]) -> list[str]:
    """Paragraphs from lines: a line that fills the measure goes on into the next line (or
    page); a short one ends the paragraph; a numbered item starts one."""
    lines = [ln for page in pages for ln in page]
    lengths = sorted(len(ln) for ln in lines if len(ln) >= 10)
    full = lengths[int(0.8 * (len(lengths) - 1))] if lengths else 30
    heading = [False] * len(lines)
    for k in range(len(lines) - 1, -1, -1):  # a short unpunctuated line before an item or a
        ln = lines[k]                          # heading is a heading
        nxt = lines[k + 1] if k + 1 < len(lines) else ""
        heading[k] = len(ln) <= HEADING_MAX and len(ln) < 0.6 * full and \
            not _END_RE.search(ln) and bool(nxt) and \
            (bool(_ITEM_RE.match(nxt)) or heading[k + 1])
    paragraphs: list[str] = []
    buf = ""
    for k, ln in enumerate(lines):
        if buf and (_ITEM_RE.match(ln) or heading[k]):
            paragraphs.append(buf)
            buf = ""
        buf = _glue(buf, ln)
        short = len(ln) < 0.6 * full and len(ln) <= HEADING_MAX
        if heading[k] or short or len(ln) < 0.95 * full and _END_RE.search(ln):
            paragraphs.append(buf)
            buf = ""
    if buf:
        paragraphs.append(buf)
    return paragraphs


def _glue(left: str, right: str) -> str:
    """Two pieces of one paragraph: no space between CJK text, one between Latin words."""
    if not left:
        return right
    if left[-1].isascii() and right[0].isascii() and left[-1].isalnum() and right[0].isalnum():
        return left + " " + right
    return left + right
