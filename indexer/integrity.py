"""Checksums of a generation, written at publish and verified later.

A published generation is only ever read, so any change to one of its files is damage: a
disk, a copy, a hand. Nothing noticed it (issue 18: half a ``.pst`` gave tracebacks and 500s
while ``/api/health`` said ok). Lucene writes a checksum footer on every index file and
ships CheckIndex; here ``write_manifest`` records every file's size and CRC-32 in
``CHECKSUMS.json`` inside the generation before it is renamed into place (so the manifest
is part of the atomic generation), and ``verify`` compares. Sizes alone cost one ``stat``
per file (the request path); CRC-32 streams every byte (zlib, about 2 GB/s: the server does
it in the background, ``policy-search check`` in the foreground).

Generic on purpose: whatever files a build writes, at any depth, are covered, so a new kind
of file needs no change here (``tests/test_damage.py`` damages every kind it finds). This
module knows nothing of the index folder (``store.py`` does) and imports nothing of ours.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "CHECKSUMS.json"
FORMAT = 1
CHUNK = 1 << 20
NO_MANIFEST = ("no checksums (built by an older version): "
               "rebuild with `policy-search index --full`")


class Unreadable(ValueError):
    """A file's bytes are not what its format says: damage met while reading it (raised by
    the readers of our own formats; the query side answers it with a 503, not a 400)."""


@dataclass(frozen=True)
class Problem:
    """One damaged file of a generation (``file`` relative to it, '' for the folder)."""

    file: str
    what: str

    def describe(self, gen: Path) -> str:
        return f"{gen / self.file if self.file else gen}: {self.what}"


@dataclass
class Report:
    """What ``verify`` found in one generation."""

    gen: Path
    problems: list[Problem] = field(default_factory=list)
    unverified: bool = False  # no manifest: built before checksums were recorded
    files: int = 0
    bytes: int = 0

    @property
    def sound(self) -> bool:
        return not self.problems

    def first(self) -> str | None:
        """The first problem as one line naming the file, or None."""
        return self.problems[0].describe(self.gen) if self.problems else None


def file_crc(path: Path) -> int:
    """CRC-32 of a file, read in 1 MB pieces (zlib releases the GIL on each)."""
    crc = 0
    with open(path, "rb") as f:
        while piece := f.read(CHUNK):
            crc = zlib.crc32(piece, crc)
    return crc


def _files(gen: Path) -> list[str]:
    """Every regular file under ``gen`` but the manifest, as sorted relative POSIX paths."""
    out = []
    for dirpath, _, names in os.walk(gen):
        for name in names:
            path = Path(dirpath) / name
            rel = path.relative_to(gen).as_posix()
            if rel != MANIFEST and path.is_file() and not path.is_symlink():
                out.append(rel)
    return sorted(out)


def write_manifest(gen: Path) -> dict:
    """Record the size and CRC-32 of every file of ``gen`` in ``gen/CHECKSUMS.json``."""
    files = {}
    for rel in _files(gen):
        path = gen / rel
        files[rel] = {"size": path.stat().st_size, "crc32": file_crc(path)}
    data = {"format": FORMAT, "algorithm": "crc32", "files": files}
    with open(gen / MANIFEST, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    return data


def read_manifest(gen: Path) -> dict[str, dict] | None:
    """The recorded files, or None when the generation has no manifest. Raises ValueError
    when the manifest itself is damaged."""
    try:
        text = (gen / MANIFEST).read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"cannot read it: {err}") from None
    try:
        data = json.loads(text)
        files = data["files"]
        for entry in files.values():
            int(entry["size"]), int(entry["crc32"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError("not a checksum list (damaged)") from None
    return files


def verify(gen: Path, quick: bool = False, sqlite: bool = False) -> Report:
    """Compare ``gen``'s files with its manifest: sizes always, CRC-32 unless ``quick``;
    with ``sqlite``, also SQLite's ``PRAGMA quick_check`` on every ``*.sqlite`` file."""
    report = Report(gen)
    if not gen.is_dir():
        report.problems.append(Problem("", "missing (the generation folder does not exist)"))
        return report
    try:
        files = read_manifest(gen)
    except ValueError as err:
        report.problems.append(Problem(MANIFEST, str(err)))
        return report
    if files is None:
        report.unverified = True
        files = {}
    for rel, entry in sorted(files.items()):
        problem = _check_file(gen / rel, int(entry["size"]), int(entry["crc32"]), quick)
        report.files += 1
        report.bytes += int(entry["size"])
        if problem:
            report.problems.append(Problem(rel, problem))
    if sqlite:
        damaged = {p.file for p in report.problems}
        for rel in _files(gen):
            if rel.endswith(".sqlite") and rel not in damaged:
                problem = quick_check(gen / rel)
                if problem:
                    report.problems.append(Problem(rel, problem))
    return report


def _check_file(path: Path, size: int, crc: int, quick: bool) -> str | None:
    try:
        actual = path.stat().st_size
        if actual != size:
            how = "truncated" if actual < size else "grown"
            return f"{how}: {actual:,} bytes, {size:,} when built"
        if not quick and file_crc(path) != crc:
            return f"checksum mismatch: the {size:,} bytes changed since the build"
    except FileNotFoundError:
        return "missing"
    except OSError as err:
        return f"cannot read: {err.strerror or err}"
    return None


def quick_check(path: Path) -> str | None:
    """SQLite's own consistency check of a database file, read-only; None when ok."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        return f"SQLite cannot read it: {err}"
    if rows == ["ok"]:
        return None
    return f"SQLite quick_check: {rows[0]}" + (f" (and {len(rows) - 1} more)" if len(rows) > 1
                                               else "")
