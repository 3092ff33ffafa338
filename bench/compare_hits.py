"""Same results before and after an index format change (issue 17): dump the hit lists of the
real workload's queries from one index, then compare two dumps.

An index of an older format can only be read by the code that wrote it, so each dump runs with
its own version of the project on the path::

    PYTHONPATH=/path/to/old/checkout python bench/compare_hits.py dump --index-dir OLD old.json
    PYTHONPATH=. python bench/compare_hits.py dump --index-dir NEW new.json
    python bench/compare_hits.py diff old.json new.json

The queries are ``workload.REAL_FIXED`` and ``real_query_mix(n=100)`` (their filters and pages
included), with no time budget, so a slow moment cannot cut a result short. Per query it
records the total, and per hit its uid, score, and a hash of its text and snippet; ``diff``
lists every query whose record differs and exits 1 if any does.

Units with equal scores come in Whoosh document-number order, and which worker process
analyses which file (so the numbering) changes from build to build, even with the same code.
``diff`` therefore counts a query as *the same up to ties* when its total and its sequence of
scores are equal and each group of equal scores holds the same units with the same texts
(except the last group of the page, which the page may cut at a different unit).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys


def dump(index_dir: str, out: str, corpus: str, n: int = 100, per_page: int = 20) -> int:
    from pathlib import Path

    from bench.workload import REAL_FIXED, real_query_mix
    from search_app.search import search

    queries = list(dict.fromkeys(REAL_FIXED + real_query_mix(Path(corpus), n=n)))
    records = []
    for q in queries:
        res = search(index_dir, q.q, region=q.region, year=q.year, page=q.page,
                     per_page=per_page, budget_ms=None)
        records.append({
            "query": [q.q, q.region, q.year, q.page], "total": res.total,
            "hits": [[h.uid, h.score,
                      hashlib.sha1((h.text + "\0" + h.snippet).encode()).hexdigest()[:12]]
                     for h in res.hits]})
    with open(out, "w", encoding="utf-8") as f:
        json.dump(records, f, ensure_ascii=False, indent=0)
    print(f"{len(records)} queries, {sum(len(r['hits']) for r in records)} hits -> {out}")
    return 0


def diff(a: str, b: str) -> int:
    with open(a, encoding="utf-8") as f:
        old = {json.dumps(r["query"], ensure_ascii=False): r for r in json.load(f)}
    with open(b, encoding="utf-8") as f:
        new = {json.dumps(r["query"], ensure_ascii=False): r for r in json.load(f)}
    keys = old.keys() | new.keys()
    identical = [k for k in keys if old.get(k) == new.get(k)]
    differing = [k for k in keys if k not in identical
                 and not _same_up_to_ties(old.get(k), new.get(k))]
    hits = sum(len(r["hits"]) for r in old.values())
    for k in sorted(differing):
        print(f"differs: {k}\n  before: {old.get(k)}\n  after:  {new.get(k)}")
    print(f"{len(old)} queries, {hits} hits compared (uid, score, text and snippet): "
          f"{len(identical)} identical, {len(keys) - len(identical) - len(differing)} the "
          f"same up to the order of equal scores, {len(differing)} differ")
    return 1 if differing else 0


def _groups(hits: list) -> list[tuple[float, set]]:
    out: list[tuple[float, set]] = []
    for uid, score, digest in hits:
        if not out or out[-1][0] != score:
            out.append((score, set()))
        out[-1][1].add((uid, digest))
    return out


def _same_up_to_ties(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None or a["total"] != b["total"]:
        return False
    if [h[1] for h in a["hits"]] != [h[1] for h in b["hits"]]:
        return False
    ga, gb = _groups(a["hits"]), _groups(b["hits"])
    return ga[:-1] == gb[:-1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--index-dir", required=True)
    d.add_argument("out")
    d.add_argument("-n", type=int, default=100)
    d.add_argument("--corpus", default="../shared/corpus-real", help="for the query mix")
    c = sub.add_parser("diff")
    c.add_argument("a")
    c.add_argument("b")
    args = p.parse_args(argv)
    return dump(args.index_dir, args.out, args.corpus, args.n) if args.cmd == "dump" else diff(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
