"""The live index as the query side sees it: opened once, searchers reused per thread, and
swapped for the new generation (without a restart) when a rebuild publishes one.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from indexer import store

CHECK_EVERY = 1.0  # seconds between looks at the CURRENT pointer


@dataclass(frozen=True)
class FacetGroup:
    """What filters and facets look at in a unit; many units share one (a report's plain
    paragraphs all inherit its places and year)."""

    year: int | None
    regions: tuple[str, ...]  # full paths 'a/b/c'
    inferred: bool  # the year was inferred from the text


@dataclass
class UnitFacets:
    """Per-document-number data for filters and facet counts, loaded once per generation:
    ``keys[docnum]`` indexes ``groups``, so a search counts groups, not units."""

    keys: list[int] = field(default_factory=list)
    groups: list[FacetGroup] = field(default_factory=list)
    # (facet level, region filter) -> group -> (passes the filter, facet values); filled by
    # facets.count, bounded by the groups times the region filters asked for
    place_cache: dict = field(default_factory=dict)


class Snapshot:
    """One generation of the index: Whoosh index, units database, cached facet data."""

    def __init__(self, gen: Path):
        self.gen = gen
        self.ix = whoosh_index.open_dir(str(gen))
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list = []  # every thread's searcher and connection, closed together
        # closed with the snapshot, or when it is dropped without close() (a test's app)
        self._finalizer = weakref.finalize(self, _release, self._opened, self.ix)
        self._facets: UnitFacets | None = None
        self.field_lengths: dict = {}  # (segment, field) -> lengths, filled by evaluate.py
        conn = store.connect(gen, readonly=True)
        try:
            self.info = store.read_info(conn)
            self.doc_count = conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
            self.unit_count = conn.execute("SELECT COUNT(*) FROM units").fetchone()[0]
        finally:
            conn.close()
        self.corpus = self.info.get("corpus", "")

    def searcher(self):
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher()
            with self._lock:
                self._opened.append(s)
        return s

    def db(self):
        conn = getattr(self._local, "db", None)
        if conn is None:
            conn = self._local.db = store.connect(self.gen, readonly=True)
            with self._lock:
                self._opened.append(conn)
        return conn

    def facet_data(self) -> UnitFacets:
        """Year and regions of every unit by Whoosh document number (built on first use)."""
        if self._facets is None:
            reader = self.searcher().reader()  # before the lock: searcher() takes it too
            with self._lock:
                if self._facets is None:
                    self._facets = self._load_facets(reader, self._inferred_docs())
        return self._facets

    def _inferred_docs(self) -> set[str]:
        conn = store.connect(self.gen, readonly=True)
        try:
            rows = conn.execute("SELECT doc_id FROM docs WHERE year_source = 'inferred'")
            return {doc_id for (doc_id,) in rows}
        finally:
            conn.close()

    @staticmethod
    def _load_facets(reader, inferred_docs: set[str] = frozenset()) -> UnitFacets:
        empty = FacetGroup(None, (), False)  # deleted documents
        index: dict[FacetGroup, int] = {empty: 0}
        keys = [0] * reader.doc_count_all()
        for docnum, stored in reader.iter_docs():
            r = stored.get("region")
            group = FacetGroup(stored.get("year") or None,
                               tuple(p for p in r.split(",") if p) if r else (),
                               stored.get("doc_id") in inferred_docs)
            keys[docnum] = index.setdefault(group, len(index))
        return UnitFacets(keys, list(index))

    def close(self) -> None:
        """Close every thread's searcher and database connection, then the index."""
        self._local = threading.local()
        self._finalizer()


def _release(opened: list, ix) -> None:
    while opened:
        opened.pop().close()
    ix.close()


class Engine:
    """Follows an index folder: ``snapshot()`` returns the live generation.

    With ``warm`` set (the server sets it), a new generation is opened and warmed by that
    function in a background thread while requests go on being answered from the previous
    one, and swapped in when ready: no request pays for loading a large index's facet data and
    length norms. Without it (scripts, tests), the first call after a rebuild opens the new
    generation itself."""

    def __init__(self, index_dir: Path | str, warm: Callable[[Snapshot], object] | None = None):
        self.index_dir = Path(index_dir)
        self.warm = warm
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        self._checked = 0.0
        self._warming: Path | None = None  # the generation being warmed in the background

    def snapshot(self) -> Snapshot:
        now = time.monotonic()
        snap = self._snap
        if snap is not None and now - self._checked < CHECK_EVERY:
            return snap
        with self._lock:
            self._checked = now
            gen = store.require_live(self.index_dir)
            if self._snap is None or (self._snap.gen != gen and self.warm is None):
                # The old snapshot is not closed here: requests still running hold it, and
                # its finalizer closes its files when the last of them lets go.
                self._snap = Snapshot(gen)
            elif self._snap.gen != gen and self._warming != gen:
                self._warming = gen
                threading.Thread(target=self._warm_and_swap, args=(gen,), daemon=True,
                                 name=f"warm {gen.name}").start()
            return self._snap

    def _warm_and_swap(self, gen: Path) -> None:
        snap = None
        try:
            snap = Snapshot(gen)
            self.warm(snap)
        except Exception:  # noqa: BLE001 - pruned or broken meanwhile: the next look retries
            snap = None
        with self._lock:
            if snap is not None and self._snap is not None:
                self._snap = snap
            self._warming = None

    def close(self) -> None:
        """Close the live snapshot (its files and connections)."""
        with self._lock:
            snap, self._snap = self._snap, None
        if snap is not None:
            snap.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def health(self) -> dict:
        snap = self.snapshot()
        size = sum(p.stat().st_size for p in snap.gen.iterdir() if p.is_file())
        return {
            "ok": True,
            "generation": snap.gen.name,
            "documents": snap.doc_count,
            "units": snap.unit_count,
            "index_bytes": size,
            "built_at": snap.info.get("built_at"),
            "schema_version": snap.info.get("schema_version"),
        }


def loads(value: str | None, default):
    if not value:
        return default
    try:
        return json.loads(value)
    except ValueError:
        return default
