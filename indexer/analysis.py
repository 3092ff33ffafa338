"""One analyzer for indexing and querying: fold, then compact, then segment.

``fold`` maps Traditional and Hong Kong/Taiwan variant forms to Simplified, full-width ASCII to
half-width and Latin letters to lower case, one character for one character. Offsets in folded
text are therefore offsets in the text as written, which is what lets highlights land on the
original characters.

``compact`` drops whitespace between two Han characters (hard wraps such as ``房屋單 位``) and
keeps a map back to the uncompacted offsets.

Two token streams come out of a compacted text:

- words: jieba in search mode (HMM off, so cuts are reproducible) plus the project dictionary;
- bigrams: every Han character gives the bigram it starts, or itself when it ends a run, and
  every run of letters/digits gives one token. Any run of two or more Han characters in a text
  is then a contiguous sequence of bigram tokens, which is what guarantees substring recall.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import resources
from operator import itemgetter

from whoosh.analysis import Analyzer, Token

HAN_CHARS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_RE = re.compile(f"[{HAN_CHARS}]")
_HAN_RUN_RE = re.compile(f"[{HAN_CHARS}]+")
# A run of letters/digits that is not Han, with decimal fractions kept whole: 1.35, 20016.76, gdp
_ALNUM = rf"(?:(?![{HAN_CHARS}])[^\W_])+(?:\.[0-9]+)*"
_RUN_RE = re.compile(f"([{HAN_CHARS}]+)|({_ALNUM})")
_GAP_RE = re.compile(f"(?<=[{HAN_CHARS}])\\s+(?=[{HAN_CHARS}])")
_WORDISH_RE = re.compile(r"[^\W_]")

# Variant forms that OpenCC's hk2s keeps although a Simplified reader writes them otherwise.
EXTRA_VARIANTS = {"痺": "痹", "簷": "檐", "鯰": "鲇", "顎": "颚"}


def _width_table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII
    table[0x3000] = " "  # ideographic space
    for cp in range(0xF900, 0xFB00):  # CJK compatibility ideographs: one for one under NFKC
        norm = unicodedata.normalize("NFKC", chr(cp))
        if len(norm) == 1 and norm != chr(cp):
            table[cp] = norm
    for src, dst in EXTRA_VARIANTS.items():
        table[ord(src)] = dst
    return table


_WIDTH = _width_table()
_WIDTH_RE = re.compile("[" + re.escape("".join(map(chr, _WIDTH))) + "]")


@functools.cache
def _converter():
    import opencc

    # hk2s = HK variants -> Traditional -> Simplified; it also folds 衞, 綫, 着/著 readings.
    return opencc.OpenCC("hk2s")


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Fold script, width and case, keeping exactly one output character per input character.

    Cached: cleaning asks for the fold of the same line several times.
    """
    if not text:
        return text
    if _WIDTH_RE.search(text):
        text = text.translate(_WIDTH)
    text = _lower(text)
    conv = _converter()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # A phrase rule changed the length: convert character by character instead.
    chars = []
    for ch in text:
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


@dataclass(frozen=True)
class Compact:
    """Folded text without whitespace between Han characters, and where each char came from."""

    text: str
    offsets: tuple[int, ...] | None  # None when nothing was removed

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the compact text back to the folded/original text."""
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1


def compact(folded: str) -> Compact:
    """Remove whitespace that sits between two Han characters (hard wraps, spaced names)."""
    if not _GAP_RE.search(folded):
        return Compact(folded, None)
    keep = [True] * len(folded)
    for m in _GAP_RE.finditer(folded):
        for i in range(m.start(), m.end()):
            keep[i] = False
    offsets = tuple(i for i, k in enumerate(keep) if k)
    return Compact("".join(folded[i] for i in offsets), offsets)


def prepare(text: str) -> str:
    """The text every tokenizer sees: folded, then compacted (``compact(fold(text)).text``,
    without the offsets)."""
    return _GAP_RE.sub("", fold(text))


def is_han(ch: str) -> bool:
    return bool(HAN_RE.match(ch))


# ---- segmentation -------------------------------------------------------------------------


def project_dictionary_lines() -> list[str]:
    """The project dictionary: policy terms and place names, ``word freq [tag]`` per line."""
    text = resources.files("indexer").joinpath("data/userdict.txt").read_text("utf-8")
    lines = [ln.strip() for ln in text.splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")]


PLACE_FREQ = 20000  # jieba frequency of place names: they outweigh any split of themselves


@functools.cache
def base_tokenizer():
    """jieba's tokenizer with the project dictionary but not yet the place names (the
    gazetteer asks it which short forms are everyday words)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for line in project_dictionary_lines():
        parts = line.split()
        word = fold(parts[0])
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tk.add_word(word, freq if freq is not None else 20000)
    return tk


