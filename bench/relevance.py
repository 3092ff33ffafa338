"""The relevance set: does the paragraph a person is looking for come up near the top?

``python -m bench.relevance --index-dir D [--cases tests/relevance/cases.tsv] [--plain]
[--no-plain] [--kind K] [--verbose] [--json OUT] [--fail-under S]``

Each case in ``tests/relevance/cases.tsv`` names a query as a user would type it, optional
region and year filters, the document that answers it (``doc_id``, its path relative to
``../shared/corpus-real/``), a short exact fragment of the answering paragraph and a rank
limit k. A case succeeds when a hit from that document whose text contains the fragment is
within the first k; its reciprocal rank counts within the first ``DEPTH`` hits. Speed is
measured elsewhere (``python -m bench``): this module only says whether the right paragraph
is found, so a ranking or matching change can be judged by more than a handful of examples.

Figures, overall and per ``kind``: success@k (each case's own k), success@1, success@10 and
MRR. The kinds issue 14 asks the engine to learn (a place, year or report name the paragraph
does not repeat, unspaced queries, abbreviations, proximity, partial matches) are listed in
``NEW_KINDS`` and summed apart from the ordinary lookups, so progress on one is not hidden by
the other.

``--plain`` runs the same engine with its optional boosts off (``search(plain=True)``), the
"plain BM25" column that shows what the boosts and rerankings are worth.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "relevance" / "cases.tsv"
CORPUS = ROOT.parent / "shared" / "corpus-real"
DEPTH = 50  # MRR and the rank report look this far down
COLUMNS = ("id", "kind", "query", "region", "year", "k", "doc_id", "fragment", "note")
# the ordinary lookups a person makes today
BASE_KINDS = ("topic", "regulation", "fact", "traditional", "hongkong", "phrase", "filter")
# what issue 14 asks the engine to learn; expected to fail before that work lands
NEW_KINDS = ("place-context", "year-context", "title-context", "unspaced", "abbreviation",
             "proximity", "partial")
KINDS = BASE_KINDS + NEW_KINDS
YEAR_RE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    query: str
    region: str | None
    year: str | None
    k: int
    doc_id: str
    fragment: str
    note: str
    line: int = 0


@dataclass
class Outcome:
    id: str
    kind: str
    k: int
    rank: int | None  # 1-based, within DEPTH; None when not found there
    total: int
    error: str | None = None

    @property
    def success(self) -> bool:
        return self.rank is not None and self.rank <= self.k


class CaseError(ValueError):
    """A malformed line in the case file, with its line number."""


def _filter(value: str) -> str | None:
    value = value.strip()
    return value or None


def parse_year(value: str) -> tuple[int, int]:
    """``2019`` or ``2016-2018`` as an inclusive range; the search's own filter forms."""
    m = YEAR_RE.match(value)
    if not m:
        raise ValueError(f"year {value!r} is not YYYY or YYYY-YYYY")
    lo = int(m.group(1))
    hi = int(m.group(2) or lo)
    if not 1900 <= lo <= hi <= 2100:
        raise ValueError(f"year {value!r} is out of range or reversed")
    return lo, hi


