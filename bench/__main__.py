"""python -m bench [--quick] [--sizes 10000,100000] [--no-real] [--no-http] [--anchors]
                [--relevance] [--report RESULTS.json]"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from bench.run import RESULTS, format_report, main

# The textbook baseline's page costs seconds for a common word (Whoosh scores every match to
# group by file), so a CI-sized run measures fewer, smaller: its ratios are a smoke signal,
# the binding figures come from the full run.
QUICK_SIZE, QUICK_QUERIES = 5000, 60


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true",
                   help=f"a smoke run in well under two minutes (what CI runs): synthetic-"
                        f"{QUICK_SIZE} and {QUICK_QUERIES} queries unless given, no real corpus")
    p.add_argument("--sizes", default=None,
                   help="synthetic workload sizes in units (default: 10000,100000)")
    p.add_argument("--no-real", action="store_true", help="skip ../shared/corpus-real")
    p.add_argument("--no-http", action="store_true", help="skip the HTTP load against serve")
    p.add_argument("--anchors", action="store_true",
                   help="also measure SQLite FTS5 and tantivy (pip install -e '.[bench]')")
    p.add_argument("--relevance", action="store_true",
                   help="on the real corpus, also score the relevance set (tests/relevance) on "
                        "our fresh index: success@k and MRR per kind, beside plain BM25")
    p.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, 4),
                   help="worker processes for our build and the floor")
    p.add_argument("--queries", type=int, default=None,
                   help="size of the query mix (default 240; at least 200 for a full run)")
    p.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON results")
    p.add_argument("--keep", action="store_true", help="keep the temporary corpora and indexes")
    p.add_argument("--report", type=Path, metavar="RESULTS.json",
                   help="print the table of a saved run (also one stopped half way) and exit")
    return p.parse_args(argv)


if __name__ == "__main__":
    args = parse()
    if args.report:
        print(format_report(json.loads(args.report.read_text(encoding="utf-8"))))
        raise SystemExit(0)
    sizes = [int(s) for s in (args.sizes or "10000,100000").split(",") if s.strip()]
    queries = args.queries or 240
    real = not args.no_real
    if args.quick:
        sizes = sizes[:1] if args.sizes else [QUICK_SIZE]
        queries = args.queries or QUICK_QUERIES
        real = False
    main(sizes, real, args.jobs, not args.no_http, args.anchors, args.out, queries,
         keep=args.keep, relevance=args.relevance)
