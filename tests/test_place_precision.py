"""Place precision on the real corpus: how many units carry a province their document is not
about, by collection (the figures in README, "Place precision").

``../shared/corpus-real/MANIFEST.tsv`` says what each document is about (``region``: a province,
香港特别行政区, or 全国 for the whole country). A unit's regions are its own places or, when it
names none, its document's. The test counts, per collection:

- ``docs``: documents whose *own* regions (title, header, opening) include a province other than
  the manifest's (for a 全国 document: any province at all);
- ``inherited``: units that carry such a province only because they inherit it from their
  document (the misfire passed on to every paragraph);
- ``own``: units that name a foreign province themselves. Many are genuine (a national report's
  paragraph on 西藏, a Hong Kong address on 深圳), so they are counted and held under a ceiling,
  not required to be zero.

It runs the per-file recognition (``records.annotate``, as ``records.process_file`` calls it) on
the national, party-congress and
Hong Kong collections and a fixed sample of the others, not a full index build, to stay fast.
Run this file as a script to print the table.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-real"
NATIONAL = "全国"
WHOLE = ("national_gov_work_reports", "cpc_congress_reports", "hongkong_policy_address")
SAMPLED = {"provincial_gov_work_reports": 2, "local_regulations": 40,
           "state_council_regulations": 40}  # every n-th file, in manifest order


@dataclass(frozen=True)
class Entry:
    file: str
    collection: str
    region: str
    title: str


def manifest() -> list[Entry]:
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [Entry(r["file"], r["collection"], r["region"], r["title"]) for r in rows]


def sample(entries: list[Entry]) -> list[Entry]:
    """Every file of the collections that must be exact, every n-th of the others."""
    seen: Counter[str] = Counter()
    out = []
    for e in entries:
        step = SAMPLED.get(e.collection, 1 if e.collection in WHOLE else 0)
        if step and seen[e.collection] % step == 0:
            out.append(e)
        seen[e.collection] += 1
    return out


def foreign(paths: list[str], entry: Entry) -> set[str]:
    """The provinces among ``paths`` that the manifest says the document is not about: not its
    ``region`` (a 全国 document is about none in particular) and not named in its title
    (the 1921 report of the 北京 group is about Beijing, a State Council rule on the 上海
    shipping exchange about Shanghai)."""
    from indexer.analysis import fold
    from indexer.places import gazetteer, short_forms

    title, gaz = fold(entry.title), gazetteer()
    out = set()
    for path in paths:
        province = path.split("/")[0]
        if province == entry.region:
            continue
        parts = [gaz.place("/".join(path.split("/")[:i])) for i in range(1, path.count("/") + 2)]
        names = {n for p in parts if p for n in [p.name, *short_forms(p.name, p.level)]}
        if not any(n in title for n in names):
            out.add(province)
    return out


@dataclass
class Count:
    files: int = 0
    units: int = 0
    docs: int = 0
    inherited: int = 0
    own: int = 0


def measure(entries: list[Entry]) -> tuple[dict[str, Count], dict[str, list[str]]]:
    """Counts per collection, and each document's regions (by file)."""
    from indexer.analysis import analyze
    from indexer.document import parse_document
    from indexer.reading import decode, read_bytes
    from indexer.records import annotate

    counts: dict[str, Count] = {}
    doc_regions: dict[str, list[str]] = {}
    for e in entries:
        doc = parse_document(decode(read_bytes(CORPUS / e.file))[0], e.file)
        texts = [doc.search_text(u) for u in doc.units]
        annotate(doc, texts, [analyze(t) for t in texts])
        c = counts.setdefault(e.collection, Count())
        c.files += 1
        regions = doc.meta["regions"]
        doc_regions[e.file] = regions
        doc_foreign = foreign(regions, e)
        c.docs += bool(doc_foreign)
        for unit in doc.units:
            c.units += 1
            own = unit.extra.get("regions")
            if own:
                c.own += bool(foreign(own, e))
            else:
                c.inherited += bool(doc_foreign)
    return counts, doc_regions


def table(counts: dict[str, Count]) -> str:
    lines = [f"{'collection':32} {'files':>5} {'units':>6} {'docs':>5} {'inherited':>9} {'own':>5}"]
    for name, c in sorted(counts.items()):
        lines.append(f"{name:32} {c.files:5} {c.units:6} {c.docs:5} {c.inherited:9} {c.own:5}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def measured():
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip(f"the real corpus is not at {CORPUS}")
    return measure(sample(manifest()))


# Units naming a foreign province themselves, after the place-precision rules (README). Most are
# genuine (national reports on 香港, 台湾, 西藏; Hong Kong on 深圳); a rise means a new misfire.
OWN_CEILING = {"cpc_congress_reports": 150, "hongkong_policy_address": 170,
               "local_regulations": 6, "national_gov_work_reports": 400,
               "provincial_gov_work_reports": 135, "state_council_regulations": 3}


def test_no_national_party_or_hong_kong_document_carries_a_province_it_is_not_about(measured):
    counts, _ = measured
    for collection in WHOLE:
        assert (counts[collection].docs, counts[collection].inherited) == (0, 0), \
            f"{collection}\n{table(counts)}"


def test_a_hong_kong_address_titled_only_by_its_year_is_about_hong_kong(measured):
    _, doc_regions = measured
    assert doc_regions["hongkong_policy_address/2023_香港特别行政区_行政长官施政报告.txt"] == \
        ["香港特别行政区"]
    for file, regions in doc_regions.items():
        if file.startswith("hongkong_policy_address/"):
            assert regions == ["香港特别行政区"], file


def test_places_units_name_themselves_stay_under_the_recorded_ceiling(measured):
    counts, _ = measured
    for collection, c in counts.items():
        assert c.own <= OWN_CEILING[collection], f"{collection}\n{table(counts)}"


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's indexer
    print(table(measure(sample(manifest()))[0]))
