"""Line-level cleaning: pure functions, str in and str (or a small value) out.

Rules work on the folded form of a line (see ``analysis.fold``) so that one vocabulary of
Simplified words recognises noise in either script, and they return the line as written.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

from indexer.analysis import HAN_CHARS, fold

DAMAGE = "\ufffd"  # what a damaged run becomes in stored text (shown as a grey ellipsis)

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2009\u202f\u3000\t"), " ")
_ODD_SPACE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0\u2002\u2003\u2009\u202f\u3000\t]")
_SPACE_RUN_RE = re.compile(r" {2,}")


def normalize_line(line: str) -> str:
    """Drop zero-width characters, unify spaces, trim the ends.

    >>> normalize_line("\\u200b  各位代表：\\u00a0 ")
    '各位代表：'
    """
    if _ODD_SPACE_RE.search(line):
        line = line.translate(_ZERO_WIDTH).translate(_SPACES)
    return _SPACE_RUN_RE.sub("  ", line).strip()


# ---- table-cell pipes ---------------------------------------------------------------------

_CELL_RE = re.compile(r"\s*\|+\s*$")


def split_cell_pipe(line: str) -> tuple[str, bool]:
    """``'2016 |'`` -> ``('2016', True)``: flattened table cells end in ``|``."""
    m = _CELL_RE.search(line)
    if not m:
        return line, False
    return line[: m.start()].rstrip(), True


# ---- pinyin annotations -------------------------------------------------------------------

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PLAIN = "aaaaeeeeiiiioooouuuuüüüü"
_DETONE = str.maketrans(_TONED, _PLAIN)
_SYLLABLE_RE = re.compile(r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouüv]{1,3}(?:ng|n|r)?")
_PINYIN_RE = re.compile(
    rf"(?<=[{HAN_CHARS}])[(（]([a-z{_TONED}ü]{{1,7}})[)）]"
)


def _is_syllable(s: str) -> bool:
    return any(c in _TONED for c in s) and bool(_SYLLABLE_RE.fullmatch(s.translate(_DETONE)))


def strip_pinyin(line: str) -> str:
    """Remove a toned pinyin syllable in brackets right after a Han character.

    >>> strip_pinyin("東西部扶貧協(xié)作")
    '東西部扶貧協作'
    >>> strip_pinyin("(詳見表1)")
    '(詳見表1)'
    """
    return _PINYIN_RE.sub(lambda m: "" if _is_syllable(m.group(1)) else m.group(0), line)


# ---- HTML leftovers, footnote markers, spaced digits ---------------------------------------

_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}
_ENTITY_RE = re.compile("|".join(map(re.escape, _ENTITIES)))
_FOOTNOTE_RE = re.compile(r"\[\s*(?:\d{1,3}|注\s*\d{1,3})\s*\]")
_SPACED_DIGITS_RE = re.compile(r"(?<![\d.])\d(?: \d){2,}(?![\d.])")


def strip_html(line: str) -> str:
    """``</p>`` and ``&nbsp;`` left by a scraper are not text."""
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group()], _TAG_RE.sub("", line))


def strip_footnote_markers(line: str) -> str:
    """Wikisource footnote references ``[1]`` break words; drop them."""
    return _FOOTNOTE_RE.sub("", line)


def join_spaced_digits(line: str) -> str:
    """``7 4 7 7 2亿元`` -> ``74772亿元``: single digits spaced out by a bad extraction."""
    return _SPACED_DIGITS_RE.sub(lambda m: m.group().replace(" ", ""), line)


# ---- mojibake -----------------------------------------------------------------------------


@functools.cache
def char_logp() -> dict[str, float]:
    """log10 relative frequency of each Simplified character, from jieba's dictionary."""
    import jieba

    counts: dict[str, int] = {}
    with jieba.get_dict_file() as f:
        for raw in f:
            word, freq = raw.decode("utf-8").split(" ", 2)[:2]
            n = int(freq)
            for ch in word:
                counts[ch] = counts.get(ch, 0) + n
    total = sum(counts.values())
    return {ch: math.log10(n / total) for ch, n in counts.items()}


