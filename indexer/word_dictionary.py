"""The segmentation dictionary of a generation: written with it, read per query.

Loading jieba's dictionary and adding the project's words and the gazetteer's place names
costs about a second per process (a marshal of 350k words, then the additions); it was most of
what ``policy-search query`` took. At build time the merged prefix dictionary is written into
the generation as SQLite. A query then looks up only the substrings of its own text (up to
the longest word's length, a few hundred keys) and cuts with a jieba tokenizer holding just
those: jieba's DAG consults nothing else, so the cut is the one the full dictionary gives.
It also means a query is cut with exactly the dictionary its index was built with.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

FILE = "words.sqlite"
_CHUNK = 900  # SQLite's default limit on bound parameters is 999


MAX_PLACES_PER_NAME = 3  # a name more places share (鼓楼) is not taken as a place in a query


def place_names(gaz) -> list[tuple[str, str]]:
    """(name, JSON list of place paths) for every name a query may use for a place: full
    names and short forms that mean at most a few places and are not everyday words."""
    out = []
    for alias in gaz.aliases:
        cands = gaz.candidates(alias)
        if not cands or len(cands) > MAX_PLACES_PER_NAME or any(c.generic for c in cands):
            continue
        out.append((alias, json.dumps([c.place.path for c in cands], ensure_ascii=False)))
    return out


def write(gen: Path, tk, gaz=None) -> None:
    """Store ``tk``'s prefix dictionary (word -> frequency, 0 for a prefix that is no word)
    and the gazetteer's place names (for matching a place in a query to units' regions)."""
    path = gen / FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, f INTEGER) WITHOUT ROWID")
        conn.execute("CREATE TABLE info (key TEXT PRIMARY KEY, value INTEGER)")
        conn.executemany("INSERT INTO freq VALUES (?, ?)", sorted(tk.FREQ.items()))
        conn.execute("CREATE TABLE places (name TEXT PRIMARY KEY, paths TEXT) WITHOUT ROWID")
        if gaz is not None:
            conn.executemany("INSERT INTO places VALUES (?, ?)", place_names(gaz))
        conn.executemany("INSERT INTO info VALUES (?, ?)",
                         [("total", tk.total), ("maxlen", max(map(len, tk.FREQ), default=1))])
        conn.commit()
    finally:
        conn.close()
    tmp.replace(path)


class GenerationWords:
    """Cuts query texts with a generation's stored dictionary."""

    def __init__(self, gen: Path):
        self.conn = sqlite3.connect(f"file:{gen / FILE}?mode=ro", uri=True,
                                    check_same_thread=False)
        info = dict(self.conn.execute("SELECT key, value FROM info"))
        self.total = info["total"]
        self.maxlen = info["maxlen"]
        self._lock = threading.Lock()

    def _freq(self, text: str) -> dict[str, int]:
        keys = {text[k : k + j] for k in range(len(text))
                for j in range(1, min(self.maxlen, len(text) - k) + 1)}
        keys = sorted(keys)
        found: dict[str, int] = {}
        with self._lock:
            for i in range(0, len(keys), _CHUNK):
                part = keys[i : i + _CHUNK]
                found.update(self.conn.execute(
                    f"SELECT w, f FROM freq WHERE w IN ({','.join('?' * len(part))})", part))
        return found

    def _tokenizer(self, text: str):
        import jieba

        tk = jieba.Tokenizer()
        tk.FREQ = self._freq(text)
        tk.total = self.total
        tk.initialized = True
        return tk

    def cut(self, text: str) -> list[str]:
        """jieba's precise cut (no HMM) of ``text``, as the full dictionary would cut it."""
        return list(self._tokenizer(text).cut(text, HMM=False))

    def cut_for_search(self, text: str) -> list[str]:
        """jieba's search-mode cut (the index's): the words and the words inside them."""
        return list(self._tokenizer(text).cut_for_search(text, HMM=False))

    def places(self, name: str) -> list[str]:
        """The paths of the places ``name`` (folded) stands for, or none."""
        with self._lock:
            row = self.conn.execute("SELECT paths FROM places WHERE name = ?",
                                    (name,)).fetchone()
        return json.loads(row[0]) if row else []

    def close(self) -> None:
        self.conn.close()


__all__ = ["FILE", "write", "GenerationWords"]