@functools.cache
def tokenizer():
    """jieba's tokenizer with the project dictionary and the gazetteer's place names, loaded
    once per process."""
    from indexer.places import gazetteer

    tk = base_tokenizer()
    places = gazetteer()
    for word in places.dictionary_words():
        if tk.FREQ.get(word, 0) < PLACE_FREQ:
            tk.add_word(word, PLACE_FREQ)
    return tk


def _wordish(tokens: Iterable[str]) -> list[str]:
    """Drop punctuation and spaces; rejoin decimals jieba splits (``20016 . 76``)."""
    tokens = list(tokens)
    if "." not in tokens:  # nothing to rejoin: the filter alone, in C
        return list(filter(_WORDISH_RE.search, tokens))
    out: list[str] = []
    dot = False
    for t in tokens:
        if t == "." and out and out[-1][-1:].isdigit():
            dot = True
            continue
        if dot and t.isdigit() and t.isascii():
            out[-1] += "." + t
        elif _WORDISH_RE.search(t):  # a word character: so not all space
            out.append(t)
        dot = False
    return out


def word_tokens(prepared: str) -> list[str]:
    """Index-time words of a prepared text (jieba search mode)."""
    return _wordish(tokenizer().cut_for_search(prepared, HMM=False))


# A cut function that segments with the dictionary stored in the generation being searched
# (``word_dictionary.GenerationWords.cut``), set for the duration of one search by
# ``query_dictionary``; without one, the process's own tokenizer is loaded and used.
_QUERY_CUT: ContextVar[Callable[[str], list[str]] | None] = ContextVar("query_cut", default=None)


@contextmanager
def query_dictionary(cut: Callable[[str], list[str]] | None) -> Iterator[None]:
    """Segment queries with ``cut`` (the searched generation's dictionary) in this block."""
    token = _QUERY_CUT.set(cut)
    try:
        yield
    finally:
        _QUERY_CUT.reset(token)


def query_words(prepared: str) -> list[str]:
    """Query-time words of a prepared text (jieba precise mode, same dictionary)."""
    cut = _QUERY_CUT.get()
    return _wordish(cut(prepared) if cut else tokenizer().cut(prepared, HMM=False))


def bigram_tokens(prepared: str) -> list[str]:
    """Overlapping Han bigrams (the run's last char alone) and whole letter/digit runs."""
    out: list[str] = []
    for m in _RUN_RE.finditer(prepared):
        han = m.group(1)
        if han:
            n = len(han)
            if n > 1:
                out.extend([han[i : i + 2] for i in range(n - 1)])
            out.append(han[-1])
        else:
            out.append(m.group(2))
    return out


def han_chars(bigrams: list[str]) -> list[str]:
    """The distinct Han characters of a text, from its bigram tokens (each Han character
    starts a bigram or ends a run): what a one-character query looks up."""
    return HAN_RE.findall("".join(dict.fromkeys(map(itemgetter(0), bigrams))))


@dataclass(frozen=True)
class TextTokens:
    words: list[str]
    bigrams: list[str]


def analyze(text: str) -> TextTokens:
    """Both token streams of a stored text, as the index wants them."""
    prepared = prepare(text)
    return TextTokens(word_tokens(prepared), bigram_tokens(prepared))


@dataclass(frozen=True)
class TermParts:
    """What one query term (or quoted phrase) turns into."""

    text: str  # folded, compacted
    words: tuple[str, ...]
    han_runs: tuple[str, ...]  # each is matched as a phrase of its bigrams (or one char)
    alnums: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.words or self.han_runs or self.alnums)


def analyze_term(raw: str) -> TermParts:
    prepared = prepare(raw)
    han, alnum = [], []
    for m in _RUN_RE.finditer(prepared):
        (han if m.group(1) else alnum).append(m.group())
    return TermParts(prepared, tuple(query_words(prepared)), tuple(han), tuple(alnum))


def run_bigrams(run: str) -> list[str]:
    """The bigram-field phrase for a Han run of two or more characters."""
    return [run[i : i + 2] for i in range(len(run) - 1)]


# ---- Whoosh analyzers (picklable: plain classes, converters built lazily) -------------------


class _ListAnalyzer(Analyzer):
    """Yields a token per string from ``self.tokens(prepared text)``."""

    def tokens(self, prepared: str) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        words = value if isinstance(value, list) else self.tokens(prepare(value))
        for i, w in enumerate(words):
            t.text = w
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + i
            yield t


class WordAnalyzer(_ListAnalyzer):
    def tokens(self, prepared: str) -> list[str]:
        return word_tokens(prepared)


class BigramAnalyzer(_ListAnalyzer):
    def tokens(self, prepared: str) -> list[str]:
        return bigram_tokens(prepared)


class CharAnalyzer(_ListAnalyzer):
    def tokens(self, prepared: str) -> list[str]:
        return han_chars(bigram_tokens(prepared))
