"""The live index as the query side sees it: opened once, searchers reused per thread, and
swapped for the new generation (without a restart) when a rebuild publishes one.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from whoosh import index as whoosh_index

from indexer import store, unit_arrays, unit_texts, word_dictionary
from indexer.schema import SCHEMA_VERSION
from search_app.doc_types import LABELS, DocLabels, issuer_of_row, type_of
from search_app.postings import PostingCache, PostingReader
from search_app.scoring import Scorer

CHECK_EVERY = 1.0  # seconds between looks at the CURRENT pointer


class Snapshot:
    """One generation of the index: Whoosh index, units database, the unit arrays written at
    build time (memory-mapped: opening reads no stored document) and the posting cache."""

    def __init__(self, gen: Path, cache_mb: float | None = None):
        self.gen = gen
        conn = store.connect(gen, readonly=True)
        try:
            self.info = store.read_info(conn)
            version = self.info.get("schema_version")
            if version != str(SCHEMA_VERSION):  # before reading tables it may not have
                raise store.OldIndex(
                    f"the index at {gen.parent} was built by another version of policy-search "
                    f"(index format {version}, this version reads {SCHEMA_VERSION}): "
                    "run `policy-search index --full` to rebuild it")
            self.doc_count = conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
            self.unit_count = unit_texts.unit_count(conn)
        finally:
            conn.close()
        try:
            self.arrays = unit_arrays.open_arrays(gen)
        except unit_arrays.MissingArrays as err:
            raise store.OldIndex(f"{err}: run `policy-search index --full` to rebuild it") \
                from None
        if not (gen / word_dictionary.FILE).is_file():
            raise store.OldIndex(f"{gen.name} has no word dictionary: run "
                                 "`policy-search index --full` to rebuild it")
        self.words = word_dictionary.GenerationWords(gen)
        self.ix = whoosh_index.open_dir(str(gen))
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list = []  # every thread's searcher and connection, closed together
        # closed with the snapshot, or when it is dropped without close() (a test's app)
        self._finalizer = weakref.finalize(self, _release, self._opened, self.ix, self.words)
        self.postings = PostingCache(cache_mb)
        self.norms: dict = {}  # field -> BM25 length norm per unit, filled by scoring.py
        self.place_cache: dict = {}  # facets.py: per region filter, what each group counts as
        # doc_types.py: each unit's document kind and issuer, worked out on first use
        self.doc_types = DocLabels(type_of, LABELS)
        self.issuers = DocLabels(issuer_of_row)
        self.corpus = self.info.get("corpus", "")

    def scorer(self) -> Scorer:
        """This thread's query evaluator (its own Whoosh readers, the shared caches)."""
        scorer = getattr(self._local, "scorer", None)
        if scorer is None:
            searcher = self.searcher()
            reader = PostingReader(searcher, self.arrays.live, self.postings)
            scorer = self._local.scorer = Scorer(searcher, reader, self.arrays.lengths,
                                                 self.norms)
        return scorer

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

    def close(self) -> None:
        """Close every thread's searcher and database connection, then the index."""
        self._local = threading.local()
        self._finalizer()


def _release(opened: list, ix, words) -> None:
    while opened:
        opened.pop().close()
    ix.close()
    words.close()


class Engine:
    """Follows an index folder: ``snapshot()`` returns the live generation.

    With ``warm`` set (the server sets it), a new generation is opened and warmed by that
    function in a background thread while requests go on being answered from the previous
    one, and swapped in when ready: no request pays for loading a large index's facet data and
    length norms. Without it (scripts, tests), the first call after a rebuild opens the new
    generation itself.

    With a ``guard`` (``health.Guard``; the web app sets one), the generation served is the
    one the guard finds sound: the live one, else PREVIOUS, else ``DamagedIndex``."""

    def __init__(self, index_dir: Path | str, warm: Callable[[Snapshot], object] | None = None,
                 guard=None):
        self.index_dir = Path(index_dir)
        self.warm = warm
        self.guard = guard
        if guard is not None:
            guard.on_damage(self._look_again)
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
            if self.guard is None:
                gen = store.require_live(self.index_dir)
            else:
                gen = self._guarded()
            stale = self._snap is not None and self._snap.gen != gen
            if self._snap is None or stale and (self.warm is None
                                                or self._damaged(self._snap.gen)):
                # The old snapshot is not closed here: requests still running hold it, and
                # its finalizer closes its files when the last of them lets go. A damaged
                # one is dropped at once, not kept while the fallback warms.
                self._snap = Snapshot(gen) if self.guard is None else self._open(gen)
            elif self._snap.gen != gen and self._warming != gen:
                self._warming = gen
                threading.Thread(target=self._warm_and_swap, args=(gen,), daemon=True,
                                 name=f"warm {gen.name}").start()
            return self._snap

    # ---- damage (health.py): choose a sound generation, open it, look again on news ----

    def _guarded(self) -> Path:
        try:
            return self.guard.choose(self.index_dir)
        except store.DamagedIndex:
            self._snap = None  # never answer from a generation known to be damaged
            raise

    def _open(self, gen: Path) -> Snapshot:
        """Open ``gen``; one that cannot even be opened is damaged: choose again."""
        for _ in range(3):
            try:
                return Snapshot(gen)
            except Exception as err:
                if not self.guard.cannot_open(gen, err):
                    raise
                gen = self._guarded()
        return Snapshot(gen)

    def _damaged(self, gen: Path) -> bool:
        return self.guard is not None and self.guard.damage(gen) is not None

    def served(self) -> Path | None:
        """The generation answering now (None before the first ``snapshot()``)."""
        snap = self._snap
        return snap.gen if snap is not None else None

    def _look_again(self) -> None:
        """A verification found damage: the next ``snapshot()`` chooses again."""
        self._checked = 0.0

    def _warm_and_swap(self, gen: Path) -> None:
        snap = None
        try:
            snap = Snapshot(gen)
            self.warm(snap)
        except Exception as err:  # noqa: BLE001 - pruned or broken meanwhile: the next look retries
            if self.guard is not None:
                self.guard.cannot_open(gen, err)
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
            **({"degraded": self.guard.degraded} if self.guard and self.guard.degraded else {}),
        }


def loads(value: str | None, default):
    if not value:
        return default
    try:
        return json.loads(value)
    except ValueError:
        return default
