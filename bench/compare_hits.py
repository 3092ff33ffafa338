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
    differing = [k for k in old.keys() | new.keys() if old.get(k) != new.get(k)]
    hits = sum(len(r["hits"]) for r in old.values())
    for k in sorted(differing):
        print(f"differs: {k}\n  before: {old.get(k)}\n  after:  {new.get(k)}")
    print(f"{len(old)} queries, {hits} hits compared (uid, score, text and snippet): "
          f"{len(differing)} queries differ")
    return 1 if differing else 0


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
