"""Region and year filters and facet counts, computed with array operations from the unit
arrays written at build time (no highlighting, no stored-field reads, no Python per unit).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np

from indexer.analysis import fold, query_words
from indexer.places import PROVINCE_ABBREVIATIONS, Gazetteer, Recognizer, gazetteer

YEAR_RE = re.compile(r"^\s*(\d{4})\s*(?:[-–~至到]\s*(\d{4})\s*)?$")
MIN_YEAR, MAX_YEAR = 1900, 2100
PLACE_CACHE_FILTERS = 64  # region filters whose per-group answers are kept


@dataclass
class Filters:
    regions: list[str] = field(default_factory=list)  # region paths; a unit matches below them
    region_labels: list[str] = field(default_factory=list)
    years: list[tuple[int, int]] = field(default_factory=list)

    def describe(self) -> dict:
        return {
            "region": self.regions,
            "year": [f"{a}" if a == b else f"{a}-{b}" for a, b in self.years],
        }


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if str(value).strip() else []


def parse_years(values) -> list[tuple[int, int]]:
    """``2020`` or ``2016-2018`` -> ranges; ValueError with a message for anything else."""
    out = []
    for raw in _as_list(values):
        m = YEAR_RE.match(raw)
        if not m:
            raise ValueError(f"year must look like 2020 or 2016-2018, not {raw[:40]!r}")
        a = int(m.group(1))
        b = int(m.group(2) or a)
        if a > b:
            a, b = b, a
        if a < MIN_YEAR or b > MAX_YEAR:
            raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}, not {raw[:40]!r}")
        out.append((a, b))
    return out


def _region_text(raw: str) -> str:
    """A region value as names are looked up: no spaces, no outer slashes, folded."""
    return fold(re.sub(r"\s+", "", raw).strip("/"))


def resolve_region(raw: str) -> str:
    """A region filter value in any common form (``贵州``, ``贵州省``, ``黔南州``, ``獨山縣``,
    a path ``贵州省/黔南布依族苗族自治州``, or a qualified name ``福州市鼓楼区``) -> its path.

    ValueError, with the choices, for a name several places share; with close matches for an
    unknown one."""
    folded = _region_text(raw)
    if not folded:
        raise ValueError("region is empty")
    gaz = gazetteer()
    if gaz.place(folded):
        return folded
    if folded in PROVINCE_ABBREVIATIONS:  # 粤, 黔, 冀
        return PROVINCE_ABBREVIATIONS[folded]
    cands = gaz.candidates(folded)
    if len(cands) == 1:
        return cands[0].place.path
    recognizer = Recognizer(gaz)
    words = query_words(folded)
    rest = folded
    for name in sorted(recognizer.names(words), key=len, reverse=True):
        rest = rest.replace(name, "")
    named = recognizer.document([words], [folded])[0][0]
    if not rest.strip("的·、,，") and len(named) == 1 and \
            (not cands or named[0] in {c.place.path for c in cands}):
        return named[0]  # every character is part of the names: 福州市鼓楼区, 南京的鼓楼区
    if cands:
        choices = "; ".join(c.place.path for c in cands)
        raise ValueError(f"region {raw.strip()[:40]!r} names several places: {choices} "
                         "(give the path, or the city with it, as in 福州市鼓楼区)")
    raise ValueError(f"region {raw.strip()[:40]!r} is not a known place" + _close_matches(gaz, folded))


def region_choices(raw: str) -> list[str]:
    """The places a region value the search refused may have meant: the places an ambiguous
    name names, else the closest known names (for the page's "did you mean" links)."""
    folded = _region_text(raw)
    if not folded:
        return []
    gaz = gazetteer()
    cands = gaz.candidates(folded)
    return [c.place.path for c in cands] if cands else close_places(gaz, folded)[:5]


def close_places(gaz: Gazetteer, folded: str) -> list[str]:
    """Paths of the known places whose names are closest to ``folded``, closest first."""
    scored = []
    for name in difflib.get_close_matches(folded, list(gaz.aliases), n=40, cutoff=0.4):
        ratio = difflib.SequenceMatcher(None, folded, name).ratio()
        for c in gaz.candidates(name):  # equally close: the larger place first (贵州 > 贵溪市)
            scored.append((-ratio, c.place.level, len(name), c.place.path))
    paths: list[str] = []
    for *_, path in sorted(scored):
        if path not in paths:
            paths.append(path)
    return paths


def _close_matches(gaz: Gazetteer, folded: str) -> str:
    paths = close_places(gaz, folded)
    if not paths:
        return "; no place of that name is known (use a province, city or county name)"
    return "; did you mean: " + ", ".join(p.rsplit("/", 1)[-1] + (f" ({p})" if "/" in p else "")
                                          for p in paths[:5])


def parse_filters(snap, region, year) -> Filters:
    f = Filters(years=parse_years(year))
    for raw in _as_list(region):
        if len(raw) > 100:
            raise ValueError("region is too long (at most 100 characters)")
        path = resolve_region(raw)
        if path not in f.regions:
            f.regions.append(path)
    return f


def _region_match(paths, wanted: list[str]) -> bool:
    for p in paths:
        for w in wanted:
            if p == w or p.startswith(w + "/"):
                return True
    return False


def _facet_level(filters: Filters) -> int:
    """Depth of the region values to count: provinces, or the children of the selection."""
    if len(filters.regions) == 1:
        return filters.regions[0].count("/") + 2
    return 1


@dataclass(frozen=True)
class _Places:
    """For one region filter and facet level, what every facet group counts as: whether its
    places pass the filter, and its (group, facet value) pairs."""

    passes: np.ndarray  # bool per group
    pair_group: np.ndarray  # int64
    pair_value: np.ndarray  # int64 index into values
    values: list[str]


def _places(arrays, wanted: list[str], level: int) -> _Places:
    """Worked out once per place path (a few thousand), then spread to the groups through
    their place lists: no Python per group or unit."""
    paths = arrays.region_paths
    values: dict[str, int] = {}
    path_value = np.full(len(paths) + 1, -1, np.int64)
    path_pass = np.zeros(len(paths) + 1, bool)
    for i, p in enumerate(paths):
        path_pass[i] = _region_match((p,), wanted) if wanted else True
        parts = p.split("/")
        if len(parts) >= level:
            v = "/".join(parts[:level])
            if not wanted or _region_match((v,), wanted):
                path_value[i] = values.setdefault(v, len(values))
    ngroups = len(arrays.group_year)
    rptr = np.asarray(arrays.group_rptr, np.int64)
    ridx = np.asarray(arrays.group_ridx, np.int64)
    pair_group = np.repeat(np.arange(ngroups), np.diff(rptr))
    if wanted:
        passes = np.bincount(pair_group, weights=path_pass[ridx], minlength=ngroups) > 0
    else:
        passes = np.ones(ngroups, bool)
    pv = path_value[ridx]
    keep = pv >= 0
    # a group with two places under one facet value counts once for it
    key = np.unique(pair_group[keep] * (len(values) + 1) + pv[keep])
    return _Places(passes, key // (len(values) + 1), key % (len(values) + 1), list(values))


def count(snap, ids: np.ndarray, filters: Filters) -> tuple[np.ndarray, dict]:
    """Which of the matching units pass all filters (a mask over ``ids``), and facet counts
    (each facet ignores its own filter).

    Units are counted by facet group (``bincount``); the filters and facet values are then
    worked out per group with array operations."""
    arrays = snap.arrays
    ngroups = len(arrays.group_year)
    groups = arrays.group[ids]
    per_group = np.bincount(groups, minlength=ngroups)
    year = np.asarray(arrays.group_year, np.int64)
    if filters.years:
        y_ok = np.zeros(ngroups, bool)
        for a, b in filters.years:
            y_ok |= (year >= a) & (year <= b)
    else:
        y_ok = np.ones(ngroups, bool)
    level = _facet_level(filters)
    cache = snap.place_cache
    key = (level, tuple(filters.regions))
    places = cache.get(key)
    if places is None:
        if len(cache) > PLACE_CACHE_FILTERS:
            cache.clear()  # many different region filters: start again
        places = cache[key] = _places(arrays, filters.regions, level)
    r_ok = places.passes
    has_year = year > 0
    counted = per_group * (r_ok & has_year)
    year_counts = _nonzero(np.bincount(year, weights=counted))
    inferred = counted * (np.asarray(arrays.group_inferred) > 0)
    inferred_counts = _nonzero(np.bincount(year, weights=inferred))
    pair_n = per_group[places.pair_group] * y_ok[places.pair_group]
    by_value = np.bincount(places.pair_value, weights=pair_n, minlength=len(places.values))
    region_counts = {places.values[i]: int(by_value[i]) for i in np.flatnonzero(by_value)}
    ok = (y_ok & r_ok)[groups]
    return ok, {"year": year_counts, "region": region_counts, "inferred": inferred_counts}


def _nonzero(counts: np.ndarray) -> dict[int, int]:
    return {int(i): int(counts[i]) for i in np.flatnonzero(counts)}


def present(snap, counts: dict, filters: Filters) -> dict:
    """Facet lists for the API: regions by count, years newest first."""
    region = [
        {"value": v, "label": v.rsplit("/", 1)[-1], "count": n}
        for v, n in sorted(counts["region"].items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    year = []
    for y, n in sorted(counts["year"].items(), reverse=True):
        entry = {"value": y, "count": n}
        inferred = counts.get("inferred", {}).get(y, 0)
        if inferred:  # how many of them have a year inferred from the text, not stated
            entry["inferred"] = inferred
            if inferred == n:
                entry["label"] = f"{y} (inferred)"
        year.append(entry)
    return {"region": region, "year": year}
