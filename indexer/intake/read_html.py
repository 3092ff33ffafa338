"""Saved web pages (``.html``, ``.htm``): the article, its tables and its official fields.

A government page is mostly furniture: navigation, breadcrumbs, share widgets, ICP footers.
trafilatura (Apache-2.0) finds the main content best of the libraries we compared on
``corpus-raw`` (README, "Formats"); before it runs we do what it cannot know about:

- decode by the page's own declaration (BOM, ``<meta charset>``, ``http-equiv``), else by
  ``reading.decode``'s plausibility test (GB18030, Big5, damaged UTF-8);
- drop hidden copies (``display:none``, ``hidden``) so nothing is indexed twice;
- read the gov.cn metadata table (索引号, 发文机关, 发文字号, 成文日期, …) and ``<meta>`` tags
  into fields, then remove the table so it is not taken for body text;
- unwrap layout tables (a table holding paragraphs or other tables is page layout) and expand
  ``rowspan``/``colspan`` of data tables, so every row has one cell per column.

What trafilatura keeps is then our blocks; the report parser's own cleaning runs after.
"""

from __future__ import annotations

import re
from pathlib import Path

from indexer.intake.blocks import Block, Extracted, Heading, Paragraph, TableBlock, squash
from indexer.reading import SkipFile, decode

_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
            "big5": "big5hkscs", "x-big5": "big5hkscs", "utf8": "utf-8"}
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "select",
              "button", "form", "svg", "canvas")
_BLOCK_TAGS = {"p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
               "article", "blockquote", "pre", "dl"}

# The gov.cn "information disclosure" table: label -> field.
GOV_LABELS = {
    "索引号": "index_no", "主题分类": "subject", "发文机关": "issuer", "成文日期": "written",
    "标题": "title", "发文字号": "doc_number", "发布日期": "published", "主题词": "keywords",
    "发布机构": "issuer", "文号": "doc_number", "公文种类": "doc_type", "发文日期": "written",
    "生效日期": "effective", "废止日期": "repealed", "有效性": "validity", "所属机构": "issuer",
}
_LABEL_STRIP_RE = re.compile(r"[\s\u3000:：]+")

# <meta name=…> -> field (lower-case names; gov.cn and most CMSs use these).
META_NAMES = {
    "articletitle": "title", "og:title": "title", "dc.title": "title",
    "pubdate": "published", "publishdate": "published", "firstpublishedtime": "published",
    "article:published_time": "published", "dc.date": "published", "dc.date.issued": "published",
    "contentsource": "source", "source": "source", "author": "author", "dc.creator": "author",
    "keywords": "keywords", "subject": "subject",
}


