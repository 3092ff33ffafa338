"""Damage on the query side: which generation is sound, and what a read error means.

Issue 18: a damaged generation was served as if it were fine (tracebacks, 500s, a health
check saying ok). Here the server's ``Guard`` verifies each generation it opens in a
background thread (CRC-32 of every file, ``indexer/integrity.py``) while the request path
only compares sizes; the Engine asks it which generation to serve and falls back to
PREVIOUS when the live one is damaged (``degraded`` in ``/api/health``, a banner on the
page, one log line). A read error met by a query is ``DamagedIndex`` (a 503, never a 500)
and starts a new verification. The command line, a process per query, verifies its
generation in a thread beside the search instead (``checked_search``).
Checked by ``tests/test_damage.py``.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from indexer import check, integrity, store

# What reading a damaged Whoosh file or SQLite database raises; Whoosh's own is a bare
# ``Exception("Block tag error …")``, matched by its exact type so that bugs stay bugs.
READ_ERRORS = (OSError, EOFError, struct.error, zlib.error, sqlite3.DatabaseError,
               pickle.UnpicklingError, UnicodeDecodeError, integrity.Unreadable)

log = logging.getLogger("policy_search")


def is_read_error(err: BaseException) -> bool:
    return isinstance(err, READ_ERRORS) or type(err) is Exception


def read_error_message(gen: Path, err: BaseException) -> str:
    return f"reading {gen} failed ({type(err).__name__}: {str(err)[:120]})"


@dataclass(frozen=True)
class Verdict:
    problem: str | None  # one line naming the file, None when sound
    full: bool  # CRC-32 verified (else sizes only)
    at: float


class Guard:
    """Verdicts on generations, found in background threads, and the degraded state."""

    def __init__(self, logger: logging.Logger | None = None):
        self.log = logger or log
        self._cond = threading.Condition()
        self._verdicts: dict[Path, Verdict] = {}
        self._running: dict[Path, bool] = {}  # gen -> verify again when this run ends
        self._listeners: list[Callable[[], None]] = []
        self.degraded: str | None = None
        self._degraded_key: tuple | None = None

    def on_damage(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever a verification finds damage (the Engine looks again)."""
        self._listeners.append(listener)

    def damage(self, gen: Path) -> str | None:
        """Known damage of ``gen``, else its files' sizes compared now (a stat each)."""
        with self._cond:
            known = self._verdicts.get(gen)
        if known is not None and known.problem:
            return known.problem
        report = integrity.verify(gen, quick=True)
        if report.sound:
            return None
        self._record(gen, Verdict(report.first(), False, time.time()))
        return report.first()

    def verify_later(self, gen: Path, again: bool = False) -> None:
        """Verify every byte of ``gen`` in a background thread, once (``again``: even if it
        was verified, after a read error)."""
        with self._cond:
            if gen in self._running:
                self._running[gen] = self._running[gen] or again
                return
            known = self._verdicts.get(gen)
            if known is not None and (known.problem or known.full) and not again:
                return
            self._running[gen] = False
        threading.Thread(target=self._verify, args=(gen,), daemon=True,
                         name=f"verify {gen.name}").start()

    def _verify(self, gen: Path) -> None:
        while True:
            try:
                report = integrity.verify(gen)
                verdict = Verdict(report.first(), True, time.time())
            except Exception as err:  # noqa: BLE001 - a verifier that fails reports, not dies
                verdict = Verdict(f"{gen}: cannot verify: {err}", True, time.time())
            if not gen.is_dir():  # pruned meanwhile: nothing to say about a gone generation
                verdict = Verdict(None, True, time.time())
            self._record(gen, verdict)
            with self._cond:
                if not self._running.get(gen):
                    del self._running[gen]
                    self._cond.notify_all()
                    return
                self._running[gen] = False

    def read_failed(self, gen: Path, err: BaseException) -> None:
        """A query could not read ``gen``: verify it again (the answer is a 503 meanwhile)."""
        self.log.warning("%s; verifying it", read_error_message(gen, err))
        self.verify_later(gen, again=True)

    def cannot_open(self, gen: Path, err: BaseException) -> bool:
        """Opening ``gen`` raised ``err``: True (and ``gen`` is damaged) for a read error or
        when its checksums say so; False for a bug (the caller raises it)."""
        if isinstance(err, store.DamagedIndex) and err.__cause__ is not None:
            err = err.__cause__  # a read error that search() already named
        if is_read_error(err):
            # until the checksums say otherwise: a passing error (too many open files) must
            # not drop a sound generation for good
            self._record(gen, Verdict(read_error_message(gen, err), False, time.time()))
            self.verify_later(gen, again=True)
            return True
        return self.confirm(gen) is not None

    def confirm(self, gen: Path) -> str | None:
        """The damage of ``gen`` by its checksums, verified now unless that was done; for
        errors that only damage can explain but no read error names (a flipped bit)."""
        with self._cond:
            known = self._verdicts.get(gen)
        if known is not None and (known.full or known.problem):
            return known.problem
        report = integrity.verify(gen)
        self._record(gen, Verdict(report.first(), True, time.time()))
        return report.first()

    def _record(self, gen: Path, verdict: Verdict) -> None:
        with self._cond:
            old = self._verdicts.get(gen)
            self._verdicts[gen] = verdict
        if verdict.problem and (old is None or old.problem != verdict.problem):
            self.log.error("the index is damaged: %s", verdict.problem)
        if (old.problem if old else None) != verdict.problem:
            for listener in self._listeners:
                listener()

    def set_degraded(self, problem: str | None, serving: Path | None = None) -> None:
        """Say (and log once) that ``serving`` answers because of ``problem``."""
        key = None if problem is None else (problem, serving)
        if key == self._degraded_key:
            return
        self._degraded_key = key
        if key is None:
            self.degraded = None
            return
        since = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.degraded = (f"{problem}; serving the previous generation {serving.name} since "
                         f"{since}; {store.DamagedIndex.FIX}")
        self.log.error("serving the previous generation %s: %s", serving.name, problem)

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until no verification runs (tests); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._running, timeout)

    def choose(self, root: Path) -> Path:
        """The generation to serve: the live one when it is sound, else PREVIOUS when that
        one is; DamagedIndex when neither is (the message names the damage and the fix)."""
        current = check.live(root)
        problem = current.problem
        if current.gen is not None:
            problem = self.damage(current.gen)
            if problem is None:
                self.verify_later(current.gen)
                self.set_degraded(None)
                return current.gen
        before = check.previous(root)
        if before.gen is not None and before.gen != current.gen \
                and self.damage(before.gen) is None:
            self.verify_later(before.gen)
            self.set_degraded(problem, before.gen)
            return before.gen
        self.set_degraded(None)
        fallback = "" if before.target is None else " and the previous generation is not sound"
        raise check.damaged(f"{problem}{fallback}")


