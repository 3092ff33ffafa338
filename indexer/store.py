"""The index folder: generations, the CURRENT pointer, the build lock and the units database.

Layout::

    index/
      POLICY_SEARCH_INDEX   marker: this folder is ours (JSON with the layout version)
      CURRENT               name of the live generation, replaced atomically
      PREVIOUS              name of the generation before it (kept for readers still on it)
      gen-<stamp>/          a complete index: Whoosh files + units.sqlite, and
                            CHECKSUMS.json (size and CRC-32 of every other file, integrity.py)
      .build-<stamp>/       a build in progress (removed by the next build if left behind, as
                            is a gen- folder that a build killed while publishing never made live)
      build.lock            pid of the running build

A build writes a new generation beside the live one and then swaps CURRENT with
``os.replace``, so a reader always sees either the old or the new index, complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from indexer import integrity

MARKER = "POLICY_SEARCH_INDEX"
CURRENT = "CURRENT"
PREVIOUS = "PREVIOUS"
LOCK = "build.lock"
LAYOUT_VERSION = 1
UNITS_DB = "units.sqlite"


class IndexError_(Exception):
    """A problem with the index folder; the message is for the user."""


class NotOurs(IndexError_):
    pass


class NoIndex(IndexError_):
    pass


class OldIndex(IndexError_):
    """An index written by another version (another schema): it must be rebuilt."""


class DamagedIndex(IndexError_):
    """A generation's file changed since its build or cannot be read (integrity.py); the
    message names the file and the fix. ``search()`` raises it; the views and CLI map it."""

    FIX = "rebuild it with `policy-search index --full`"


class LockHeld(IndexError_):
    def __init__(self, pid: int, host: str):
        super().__init__(f"another build is running (pid {pid} on {host}); try again when it ends")
        self.pid = pid


def is_ours(root: Path) -> bool:
    return (root / MARKER).is_file()


def check_usable(root: Path) -> None:
    """Refuse a folder that exists, holds files and is not one of our indexes."""
    if root.exists() and not root.is_dir():
        raise NotOurs(f"{root} is a file, not an index folder")
    if root.is_dir() and not is_ours(root) and any(root.iterdir()):
        raise NotOurs(
            f"{root} exists and is not a policy-search index (no {MARKER} file); "
            "choose another --index-dir or empty it"
        )


def ensure_root(root: Path) -> None:
    check_usable(root)
    root.mkdir(parents=True, exist_ok=True)
    if not is_ours(root):
        _write_atomic(root / MARKER, json.dumps({"layout": LAYOUT_VERSION}) + "\n")


def live_generation(root: Path) -> Path | None:
    """The folder of the live index, or None if there is none yet."""
    try:
        name = (root / CURRENT).read_text("utf-8").strip()
    except OSError:
        return None
    gen = root / name
    if not name or "/" in name or not (gen / UNITS_DB).is_file():
        return None
    return gen


def require_live(root: Path) -> Path:
    if not root.exists() or not is_ours(root):
        raise NoIndex(f"no index at {root}: run `policy-search index` first")
    gen = live_generation(root)
    if gen is None:
        raise NoIndex(f"the index at {root} has no complete build yet: run `policy-search index`")
    return gen


def process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, /proc/<pid>/stat field 22), or
    None where there is no /proc. With the pid it names one process even after pid reuse."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]  # fields after "(comm)" start at field 3


def _holder_alive(holder: dict) -> bool:
    """The process that wrote the lock still runs: its pid is alive and, where the lock
    recorded a start time, that pid started then (not a new process given the same pid)."""
    if not _pid_alive(holder["pid"]):
        return False
    start = holder.get("start")
    return start is None or process_start(holder["pid"]) in (None, start)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Hold ``build.lock``; a lock left by a process that no longer runs (or whose pid now
    belongs to another process) is taken over."""
    path = root / LOCK
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time(),
          "start": process_start(os.getpid())}
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read_lock(path)
            if holder and holder.get("host") == me["host"] and _holder_alive(holder):
                raise LockHeld(holder["pid"], holder["host"]) from None
            if holder and holder.get("host") != me["host"]:
                raise LockHeld(holder["pid"], holder["host"]) from None
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # stale: its builder was killed
            continue
        with os.fdopen(fd, "w") as f:
            json.dump(me, f)
        break
    else:
        raise LockHeld(-1, "unknown")
    try:
        yield
    finally:
        holder = _read_lock(path)
        if holder and holder.get("pid") == me["pid"]:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _read_lock(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        start = data.get("start")
        return {"pid": int(data["pid"]), "host": str(data.get("host", "")),
                "start": None if start is None else str(start)}
    except (OSError, ValueError, KeyError, TypeError):
        return None  # half-written or garbage: treat as stale


def remove_leftovers(root: Path) -> list[str]:
    """Delete what a killed build left behind (call while holding the lock): unfinished build
    folders, and generations that are neither live nor the one before it (a build killed
    between renaming its folder and replacing CURRENT leaves a complete one nobody uses)."""
    removed = []
    keep = _kept(root)
    for child in root.iterdir():
        if not child.is_dir():
            continue
        if child.name.startswith(".build-") or (
                child.name.startswith("gen-") and child.name not in keep):
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child.name)
    return removed


