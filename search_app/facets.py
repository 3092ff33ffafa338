"""Region and year filters and facet counts, computed from per-unit data in one pass over
the matching units (no highlighting, no stored-field reads).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

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


def resolve_region(raw: str) -> str:
    """A region filter value in any common form (``贵州``, ``贵州省``, ``黔南州``, ``獨山縣``,
    a path ``贵州省/黔南布依族苗族自治州``, or a qualified name ``福州市鼓楼区``) -> its path.

    ValueError, with the choices, for a name several places share; with close matches for an
    unknown one."""
    value = re.sub(r"\s+", "", raw).strip("/")
    if not value:
        raise ValueError("region is empty")
    gaz = gazetteer()
    folded = fold(value)
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


def _close_matches(gaz: Gazetteer, folded: str) -> str:
    scored = []
    for name in difflib.get_close_matches(folded, list(gaz.aliases), n=40, cutoff=0.4):
        ratio = difflib.SequenceMatcher(None, folded, name).ratio()
        for c in gaz.candidates(name):  # equally close: the larger place first (贵州 > 贵溪市)
            scored.append((-ratio, c.place.level, len(name), c.place.path))
    paths: list[str] = []
    for *_, path in sorted(scored):
        if path not in paths:
            paths.append(path)
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


def _region_match(paths: tuple[str, ...], wanted: list[str]) -> bool:
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


def _places(paths: tuple[str, ...], wanted: list[str], level: int) -> tuple[bool, tuple]:
    """Whether a group's places pass the region filter, and the facet values they count for."""
    values = {"/".join(p.split("/")[:level]) for p in paths if p.count("/") + 1 >= level}
    if wanted:
        values = {v for v in values if _region_match((v,), wanted)}
    return (not wanted or _region_match(paths, wanted)), tuple(values)


def count(data, docnums: Collection[int], filters: Filters) -> tuple[set[int], dict]:
    """Matching units under all filters, and facet counts (each facet ignores its own filter).

    Units are counted by facet group (year, places, inferred): one pass in C over the units,
    then the filters and facet values are worked out once per group."""
    ranges = filters.years
    wanted = filters.regions
    level = _facet_level(filters)
    keys = data.keys
    per_group = Counter(map(keys.__getitem__, docnums))
    ok: set[int] = set()
    year_counts: Counter = Counter()
    inferred_counts: Counter = Counter()
    region_counts: Counter = Counter()
    if len(data.place_cache) > PLACE_CACHE_FILTERS:
        data.place_cache.clear()  # many different region filters: start again
    places = data.place_cache.setdefault((level, tuple(wanted)), {})
    for k, n in per_group.items():
        group = data.groups[k]
        y = group.year
        y_ok = not ranges or (y is not None and any(a <= y <= b for a, b in ranges))
        found = places.get(k)
        if found is None:
            found = places[k] = _places(group.regions, wanted, level)
        r_ok, values = found
        if r_ok and y is not None:
            year_counts[y] += n
            if group.inferred:
                inferred_counts[y] += n
        if y_ok:
            for v in values:
                region_counts[v] += n
        if y_ok and r_ok:
            ok.add(k)
    if len(ok) == len(per_group):
        matched = set(docnums)
    else:
        matched = {d for d in docnums if keys[d] in ok}
    return matched, {"year": year_counts, "region": region_counts, "inferred": inferred_counts}


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
