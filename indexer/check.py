"""The index folder checked: what CURRENT and PREVIOUS name, and whether it is sound.

``policy-search check`` prints ``check_index``'s lines; the server and the command line ask
``live`` and ``previous`` which generation they may open, so that a pointer naming nothing
(``CURRENT`` naming a deleted generation, an empty ``PREVIOUS``) is damage named in one line,
not a traceback. The files themselves are verified by ``integrity.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from indexer import integrity, store


@dataclass(frozen=True)
class Pointer:
    """``CURRENT`` or ``PREVIOUS`` as found on disk."""

    name: str
    target: str | None  # the generation it names; None when the pointer file is absent
    gen: Path | None  # that generation's folder, when it is there
    problem: str | None  # a pointer that is there but names nothing usable, in one line


def pointer(root: Path, name: str) -> Pointer:
    path = root / name
    try:
        text = path.read_text("utf-8").strip()
    except FileNotFoundError:
        return Pointer(name, None, None, None)
    except (OSError, UnicodeDecodeError) as err:
        return Pointer(name, "", None, f"{path}: cannot read it: {err}")
    if not text:
        return Pointer(name, "", None, f"{path}: empty (it names no generation)")
    gen = root / text
    if "/" in text or text.startswith(".") or not gen.is_dir():
        return Pointer(name, text, None, f"{path}: names {text[:80]!r}, which does not exist")
    if not (gen / store.UNITS_DB).is_file():
        return Pointer(name, text, None, f"{gen / store.UNITS_DB}: missing")
    return Pointer(name, text, gen, None)


def live(root: Path) -> Pointer:
    """``CURRENT``; NoIndex when there is no index or no build yet (nothing is damaged)."""
    if not root.exists() or not store.is_ours(root):
        raise store.NoIndex(f"no index at {root}: run `policy-search index` first")
    current = pointer(root, store.CURRENT)
    if current.target is None:
        raise store.NoIndex(
            f"the index at {root} has no complete build yet: run `policy-search index`")
    return current


def previous(root: Path) -> Pointer:
    return pointer(root, store.PREVIOUS)


def damaged(problem: str) -> store.DamagedIndex:
    return store.DamagedIndex(f"the index is damaged: {problem}; {store.DamagedIndex.FIX}")


@dataclass
class Checked:
    """What ``check_index`` found: problems (exit 1), notes, and each generation's report."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reports: list[tuple[str, integrity.Report]] = field(default_factory=list)


def check_index(root: Path, quick: bool = False) -> Checked:
    """Verify the live generation and PREVIOUS: every file's size, and unless ``quick`` its
    CRC-32 and SQLite's ``quick_check``. Raises NoIndex when there is no index."""
    out = Checked()
    current = live(root)
    for role, ptr in (("live", current), ("previous", previous(root))):
        if ptr.problem:
            out.problems.append(f"{role} generation: {ptr.problem}")
        if ptr.gen is None or (role == "previous" and ptr.gen == current.gen):
            continue
        report = integrity.verify(ptr.gen, quick=quick, sqlite=not quick)
        out.reports.append((role, report))
        out.problems.extend(f"{role} generation: {p.describe(ptr.gen)}" for p in report.problems)
        if report.unverified:
            out.notes.append(f"{role} generation {ptr.gen}: {integrity.NO_MANIFEST}")
    return out
