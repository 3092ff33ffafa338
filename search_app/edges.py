"""The search page's answers to awkward requests, instead of an error page or silence.

- A region the search cannot resolve (``region=火星``, an ambiguous ``鼓楼区``): the page shows
  the results without that filter, says why, and offers the places it may have meant as links
  (the API keeps its 400: a program should not get other results than it asked for).
- A query made only of very common characters (``的``): every unit matches and the ranking
  cannot tell them apart; the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from indexer.analysis import fold
from search_app import facets
from search_app.params import SearchArgs

LONGEST_REGION = 100  # as facets.parse_filters refuses it
TOO_LONG = "region is too long (at most 100 characters)"
COMMON_SHARE = 0.3  # a character in at least this share of the units "says nothing"


@dataclass(frozen=True)
class DroppedRegion:
    value: str
    message: str  # the search's own (English) message; translated by the template
    choices: list[str]  # region paths it may have meant


def split_regions(args: SearchArgs) -> tuple[SearchArgs, list[DroppedRegion]]:
    """The arguments without the region values the gazetteer cannot resolve, and those."""
    kept, dropped = [], []
    for value in args.region:
        if len(value) > LONGEST_REGION:
            dropped.append(DroppedRegion(value[:20] + "…", TOO_LONG, []))
            continue
        try:
            facets.resolve_region(value)
        except ValueError as err:
            dropped.append(DroppedRegion(value, str(err), facets.region_choices(value)))
        else:
            kept.append(value)
    return replace(args, region=kept), dropped


def common_characters(snap, terms: list[str]) -> list[str]:
    """The query's terms when every one is a single character found in at least
    COMMON_SHARE of the units (empty otherwise)."""
    if not terms or any(len(t) != 1 for t in terms) or not snap.unit_count:
        return []
    searcher = snap.searcher()
    for t in terms:
        if searcher.doc_frequency("chars", fold(t)) < COMMON_SHARE * snap.unit_count:
            return []
    return list(dict.fromkeys(terms))
