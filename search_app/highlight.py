"""Mark query matches in stored text and cut the best fragment of a long paragraph.

Matching runs on the folded, compacted text; folding keeps one character per character, so
the spans land on the characters as written (Traditional stays Traditional).
"""

from __future__ import annotations

import re
from html import escape

from indexer.analysis import compact, fold
from indexer.clean import DAMAGE, has_text

SNIPPET_CHARS = 150
CONTEXT_BEFORE = 24
DAMAGE_SHOWN = "⋯"
_SENTENCE_END = "。！？；!?;"


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """[start, end) spans of ``terms`` (folded strings, longest first) in ``text``."""
    if not text or not terms:
        return []
    c = compact(fold(text))
    hay = c.text
    taken: list[tuple[int, int]] = []
    for term in terms:
        # a number or Latin word matches whole (14 is not marked inside 140 or 2014)
        edges = (term[0].isascii() and term[0].isalnum(), term[-1].isascii() and term[-1].isalnum())
        start = 0
        while True:
            i = hay.find(term, start)
            if i == -1:
                break
            j = i + len(term)
            start = j if j > i else i + 1
            if (edges[0] and i > 0 and _wordchar(hay[i - 1])) or \
                    (edges[1] and j < len(hay) and _wordchar(hay[j])):
                start = i + 1
                continue
            if not any(a < j and i < b for a, b in taken):
                taken.append((i, j))
    return _merge([c.source_span(a, b) for a, b in taken])


def _wordchar(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == ".")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def render(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """HTML-escaped ``text[start:end]`` with spans wrapped in <mark>; damage shown as ⋯."""
    end = len(text) if end is None else end
    out, pos = [], start
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if a >= b:
            continue
        out.append(_esc(text[pos:a]))
        out.append("<mark>" + _esc(text[a:b]) + "</mark>")
        pos = b
    out.append(_esc(text[pos:end]))
    return "".join(out)


def _esc(s: str) -> str:
    return escape(s.replace(DAMAGE, DAMAGE_SHOWN), quote=False)


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    n = len(text)
    if n <= width + width // 5:
        return 0, n
    if not spans:
        return 0, width
    fold_text = fold(text)
    best, best_score = spans[0][0], -1.0
    for a, _ in spans:
        lo = max(0, a - CONTEXT_BEFORE)
        hi = lo + width
        inside = [s for s in spans if s[0] >= lo and s[1] <= hi]
        distinct = {fold_text[x:y] for x, y in inside}
        # the longest matches (whole clauses) matter most, then variety, then count
        score = sum(len(t) ** 2 for t in distinct) * 10 + len(inside) - (lo / n)
        if score > best_score:
            best, best_score = lo, score
    lo = best
    # start after a sentence end close before the window, if there is one
    cut = max((text.rfind(p, max(0, lo - 12), lo + CONTEXT_BEFORE // 2) for p in _SENTENCE_END),
              default=-1)
    first_mark = min((a for a, _ in spans if a >= lo), default=lo)
    if cut != -1 and cut + 1 <= first_mark:
        lo = cut + 1
    hi = min(n, lo + width)
    if n - hi < width // 6:
        hi = n
    return lo, hi


def snippet(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> str:
    """The best fragment of ``text`` (HTML, matches marked, … where it was cut)."""
    lo, hi = _window(text, spans, width)
    body = render(text, spans, lo, hi).strip()
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


def plain(html: str) -> str:
    """Tags dropped and entities decoded: for terminals and tests."""
    from html import unescape

    return unescape(re.sub(r"</?mark>", "", html))


def row_snippet(cells: list[dict], terms: list[str], width: int = SNIPPET_CHARS,
                value_width: int = 60) -> str:
    """A table row as ``header: value · …`` (HTML, matches marked): the first pair (the row's
    label), every pair with a match, then the others in order while they fit in ``width``;
    a long value is cut to its best fragment; ``…`` stands for pairs left out."""
    items = []
    for k, cell in enumerate(cells):
        header, value = cell.get("header", ""), cell.get("value", "")
        if has_text(value):
            items.append((k, header, value, match_spans(header, terms), match_spans(value, terms)))
    if not items:
        return ""

    def size(item) -> int:
        return len(item[1]) + 2 + min(len(item[2]), value_width)

    keep = {items[0][0]} | {it[0] for it in items if it[3] or it[4]}
    used = sum(size(it) for it in items if it[0] in keep)
    for it in items:
        if it[0] not in keep and used + size(it) <= width:
            keep.add(it[0])
            used += size(it)
    parts: list[str] = []
    for it in items:
        if it[0] not in keep:
            if parts and parts[-1] != "…":
                parts.append("…")
            continue
        _, header, value, hspans, vspans = it
        shown = snippet(value, vspans, width=value_width)
        parts.append(f"{render(header, hspans)}: {shown}" if header else shown)
    return " · ".join(parts)
