"""What a query term may match beyond the unit's own text: its document's context (the
places it is about, its year, its title) and the standard expansion of a policy
abbreviation. Each widening is scored below a match in the text, so a unit that says the
words itself ranks first, and is reported in the result's notes.

People leave part of the meaning to the document: ``2019 减税降费`` means the 2019 report's
paragraphs on 减税降费, which do not write "2019"; ``湖北 长江大保护`` means Hubei's report,
whose paragraphs do not say 湖北.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

from whoosh import query as wq

from indexer.analysis import fold

CONTEXT_SCORE = 1.0  # a term matched by the document's region, year or title
ABBREVIATION_BOOST = 0.6  # the expansion of an abbreviation, against the abbreviation itself
YEAR_RE = re.compile(r"^((?:19|20)\d\d)年?$")


class Lexicon(Protocol):
    """What widening needs from the generation being searched (word_dictionary.py)."""

    def places(self, name: str) -> list[str]: ...

    def cut_for_search(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class Widening:
    """One way a clause was widened: for the notes, with the clause's own-text query, so the
    search can count the results that matched only this way."""

    clause: str
    kind: str  # region, year, title, abbreviation
    label: str
    own: wq.Query
    group: int = 0  # which required group of the query it belongs to


@functools.cache
def abbreviations() -> dict[str, tuple[str, ...]]:
    """abbreviation (folded) -> the terms it stands for (``data/abbreviations.tsv``)."""
    text = resources.files("search_app").joinpath("data/abbreviations.tsv").read_text("utf-8")
    out = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        abbr, expansion, _source = line.split("\t")
        out[fold(abbr.strip())] = tuple(expansion.split())
    return out


def region_query(paths: list[str]) -> wq.Query:
    """Units whose regions (own or inherited) are one of these places or below it."""
    subs: list[wq.Query] = []
    for p in paths:
        subs += [wq.Term("region", p), wq.Prefix("region", p + "/")]
    return wq.Or(subs)


def context_alternatives(text: str, words: tuple[str, ...], own: wq.Query,
                         lexicon: Lexicon) -> tuple[list[wq.Query], list[Widening]]:
    """The document-context matches of a clause (folded text ``text``): as a place among the
    unit's regions, as its document's year, in its document's title."""
    alts: list[wq.Query] = []
    used: list[Widening] = []
    paths = lexicon.places(text)
    if paths:
        alts.append(wq.ConstantScoreQuery(region_query(paths), score=CONTEXT_SCORE))
        used.append(Widening(text, "region", "、".join(p.rsplit("/", 1)[-1] for p in paths),
                             own))
    m = YEAR_RE.match(text)
    if m:
        alts.append(wq.ConstantScoreQuery(wq.Term("year", int(m.group(1))),
                                          score=CONTEXT_SCORE))
        used.append(Widening(text, "year", m.group(1), own))
    if words and not m:
        title = [wq.Term("title", w) for w in dict.fromkeys(words)]
        alts.append(wq.ConstantScoreQuery(title[0] if len(title) == 1 else wq.And(title),
                                          score=CONTEXT_SCORE))
        used.append(Widening(text, "title", text, own))
    return alts, used


def finer_words(word: str, lexicon: Lexicon) -> list[str]:
    """The words inside a long word (jieba's search-mode pieces) when together they cover
    it: ``帮扶资金`` -> 帮扶, 资金. A query typed without spaces is cut into the longest
    words, which a unit that writes the pieces apart does not hold."""
    if len(word) < 3:
        return []
    pieces = [w for w in dict.fromkeys(lexicon.cut_for_search(word)) if w != word and len(w) >= 2]
    covered = set()
    for p in pieces:
        start = word.find(p)
        covered.update(range(start, start + len(p)))
    return pieces if len(covered) == len(word) else []


# one template per kind (translated by search_app/i18n.py: keep them in its list)
NOTES = {
    "region": "%(clause)s: %(count)s results match it as the place the paragraph or its "
              "document is about (%(label)s), not in their own text",
    "year": "%(clause)s: %(count)s results match it as the year of their document "
            "(%(label)s), not in their own text",
    "title": "%(clause)s: %(count)s results match it in the title of their document, not "
             "in their own text",
    "abbreviation": "%(clause)s: %(count)s results match it through its expansion "
                    "(%(label)s), not in their own text",
}


def describe_all(used: list[Widening], count: int) -> str:
    """The note for a clause whose widenings found ``count`` results its text did not: named
    by its first widening (a place before a year before a title)."""
    w = used[0]
    return NOTES[w.kind] % {"clause": w.clause, "count": f"{count:,}", "label": w.label}


__all__ = ["Widening", "Lexicon", "abbreviations", "context_alternatives", "finer_words",
           "describe_all", "region_query", "CONTEXT_SCORE", "ABBREVIATION_BOOST"]
