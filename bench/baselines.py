"""Baselines measured in the same run, on the same files.

- floor: reading + folding + jieba segmentation alone, with as many worker processes as our
  build uses: the least any jieba-based design must pay.
- naive: the textbook Whoosh set-up: one document per non-empty line, jieba's ChineseAnalyzer,
  the default writer; its query page is ``search(limit=10)``, Whoosh's highlighter on the ten
  hits and ``groupedby`` counts on the one facet-like field it has (the file path).
- anchors (optional, ``pip install -e '.[bench]'``): SQLite FTS5 and tantivy over the same
  pre-segmented lines, to show how far pure Python is from native engines.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
from pathlib import Path

from bench.workload import Query

_CHUNK = 16


def corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".txt", ".md") and p.is_file())


def _floor_chunk(paths: list[str]) -> int:
    from indexer.analysis import prepare, word_tokens

    tokens = 0
    for p in paths:
        text = Path(p).read_bytes().decode("utf-8", errors="replace")
        for line in text.splitlines():
            if line.strip():
                tokens += len(word_tokens(prepare(line)))
    return tokens


def _warm() -> None:
    from indexer.analysis import tokenizer

    tokenizer()


def floor(root: Path, jobs: int) -> dict:
    """Seconds to read, fold and segment every line with ``jobs`` processes."""
    paths = [str(p) for p in corpus_files(root)]
    chunks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    start = time.perf_counter()
    ctx = multiprocessing.get_context()
    with ctx.Pool(jobs, initializer=_warm) as pool:
        tokens = sum(pool.imap_unordered(_floor_chunk, chunks))
    return {"seconds": time.perf_counter() - start, "tokens": tokens, "jobs": jobs}


# ---- naive Whoosh -------------------------------------------------------------------------


def naive_build(root: Path, index_dir: Path, procs: int = 1) -> dict:
    """The textbook set-up; ``procs`` > 1 uses Whoosh's own multi-process writer (its
    documented way to index faster), which the real corpus needs to fit the run."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(path=ID(stored=True), content=TEXT(stored=True, analyzer=ChineseAnalyzer()))
    index_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer(procs=procs, limitmb=128) if procs > 1 else ix.writer()
    docs = 0
    for p in corpus_files(root):
        rel = p.relative_to(root).as_posix()
        for line in p.read_bytes().decode("utf-8", errors="replace").splitlines():
            if line.strip():
                writer.add_document(path=rel, content=line)
                docs += 1
    writer.commit()
    seconds = time.perf_counter() - start
    ix.close()
    return {"seconds": seconds, "documents": docs, "bytes": dir_size(index_dir)}


class NaivePage:
    """The textbook results page: parse, search(limit=10), highlights, and (unless ``plain``)
    groupedby, which scores every match to group by file."""

    def __init__(self, index_dir: Path, plain: bool = False):
        self.plain = plain
        from whoosh import index
        from whoosh.qparser import QueryParser

        self.ix = index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("content", self.ix.schema)

    def run(self, query: Query) -> int:
        q = self.parser.parse(query.q)
        if self.plain:
            results = self.searcher.search(q, limit=10)
        else:
            results = self.searcher.search(q, limit=10, groupedby="path")
            results.groups("path")
        for hit in results:
            hit.highlights("content")
        return len(results)

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


# ---- native anchors -----------------------------------------------------------------------


def _segmented_lines(root: Path):
    from indexer.analysis import prepare, word_tokens

    for p in corpus_files(root):
        for line in p.read_bytes().decode("utf-8", errors="replace").splitlines():
            if line.strip():
                yield " ".join(word_tokens(prepare(line)))


def fts5_anchor(root: Path, work: Path, queries: list[Query]) -> dict | None:
    """SQLite FTS5 over pre-segmented lines (segmentation time excluded)."""
    try:
        conn = sqlite3.connect(work / "fts5.sqlite")
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(content)")
    except sqlite3.OperationalError:
        return None
    lines = list(_segmented_lines(root))
    start = time.perf_counter()
    conn.executemany("INSERT INTO t (content) VALUES (?)", ((ln,) for ln in lines))
    conn.commit()
    build = time.perf_counter() - start
    from indexer.analysis import prepare, query_words

    times = []
    for q in queries:
        words = [w for w in query_words(prepare(q.q.strip('"'))) if w.strip()]
        if not words:
            continue
        match = " ".join('"' + w.replace('"', "") + '"' for w in words)
        t = time.perf_counter()
        try:  # ten hits with highlights, and the total, as our page shows
            conn.execute("SELECT highlight(t, 0, '<mark>', '</mark>') FROM t WHERE t MATCH ? "
                         "ORDER BY rank LIMIT 10 OFFSET ?", (match, (q.page - 1) * 10)).fetchall()
            conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()
        except sqlite3.OperationalError:
            continue
        times.append(time.perf_counter() - t)
    conn.close()
    return {"build_seconds": build, "query_seconds": times}


def tantivy_anchor(root: Path, work: Path, queries: list[Query]) -> dict | None:
    try:
        import tantivy  # type: ignore[import-not-found]
    except ImportError:
        return None
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("content", stored=True, tokenizer_name="whitespace")
    schema = builder.build()
    path = work / "tantivy"
    path.mkdir()
    ix = tantivy.Index(schema, path=str(path))
    lines = list(_segmented_lines(root))
    start = time.perf_counter()
    writer = ix.writer()
    for ln in lines:
        writer.add_document(tantivy.Document(content=ln))
    writer.commit()
    build = time.perf_counter() - start
    ix.reload()
    searcher = ix.searcher()
    from indexer.analysis import prepare, query_words

    times = []
    for q in queries:
        words = [w for w in query_words(prepare(q.q.strip('"'))) if w.strip()]
        if not words:
            continue
        t = time.perf_counter()
        try:
            parsed = ix.parse_query(" AND ".join(f'"{w}"' for w in words), ["content"])
            searcher.search(parsed, 10)
        except ValueError:
            continue
        times.append(time.perf_counter() - t)
    return {"build_seconds": build, "query_seconds": times}


def dir_size(path: Path) -> int:
    total = 0
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            try:
                total += os.path.getsize(os.path.join(dirpath, name))
            except OSError:
                pass
    return total
