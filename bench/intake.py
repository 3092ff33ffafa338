"""Intake speed: MB/s per format on ../shared/corpus-raw (read + extract + parse, no index).

``python -m bench.intake [FOLDER]``. Separate from ``bench.run`` because it measures the
format readers alone, which the search benchmarks never touch.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

from indexer.document import parse_document
from indexer.intake import apply_fields, reader_for

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus-raw"


def intake_speed(folder: Path, rounds: int = 3) -> dict[str, dict]:
    """``{format: {"files", "mb", "seconds", "mb_per_s"}}``, best of ``rounds`` per file."""
    out: dict[str, dict] = defaultdict(lambda: {"files": 0, "mb": 0.0, "seconds": 0.0})
    for path in sorted(folder.rglob("*")):
        reader = reader_for(path)
        if reader is None or not path.is_file():
            continue
        data = path.read_bytes()
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            extracted = reader(data, path)
            apply_fields(parse_document(extracted.text(), path.name), extracted)
            best = min(best, time.perf_counter() - start)
        row = out[extracted.fmt]
        row["files"] += 1
        row["mb"] += len(data) / 1e6
        row["seconds"] += best
    for row in out.values():
        row["mb_per_s"] = row["mb"] / row["seconds"] if row["seconds"] else 0.0
    return dict(out)


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT
    if not folder.is_dir():
        print(f"Error: no folder {folder}", file=sys.stderr)
        return 2
    print(f"{'format':8} {'files':>5} {'MB':>7} {'s':>7} {'MB/s':>7}")
    for fmt, row in sorted(intake_speed(folder).items()):
        print(f"{fmt:8} {row['files']:5d} {row['mb']:7.2f} {row['seconds']:7.2f} "
              f"{row['mb_per_s']:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