RARE = -4.3  # rarer than about one in 20,000 characters
VERY_RARE = -6.5
_UNSEEN = -8.0
_HAN_RE = re.compile(f"[{HAN_CHARS}]")
_STOP = set("，。、；：！？“”‘’（）《》〈〉【】「」『』…—·,;: \t")
_BROKEN_PINYIN_RE = re.compile(rf"(?<![(（a-z{_TONED}])[a-z{_TONED}ü]{{2,7}}\)")


def _char_class(ch: str, logp: dict[str, float]) -> str:
    """'rare', 'common' (Han), 'junk' (garbage-looking non-Han) or 'stop'."""
    if ch in _STOP:
        return "stop"
    if _HAN_RE.match(ch):
        return "rare" if logp.get(ch, _UNSEEN) <= RARE else "common"
    if ch.isdigit():
        return "stop"
    if ch.isascii() or ch in _TONED or ch == DAMAGE:
        return "junk"
    cat = unicodedata.category(ch)
    if cat[0] in "SC" or "\u3100" <= ch <= "\u312f" or cat == "Lo" or cat == "Po":
        return "junk"
    return "stop"


def mojibake_spans(line: str) -> list[tuple[int, int]]:
    """Spans of GBK-shifted garbage such as ``?!痹谙愎酱笈锢?`` (see tests for real lines).

    A suspect run is a stretch of rare Han characters and junk symbols (one common Han
    character may sit inside it). It is garbage when it carries a ``?``/U+FFFD and two rare
    characters or a broken pinyin note, or when it holds three rare characters of which two
    hardly ever occur in Chinese text.
    """
    folded = fold(line)
    logp = char_logp()
    classes = [_char_class(ch, logp) for ch in folded]
    spans = []
    i, n = 0, len(folded)
    while i < n:
        if classes[i] not in ("rare", "junk"):
            i += 1
            continue
        j = i
        while j < n:
            c = classes[j]
            if c in ("rare", "junk"):
                j += 1
            elif c == "common" and j + 1 < n and classes[j + 1] in ("rare", "junk") and j > i:
                j += 1
            else:
                break
        run = folded[i:j]
        rare = [logp.get(ch, _UNSEEN) for ch, c in zip(run, classes[i:j], strict=True) if c == "rare"]
        very_rare = sum(1 for p in rare if p <= VERY_RARE)
        marked = "?" in run or DAMAGE in run
        odd = bool(_BROKEN_PINYIN_RE.search(run)) or any("\u3100" <= ch <= "\u312f" for ch in run)
        if (marked and (len(rare) >= 2 or odd)) or (len(rare) >= 3 and very_rare >= 2):
            spans.append((i, j))
        i = j
    return spans


def mark_damage(line: str) -> str:
    """Replace mojibake runs with one U+FFFD each and collapse runs of U+FFFD."""
    spans = mojibake_spans(line) if ("?" in line or DAMAGE in line or _maybe_rare(line)) else []
    for start, end in reversed(spans):
        line = line[:start] + DAMAGE + line[end:]
    return re.sub(f"{DAMAGE}+", DAMAGE, line)


@functools.cache
def very_rare_re() -> re.Pattern:
    """A Han character that is not in the (large) set of characters seen more often."""
    seen = "".join(sorted(ch for ch, p in char_logp().items() if p > VERY_RARE and _HAN_RE.match(ch)))
    return re.compile(f"(?![{re.escape(seen)}])[{HAN_CHARS}]")


def _maybe_rare(line: str) -> bool:
    """Two or more characters that hardly ever occur in Chinese text (a cheap pre-check)."""
    finder = very_rare_re().finditer(fold(line))
    return next(finder, None) is not None and next(finder, None) is not None


def clean_line(line: str) -> str:
    """Everything that turns a raw line into stored text (no noise decisions here)."""
    line = normalize_line(strip_html(line))
    line = strip_footnote_markers(strip_pinyin(line))
    line = join_spaced_digits(mark_damage(line))
    return normalize_line(line)


def has_text(line: str) -> bool:
    """Whether anything searchable is left: a Han character, a letter or a digit."""
    return any(ch.isalnum() for ch in line if ch != DAMAGE)