def _kept(root: Path) -> set[str]:
    """The live generation and the one before it (requests may still be reading it)."""
    keep = set()
    for pointer in (CURRENT, PREVIOUS):
        with contextlib.suppress(OSError):
            keep.add((root / pointer).read_text("utf-8").strip())
    return keep


def new_build_dir(root: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    path = root / f".build-{stamp}"
    path.mkdir()
    return path


def publish(root: Path, build: Path, pause: Callable[[Path], None] | None = None) -> Path:
    """Make ``build`` the live generation atomically and prune older generations.

    PREVIOUS is written before CURRENT, so at every instant the two name the generations to
    keep; ``pause`` is the test hook between the rename and the pointers. The checksums of
    every file are recorded first, so they are part of the atomic generation."""
    integrity.write_manifest(build)
    _fsync_tree(build)
    gen = root / ("gen-" + build.name[len(".build-") :])
    os.rename(build, gen)
    if pause is not None:
        pause(gen)
    old = live_generation(root)
    if old is not None and not integrity.verify(old).sound:
        old = _sound_previous(root)  # a damaged generation is no fallback: keep the one before
        if old is None:
            with contextlib.suppress(FileNotFoundError):
                (root / PREVIOUS).unlink()
    if old is not None:
        _write_atomic(root / PREVIOUS, old.name + "\n")
    _write_atomic(root / CURRENT, gen.name + "\n")
    for child in root.iterdir():
        if child.name.startswith("gen-") and child.is_dir() and child.name not in _kept(root):
            shutil.rmtree(child, ignore_errors=True)
    return gen


def _sound_previous(root: Path) -> Path | None:
    try:
        name = (root / PREVIOUS).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    gen = root / name
    if not name or "/" in name or not (gen / UNITS_DB).is_file():
        return None
    return gen if integrity.verify(gen).sound else None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_tree(path: Path) -> None:
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            with contextlib.suppress(OSError):
                fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        _fsync_dir(Path(dirpath))


# ---- units database -----------------------------------------------------------------------

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (
    doc_id TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha1 TEXT, encoding TEXT,
    units INTEGER
);
CREATE TABLE IF NOT EXISTS docs (
    dn INTEGER PRIMARY KEY, doc_id TEXT UNIQUE NOT NULL, title TEXT, subtitle TEXT,
    published TEXT, source TEXT, author TEXT, year INTEGER, year_source TEXT, regions TEXT,
    meta TEXT, outline TEXT, tables TEXT, units INTEGER
);
CREATE TABLE IF NOT EXISTS texts (
    dn INTEGER NOT NULL, first INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (dn, first)
) WITHOUT ROWID;
"""


def uid(doc_id: str, ordinal: int) -> str:
    """A unit's key in the units database (and the API's ``uid``)."""
    return f"{doc_id}#{ordinal}"


def connect(gen: Path, readonly: bool = False) -> sqlite3.Connection:
    path = gen / UNITS_DB
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path)
        conn.executescript(SCHEMA_SQL)
    conn.row_factory = sqlite3.Row
    return conn


def read_info(conn: sqlite3.Connection) -> dict[str, str]:
    return {row["key"]: row["value"] for row in conn.execute("SELECT key, value FROM info")}
