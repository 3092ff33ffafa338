"""Build or update the index: atomic (a new generation beside the live one), incremental
(only added, changed and deleted files are touched) and parallel (one Whoosh segment per
worker process).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import multiprocessing
import os
import queue
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import NO_MERGE, SegmentWriter

from indexer import integrity, store, unit_arrays, unit_texts, word_dictionary
from indexer.analysis import tokenizer
from indexer.codec import Codec, FastSegmentWriter
from indexer.places import gazetteer
from indexer.reading import CorpusFile, scan_corpus
from indexer.records import FileResult, process_file, warm_up
from indexer.schema import SCHEMA_VERSION, make_schema

WRITER_LIMIT_MB = 256
PR_SET_PDEATHSIG = 1  # prctl(2)


class CorpusError(Exception):
    """The corpus folder is missing or holds nothing to index."""


@dataclass
class Progress:
    files_done: int
    files_total: int
    units: int
    seconds: float


@dataclass
class BuildReport:
    corpus: str
    index_dir: str
    documents: int = 0  # in the index after this build
    units: int = 0
    files_seen: int = 0
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    analysed_units: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    removed_leftovers: list[str] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False
    up_to_date: bool = False
    generation: str = ""


@dataclass
class _Plan:
    process: list[CorpusFile]
    added: set[str]
    changed: set[str]
    deleted: set[str]
    unchanged: int


def checkpoint(stage: str, where: Path) -> None:
    """Test hook: with POLICY_SEARCH_PAUSE_AT=<stage>, announce the stage and wait there, so a
    test can kill the build at a known point (analysis, commit, swap, and publish: between
    renaming the build folder to gen-* and replacing CURRENT)."""
    if os.environ.get("POLICY_SEARCH_PAUSE_AT") == stage:
        (where / f"PAUSED-{stage}").touch()
        time.sleep(float(os.environ.get("POLICY_SEARCH_PAUSE_SECONDS", "30")))


def _plan(files: list[CorpusFile], manifest: dict[str, dict] | None) -> _Plan:
    if manifest is None:
        return _Plan(files, {f.doc_id for f in files}, set(), set(), 0)
    process, added, changed, unchanged = [], set(), set(), 0
    for f in files:
        old = manifest.get(f.doc_id)
        if old is None:
            process.append(f)
            added.add(f.doc_id)
        elif old["size"] == f.size and old["mtime_ns"] == f.mtime_ns:
            unchanged += 1
        elif _sha1(f.path) == old["sha1"]:
            unchanged += 1  # touched, same bytes
        else:
            process.append(f)
            changed.add(f.doc_id)
    deleted = set(manifest) - {f.doc_id for f in files}
    return _Plan(process, added, changed, deleted, unchanged)


def _sha1(path: Path) -> str:
    try:
        return hashlib.sha1(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _manifest(gen: Path) -> dict[str, dict] | None:
    """The live build's file list, or None when it was built by another schema version."""
    conn = store.connect(gen, readonly=True)
    try:
        info = store.read_info(conn)
        if info.get("schema_version") != str(SCHEMA_VERSION):
            return None
        return {r["doc_id"]: dict(r) for r in conn.execute("SELECT * FROM files")}
    finally:
        conn.close()