def explain(engine, err: BaseException) -> store.DamagedIndex | None:
    """The damage behind an error that escaped a request, or None for a bug: a read error
    is damage (verified again in the background); anything else is when the generation's
    checksums say so."""
    gen = engine.served()
    if is_read_error(err):
        return read_failed(engine, gen or engine.index_dir, err)
    guard = getattr(engine, "guard", None)
    problem = guard.confirm(gen) if guard is not None and gen is not None else None
    return check.damaged(problem) if problem else None


def damage_in(index, gen: Path, err: BaseException) -> store.DamagedIndex | None:
    """The damage behind an error ``search()`` met in ``gen``, or None (the error stands):
    a read error is damage; any other but a query's own is when a guard's checksums say so
    (a flipped bit can make numpy or Whoosh fail in any way; verified once per generation,
    and usually already, in the background)."""
    if is_read_error(err):
        return read_failed(index, gen, err)
    guard = getattr(index, "guard", None)
    if guard is None or type(err).__name__ == "QueryError":
        return None
    problem = guard.confirm(gen)
    return check.damaged(problem) if problem else None


def read_failed(index, gen: Path, err: BaseException) -> store.DamagedIndex:
    """The DamagedIndex for a read error met while searching ``gen``; an Engine with a guard
    verifies the generation again."""
    guard = getattr(index, "guard", None)
    if guard is not None:
        guard.read_failed(gen, err)
    return check.damaged(read_error_message(gen, err))


def checked_search(root: Path, run: Callable):
    """``run(snapshot)`` on the live generation while a thread verifies its checksums; damage
    found by either is DamagedIndex naming the file. For one-shot processes (the CLI)."""
    from search_app.engine import Snapshot

    current = check.live(root)
    if current.gen is None:
        raise check.damaged(current.problem)
    gen = current.gen
    sizes = integrity.verify(gen, quick=True)  # a cut file is named before Whoosh opens it
    if not sizes.sound:
        raise check.damaged(sizes.first())
    found: list[integrity.Report] = []
    verifier = threading.Thread(target=lambda: found.append(integrity.verify(gen)), daemon=True)
    verifier.start()

    def verdict() -> str | None:
        verifier.join()
        return found[0].first() if found else f"{gen}: cannot verify it"

    try:
        snap = Snapshot(gen)
        try:
            result = run(snap)
        finally:
            snap.close()
    except Exception as err:
        problem = verdict()
        if problem:
            raise check.damaged(problem) from None
        if isinstance(err, store.DamagedIndex):
            raise
        if is_read_error(err):
            raise check.damaged(read_error_message(gen, err)) from None
        raise
    problem = verdict()
    if problem:
        raise check.damaged(problem)
    return result