def decode_html(data: bytes) -> tuple[str, str]:
    """The page as text and the encoding used: the declared one when it decodes cleanly."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        m = _CHARSET_RE.search(data[:8192])
        if m:
            name = m.group(1).decode("ascii").lower()
            enc = _ALIASES.get(name, name)
            try:
                return data.decode(enc), enc
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong declaration is common; the plausibility test decides
    return decode(data)


def read_html(data: bytes, path: Path | None = None) -> Extracted:
    """Read one saved page; SkipFile when it holds no article text."""
    import lxml.html
    from lxml import etree

    text, encoding = decode_html(data)
    text = _XML_DECL_RE.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        raise SkipFile("empty file")
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as err:
        raise SkipFile(f"broken HTML: {err}") from err
    fields: dict[str, str] = {}
    _read_meta_tags(tree, fields)
    _drop_hidden(tree)
    for table in _innermost_tables(tree):
        if _read_gov_table(table, fields):
            table.drop_tree()
    _unwrap_layout_tables(tree)
    _expand_spans(tree)
    blocks, found_title = _main_content(tree)
    fields.setdefault("title", found_title)
    title = fields.get("title", "")
    if title:
        fields["title"] = _strip_site_name(squash(title))
    blocks = _drop_repeats(blocks, fields)
    return Extracted("html", blocks, {k: v for k, v in fields.items() if v}, encoding)


def _read_meta_tags(tree, fields: dict[str, str]) -> None:
    title = tree.find(".//title")
    if title is not None and title.text_content().strip():
        fields["page_title"] = squash(title.text_content())
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if name in META_NAMES and content:
            fields.setdefault(META_NAMES[name], squash(content))


def _drop_hidden(tree) -> None:
    hidden = [el for el in tree.iter() if isinstance(el.tag, str) and (
        el.tag in _DROP_TAGS or el.get("hidden") is not None or
        el.get("aria-hidden") == "true" or _HIDDEN_RE.search(el.get("style") or ""))]
    for el in hidden:
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) and el.getparent() is not None:  # comments, PIs
            el.drop_tree()


def _innermost_tables(tree) -> list:
    return [t for t in tree.iter("table") if t.find(".//table") is None]


def _rows(table) -> list:
    return [tr for tr in table.iter("tr") if tr.getparent() is not None]


def _read_gov_table(table, fields: dict[str, str]) -> bool:
    """Fill ``fields`` from a label/value table; True when the table was one."""
    cells = [td for tr in _rows(table) for td in tr if td.tag in ("td", "th")]
    texts = [squash(td.text_content()) for td in cells]
    labels = [i for i, t in enumerate(texts) if _LABEL_STRIP_RE.sub("", t) in GOV_LABELS]
    filled = sum(1 for t in texts if t)
    if not labels or 2 * len(labels) < filled or len(labels) < 3 and filled > 2 * len(labels):
        return False
    for i in labels:
        name = GOV_LABELS[_LABEL_STRIP_RE.sub("", texts[i])]
        value = texts[i + 1] if i + 1 < len(texts) and i + 1 not in labels else ""
        if value:
            fields[name] = value  # the table is the official record: it wins over <meta>
    return True


def _unwrap_layout_tables(tree) -> None:
    """A table whose cells hold blocks (paragraphs, other tables) or that has a single column
    lays out the page; its cells become plain containers."""
    layout = []
    for table in tree.iter("table"):
        rows = _rows(table)
        cells = [td for tr in rows for td in tr if td.tag in ("td", "th")]
        single = all(sum(1 for td in tr if td.tag in ("td", "th")) <= 1 for tr in rows)
        blocky = any(d.tag in _BLOCK_TAGS for td in cells for d in td.iterdescendants())
        if single or blocky or len(rows) < 2:
            layout.append(table)
    for table in layout:
        for el in [table, *table.iterdescendants()]:
            if el.tag in ("table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption") and \
                    (el is table or _owner(el) is table):
                el.tag = "div"


def _owner(el):
    """The nearest table around ``el``."""
    p = el.getparent()
    while p is not None and p.tag != "table":
        p = p.getparent()
    return p


def _expand_spans(tree) -> None:
    """Rewrite each data table as a plain grid: a cell spanning n columns or rows is repeated
    in each, so every row pairs its values with the right headers."""
    from lxml import etree

    for table in tree.iter("table"):
        grid: dict[tuple[int, int], tuple[str, bool]] = {}
        rows = _rows(table)
        for r, tr in enumerate(rows):
            c = 0
            for td in (x for x in tr if x.tag in ("td", "th")):
                while (r, c) in grid:
                    c += 1
                text = squash(td.text_content())
                span_c = _span(td.get("colspan"))
                span_r = _span(td.get("rowspan"))
                for dr in range(span_r):
                    for dc in range(span_c):
                        grid.setdefault((r + dr, c + dc), (text, td.tag == "th"))
                c += span_c
        for child in list(table):
            table.remove(child)
        table.text = None
        width = max((c for _, c in grid), default=-1) + 1
        for r in range(len(rows)):
            tr = etree.SubElement(table, "tr")
            for c in range(width):
                text, head = grid.get((r, c), ("", False))
                cell = etree.SubElement(tr, "th" if head else "td")
                cell.text = text


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 50)
    except ValueError:
        return 1


def _main_content(tree) -> tuple[list[Block], str]:
    """trafilatura's main content as blocks, and the title it found; the whole body when it
    finds nothing (a fragment too small for its heuristics)."""
    import trafilatura
    from lxml import etree

    body = tree.find("body")
    fallback = _all_blocks(body if body is not None else tree)
    xml = trafilatura.extract(
        tree, output_format="xml", include_tables=True, include_comments=False,
        include_images=False, include_links=False, favor_recall=True, with_metadata=True,
        deduplicate=False, fast=False)
    if not xml:
        return fallback, ""
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    blocks = _xml_blocks(main if main is not None else root)
    kept = sum(len(b.text) for b in blocks if isinstance(b, Paragraph))
    whole = sum(len(b.text) for b in fallback if isinstance(b, Paragraph))
    if kept < 0.2 * whole and whole < 3000:  # a fragment: trafilatura threw the body away
        return fallback, root.get("title") or ""
    return blocks, root.get("title") or ""


def _xml_blocks(el) -> list[Block]:
    out: list[Block] = []
    for child in el:
        tag = child.tag
        if tag == "table":
            rows = [[squash("".join(cell.itertext())) for cell in row.iter("cell")]
                    for row in child.iter("row")]
            out.append(TableBlock(rows))
        elif tag == "head":
            level = int((child.get("rend") or "h2")[1:] or 2) - 1 if \
                re.fullmatch(r"h[1-6]", child.get("rend") or "") else 1
            out.append(Heading("".join(child.itertext()), max(level, 1)))
        elif tag in ("p", "item", "quote", "code"):
            if any(isinstance(x.tag, str) and x.tag in ("list", "p", "table") for x in child):
                out += _xml_blocks(child)
            else:
                out += [Paragraph(t) for t in _split_breaks(child)]
        else:
            out += _xml_blocks(child)
    return out


def _split_breaks(el) -> list[str]:
    """A paragraph's text, split at its ``<lb/>`` (pages put ``<br>`` between paragraphs)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("")
        else:
            parts[-1] += "".join(child.itertext())
        parts[-1] += child.tail or ""
    return [p for p in (squash(x) for x in parts) if p]