def build_index(
    corpus: Path | str,
    index_dir: Path | str,
    full: bool = False,
    jobs: int | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> BuildReport:
    """Bring the index at ``index_dir`` up to date with ``corpus``; see the module docstring."""
    start = time.perf_counter()
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not corpus.exists():
        raise CorpusError(f"corpus folder {corpus} does not exist")
    if not corpus.is_dir():
        raise CorpusError(f"corpus {corpus} is not a folder")
    files, problems = scan_corpus(corpus)
    if not files:
        raise CorpusError(f"no .txt, .md, .html, .pdf, .docx or .doc files under {corpus}")
    store.ensure_root(index_dir)
    report = BuildReport(str(corpus), str(index_dir), full=full, files_seen=len(files))
    report.skipped.extend(problems)
    with store.build_lock(index_dir):
        report.removed_leftovers = store.remove_leftovers(index_dir)
        live = store.live_generation(index_dir)
        damage = integrity.verify(live).first() if live is not None and not full else None
        if damage:  # an update copies the live files: damage would get new checksums
            report.warnings.append(f"the live index is damaged ({damage}): rebuilding everything")
            live = None
        manifest = _manifest(live) if live is not None and not full else None
        report.full = manifest is None
        plan = _plan(files, manifest)
        report.added, report.changed = len(plan.added), len(plan.changed)
        report.deleted, report.unchanged = len(plan.deleted), plan.unchanged
        if manifest is not None and not (plan.process or plan.deleted):
            report.up_to_date = True
            _fill_totals(report, live)
            report.generation = live.name
            report.seconds = time.perf_counter() - start
            return report
        build = store.new_build_dir(index_dir)
        try:
            _write_generation(build, live if manifest is not None else None, plan, jobs,
                              report, progress, start)
            checkpoint("swap", build)
            gen = store.publish(index_dir, build, pause=lambda g: checkpoint("publish", g))
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        report.generation = gen.name
        _fill_totals(report, gen)
    report.seconds = time.perf_counter() - start
    return report


def _fill_totals(report: BuildReport, gen: Path) -> None:
    conn = store.connect(gen, readonly=True)
    try:
        report.documents = conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        report.units = unit_texts.unit_count(conn)
    finally:
        conn.close()


def _write_generation(build: Path, live: Path | None, plan: _Plan, jobs: int | None,
                      report: BuildReport, progress, start: float) -> None:
    if live is None:
        whoosh_index.create_in(str(build), make_schema())
    else:
        for item in live.iterdir():
            if item.is_file():
                shutil.copy2(item, build / item.name)
    ix = whoosh_index.open_dir(str(build))
    tasks = sorted(plan.process, key=lambda f: -f.size)  # big files first: better balance
    nproc = _worker_count(jobs, len(tasks))
    warm_up()  # before forking: workers inherit the loaded dictionaries
    pool = _WorkerPool(str(build), nproc) if nproc > 1 else None
    conn = store.connect(build)
    writer = ix.writer(limitmb=WRITER_LIMIT_MB, codec=Codec(), compound=False)
    local = None if pool else FastSegmentWriter(ix, limitmb=WRITER_LIMIT_MB)
    try:
        for doc_id in sorted(plan.changed | plan.deleted):
            writer.delete_by_term("doc_id", doc_id)
            unit_texts.delete_document(conn, doc_id)
            conn.execute("DELETE FROM files WHERE doc_id = ?", (doc_id,))
        results = pool.run(tasks) if pool else _run_here(tasks, local)
        done = units = 0
        for res in results:
            done += 1
            units += res.units
            _store_result(conn, res, report)
            if progress:
                progress(Progress(done, len(tasks), units, time.perf_counter() - start))
            if done == len(tasks) // 2:
                checkpoint("analysis", build)
        report.analysed_units = units
        checkpoint("commit", build)
        segments = pool.segments if pool else [_finish_segment(local)]
        _commit(writer, segments)
        inferred = {d for (d,) in conn.execute(
            "SELECT doc_id FROM docs WHERE year_source = 'inferred'")}
        unit_arrays.write_generation(build, inferred)
        word_dictionary.write(build, tokenizer(), gazetteer())
        conn.executemany(
            "INSERT OR REPLACE INTO info (key, value) VALUES (?, ?)",
            [("schema_version", str(SCHEMA_VERSION)),
             ("built_at", time.strftime("%Y-%m-%dT%H:%M:%S%z")),
             ("corpus", report.corpus)],
        )
        conn.commit()
    except BaseException:
        if pool:
            pool.terminate()
        if local is not None and not local.is_closed:
            with contextlib.suppress(Exception):
                local._close_segment()
        if not writer.is_closed:
            with contextlib.suppress(Exception):
                writer.cancel()
        raise
    finally:
        conn.close()
        ix.close()


def _store_result(conn, res: FileResult, report: BuildReport) -> None:
    report.warnings.extend(res.warnings)
    if res.skipped:
        report.skipped.append((res.doc_id, res.skipped))
    if res.doc_row is not None:
        unit_texts.write_document(conn, res.doc_row, res.units, res.chunks)
    if res.sha1:  # remembered even when skipped, so an unchanged bad file is not re-read
        conn.execute(
            "INSERT OR REPLACE INTO files (doc_id, size, mtime_ns, sha1, encoding, units) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (res.doc_id, res.size, res.mtime_ns, res.sha1, res.encoding, res.units),
        )


def _commit(writer: SegmentWriter, worker_segments: list) -> None:
    """Commit the parent's writer together with the segments the workers wrote.

    No segment is merged: a merged segment would have no unit arrays (nothing is stored to
    rebuild them from), and Whoosh's generic merge copies postings one by one through its
    ``PostingPool`` (with the codec of schema 9 it failed outright, ``vbytes=''``). An update
    adds a segment per worker; ``--full`` rebuilds into one per worker again."""
    final = writer._merge_segments(NO_MERGE, False, False)
    final.extend(s for s in worker_segments if s is not None)
    if writer._added:
        raise RuntimeError("the parent's writer got units: they would have no unit arrays")
    writer._close_segment()
    writer._commit_toc(final)
    writer._finish()


def _finish_segment(writer: FastSegmentWriter):
    """The segment a unit writer made, or None if it got no units."""
    if writer._added:
        return writer._finalize_segment()
    writer._close_segment()  # never _finish(): it would delete the shared temp folder
    return None


def _worker_count(jobs: int | None, ntasks: int) -> int:
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 4)
    return max(1, min(jobs, ntasks // 2 or 1))


def _run_here(tasks: list[CorpusFile], writer: FastSegmentWriter) -> Iterator[FileResult]:
    for task in tasks:
        res, docs = process_file(task)
        for d in docs:
            writer.add_document(**d)
        yield res


# ---- worker processes ---------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    """Have Linux SIGKILL this worker when the build process dies, even by ``kill -9``, so no
    orphan keeps writing into a build folder that the next build removes. (Under the fork
    start method, the build is the parent; under forkserver the signal follows the server.)"""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if multiprocessing.get_start_method() == "fork" and os.getppid() != parent:
        os._exit(1)  # the build died before the request took effect


def _worker_main(build: str, tasks, results, parent: int) -> None:
    """Analyse files from ``tasks`` into a Whoosh segment of our own; report each file."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    warm_up()  # already loaded when forked; loads here under the spawn start method
    ix = whoosh_index.open_dir(build)
    writer = FastSegmentWriter(ix, limitmb=WRITER_LIMIT_MB)
    while True:
        try:
            task = tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:  # orphaned: the build was killed
                return
            continue
        if task is None:
            break
        res, docs = process_file(task)
        for d in docs:
            writer.add_document(**d)
        res.unit_rows = []  # the parent stores res.chunks
        results.put(("file", res))
    results.put(("segment", _finish_segment(writer)))


class _WorkerPool:
    def __init__(self, build: str, n: int):
        ctx = multiprocessing.get_context()
        self.tasks = ctx.Queue()
        self.results = ctx.Queue()
        self.procs = [
            ctx.Process(target=_worker_main, args=(build, self.tasks, self.results, os.getpid()),
                        daemon=True, name=f"policy-search-worker-{i}")
            for i in range(n)
        ]
        for p in self.procs:
            p.start()
        self.segments: list = []

    def run(self, tasks: list[CorpusFile]) -> Iterator[FileResult]:
        for t in tasks:
            self.tasks.put(t)
        for _ in self.procs:
            self.tasks.put(None)
        pending_files, pending_workers = len(tasks), len(self.procs)
        while pending_files or pending_workers:
            try:
                kind, payload = self.results.get(timeout=5.0)
            except queue.Empty:
                dead = [p for p in self.procs if not p.is_alive() and p.exitcode not in (0, None)]
                if dead:
                    raise RuntimeError(f"a build worker died (exit code {dead[0].exitcode})") \
                        from None
                continue
            if kind == "file":
                pending_files -= 1
                yield payload
            else:
                pending_workers -= 1
                self.segments.append(payload)
        for p in self.procs:
            p.join(timeout=30)

    def terminate(self) -> None:
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(timeout=5)