def load_cases(path: Path = CASES) -> list[Case]:
    """Every case in the file, checked: all columns present, a known kind, k ≥ 1, unique ids,
    filters in the search's forms. Lines starting with ``#`` and blank lines are comments."""
    cases: list[Case] = []
    seen: set[str] = set()
    header: list[str] | None = None
    with open(path, encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or not "".join(row).strip() or row[0].startswith("#"):
                continue
            if header is None:
                header = row
                if tuple(header) != COLUMNS:
                    raise CaseError(f"line {n}: header must be {' '.join(COLUMNS)}")
                continue
            if len(row) != len(COLUMNS):
                raise CaseError(f"line {n}: {len(row)} columns, expected {len(COLUMNS)}")
            d = dict(zip(COLUMNS, (c.strip() for c in row), strict=True))
            for key in ("id", "kind", "query", "k", "doc_id", "fragment", "note"):
                if not d[key]:
                    raise CaseError(f"line {n}: empty {key}")
            if d["id"] in seen:
                raise CaseError(f"line {n}: duplicate id {d['id']}")
            seen.add(d["id"])
            if d["kind"] not in KINDS:
                raise CaseError(f"line {n}: unknown kind {d['kind']!r}")
            if not d["k"].isdigit() or int(d["k"]) < 1:
                raise CaseError(f"line {n}: k must be a whole number ≥ 1")
            if d["year"]:
                try:
                    parse_year(d["year"])
                except ValueError as e:
                    raise CaseError(f"line {n}: {e}") from None
            if d["doc_id"].startswith("/") or ".." in d["doc_id"].split("/"):
                raise CaseError(f"line {n}: doc_id must be relative to the corpus")
            cases.append(Case(d["id"], d["kind"], d["query"], _filter(d["region"]),
                              _filter(d["year"]), int(d["k"]), d["doc_id"], d["fragment"],
                              d["note"], n))
    if header is None:
        raise CaseError(f"{path}: no header line")
    return cases


def squeeze(text: str) -> str:
    """Whitespace does not count: the cleaner may rejoin or re-space a line."""
    return SPACE_RE.sub("", text)


def rank_of(case: Case, hits) -> int | None:
    """1-based rank of the first hit from the expected document that contains the fragment."""
    frag = squeeze(case.fragment)
    for i, h in enumerate(hits, 1):
        if h.doc_id == case.doc_id and frag in squeeze(h.text):
            return i
    return None


def run(index, cases: list[Case], plain: bool = False, depth: int = DEPTH) -> list[Outcome]:
    """Every case through ``search()`` (one call of ``depth`` hits each).

    ``index`` is an index folder or an open ``Engine``; ``plain`` asks for plain BM25
    (``search(plain=True)``: no boosts, no widening, no re-ranking)."""
    from search_app.engine import Engine
    from search_app.search import search

    engine = Engine(Path(index)) if isinstance(index, (str, Path)) else index
    extra = {"plain": True} if plain else {}
    out: list[Outcome] = []
    for c in cases:
        try:
            res = search(engine, c.query, region=c.region, year=c.year, page=1,
                         per_page=depth, **extra)
        except Exception as e:  # a query the engine refuses is a miss, not a crash
            out.append(Outcome(c.id, c.kind, c.k, None, 0, f"{type(e).__name__}: {e}"))
            continue
        out.append(Outcome(c.id, c.kind, c.k, rank_of(c, res.hits), res.total))
    return out


def scores(outcomes: list[Outcome]) -> dict:
    """success@k (each case's own k), success@1, success@10 and MRR of a group of cases."""
    n = len(outcomes)
    if not n:
        return {"n": 0, "success_at_k": 0.0, "success_at_1": 0.0, "success_at_10": 0.0,
                "mrr": 0.0}
    ranks = [o.rank for o in outcomes]
    return {
        "n": n,
        "success_at_k": sum(o.success for o in outcomes) / n,
        "success_at_1": sum(r == 1 for r in ranks) / n,
        "success_at_10": sum(r is not None and r <= 10 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }


def summarize(outcomes: list[Outcome]) -> dict:
    """Scores overall, for the ordinary kinds, for the new kinds and per kind."""
    by_kind = {k: [o for o in outcomes if o.kind == k] for k in KINDS}
    return {
        "all": scores(outcomes),
        "ordinary": scores([o for o in outcomes if o.kind in BASE_KINDS]),
        "new (issue 14)": scores([o for o in outcomes if o.kind in NEW_KINDS]),
        "kinds": {k: scores(v) for k, v in by_kind.items() if v},
        "failed": [o.id for o in outcomes if not o.success],
    }


def evaluate(index, cases: list[Case] | None = None, plain: bool = True) -> dict:
    """The figures the benchmark records: the engine as it is and, when ``plain``, beside it
    the same engine as plain BM25."""
    cases = load_cases() if cases is None else cases
    started = time.perf_counter()
    ours = run(index, cases)
    result = {"cases": len(cases), "ours": summarize(ours),
              "outcomes": [asdict(o) for o in ours]}
    if plain:
        result["plain"] = summarize(run(index, cases, plain=True))
        result["plain_switch"] = "search(plain=True)"
    result["seconds"] = time.perf_counter() - started
    return result


def format_table(result: dict) -> str:
    """The printed table: one row per group and kind, ours beside plain BM25 when run."""
    plain = result.get("plain")
    head = f"{'relevance (' + str(result['cases']) + ' cases)':<24}{'n':>4}{'s@k':>7}" \
           f"{'s@1':>7}{'s@10':>7}{'MRR':>7}"
    if plain:
        head += f"  |{'plain s@k':>10}{'s@10':>7}{'MRR':>7}"
    lines = [head]

    def row(name: str, s: dict, p: dict | None) -> str:
        line = f"{'  ' + name:<24}{s['n']:>4}{s['success_at_k']:>7.2f}{s['success_at_1']:>7.2f}" \
               f"{s['success_at_10']:>7.2f}{s['mrr']:>7.3f}"
        if p:
            line += f"  |{p['success_at_k']:>10.2f}{p['success_at_10']:>7.2f}{p['mrr']:>7.3f}"
        return line

    ours = result["ours"]
    for group in ("all", "ordinary", "new (issue 14)"):
        lines.append(row(group, ours[group], plain[group] if plain else None))
    for kind, s in ours["kinds"].items():
        mark = "*" if kind in NEW_KINDS else " "
        lines.append(row(f"{mark}{kind}", s, plain["kinds"].get(kind) if plain else None))
    lines.append("  (* = kinds issue 14 adds; success@k uses each case's own k)")
    if result.get("plain_switch"):
        lines.append(f"  plain BM25: {result['plain_switch']}")
    if result.get("plain_error"):
        lines.append(f"  plain BM25 not run: {result['plain_error']}")
    lines.append("  failed: " + (" ".join(ours["failed"]) or "none"))
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index-dir", type=Path, required=True,
                   help="an index built from ../shared/corpus-real (read only)")
    p.add_argument("--cases", type=Path, default=CASES)
    p.add_argument("--no-plain", action="store_true", help="skip the plain BM25 run")
    p.add_argument("--plain", action="store_true", help="only the plain BM25 run")
    p.add_argument("--kind", action="append", help="only cases of this kind (repeat)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="one line per case: rank (or -), k, kind, query")
    p.add_argument("--json", type=Path, help="also write the figures and ranks here")
    p.add_argument("--fail-under", type=float, metavar="S",
                   help="exit with status 1 when success@k over the cases run is below S "
                        "(a threshold for CI, e.g. 0.95 with --kind for the ordinary kinds)")
    args = p.parse_args(argv)
    try:
        cases = load_cases(args.cases)
    except (OSError, CaseError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.kind:
        cases = [c for c in cases if c.kind in args.kind]
    if args.plain:
        outs = run(args.index_dir, cases, plain=True)
        result = {"cases": len(cases), "ours": summarize(outs),
                  "outcomes": [asdict(o) for o in outs]}
    else:
        result = evaluate(args.index_dir, cases, plain=not args.no_plain)
    if args.verbose:
        by_id = {c.id: c for c in cases}
        for o in result["outcomes"]:
            c = by_id[o["id"]]
            r = o["rank"] if o["rank"] is not None else "-"
            ok = "ok  " if o["rank"] is not None and o["rank"] <= o["k"] else "MISS"
            extra = " ".join(x for x in (c.region and f"region={c.region}",
                                         c.year and f"year={c.year}") if x)
            print(f"{ok} {c.id:<8} rank {r!s:>3} / k {c.k:<3} total {o['total']:<6} "
                  f"{c.kind:<14} {c.query} {extra}{' ' + o['error'] if o['error'] else ''}")
    print(format_table(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    got = result["ours"]["all"]["success_at_k"]
    if args.fail_under is not None and got < args.fail_under:
        print(f"success@k {got:.3f} is below --fail-under {args.fail_under}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