def _all_blocks(root) -> list[Block]:
    """Every block of text in the page, in order (the fallback when extraction fails)."""
    out: list[Block] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "table":
            rows = [[squash(td.text_content()) for td in tr] for tr in el.iter("tr")]
            out.append(TableBlock(rows))
        elif el.tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "td", "th") and \
                _owner(el) is None and not any(d.tag in _BLOCK_TAGS | {"li"}
                                               for d in el.iterdescendants()):
            pieces = _html_breaks(el)
            if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                out += [Heading(t, max(int(el.tag[1]) - 1, 1)) for t in pieces]
            else:
                out += [Paragraph(t) for t in pieces]
    return out


def _html_breaks(el) -> list[str]:
    parts = [el.text or ""]
    for child in el.iterdescendants():
        if child.tag == "br":
            parts.append(child.tail or "")
        else:
            parts[-1] += (child.text or "") + (child.tail or "") if len(child) == 0 else \
                (child.text or "")
    return [p for p in (squash(x) for x in parts) if p]


_SITE_SUFFIX_RE = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|-(?=[^-]{2,16}$)).*$")


def _strip_site_name(title: str) -> str:
    """``载人航天工程全线备战空间站建造任务_中国载人航天官方网站`` -> the article's title."""
    short = _SITE_SUFFIX_RE.sub("", title)
    return short if len(short) >= 4 else title


def _drop_repeats(blocks: list[Block], fields: dict[str, str]) -> list[Block]:
    """The title and the document number, printed again at the top of the article, are fields
    already: dropped from the first blocks (the title may be split over several lines)."""
    title = re.sub(r"\s+", "", fields.get("title", ""))
    number = re.sub(r"\s+", "", fields.get("doc_number", ""))
    out: list[Block] = []
    acc = ""
    for k, block in enumerate(blocks):
        text = re.sub(r"\s+", "", getattr(block, "text", "")) if not isinstance(
            block, TableBlock) else ""
        if k < 8 and text:
            if title and (acc + text) and title.startswith(acc + text):
                acc += text
                continue
            if text in (title, number) or title and text == fields.get("page_title", ""):
                continue
        out.append(block)
    return out
