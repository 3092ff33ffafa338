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

import hashlib
import json
import math
import re
import sqlite3
import threading
from importlib import resources
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


# what the dictionary is made from, besides jieba's own: a change to any of them changes it
_SOURCES = ("data/userdict.txt", "data/divisions.txt", "analysis.py", "places.py",
            "word_dictionary.py")


def fingerprint(tk, gaz=None) -> str:
    """Identifies the dictionary ``write`` would store: jieba's version, the project's word
    list and gazetteer (and whether place names are stored at all), the code that merges
    them, and the merged size and total."""
    import jieba

    h = hashlib.sha1(f"{jieba.__version__}:{tk.total}:{len(tk.FREQ)}:{gaz is not None}"
                     .encode())
    here = resources.files("indexer")
    for name in _SOURCES:
        h.update(here.joinpath(name).read_bytes())
    return h.hexdigest()


def _stored_fingerprint(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM info WHERE key = 'fingerprint'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def write(gen: Path, tk, gaz=None) -> None:
    """Store ``tk``'s prefix dictionary (word -> frequency, 0 for a prefix that is no word)
    and the gazetteer's place names (for matching a place in a query to units' regions).

    An update starts from a copy of the live generation: when that copy holds the same
    dictionary (same fingerprint) it is kept, which saves 0.6 s of a one-file update."""
    path = gen / FILE
    fp = fingerprint(tk, gaz)
    if _stored_fingerprint(path) == fp:
        return
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
                         [("total", tk.total), ("maxlen", max(map(len, tk.FREQ), default=1)),
                          ("fingerprint", fp)])
        conn.commit()
    finally:
        conn.close()
    tmp.replace(path)


# jieba 0.42's block and character classes (jieba/__init__.py: re_han_default, re_skip_default,
# re_eng): importing jieba for them costs a quarter second (it loads pkg_resources).
_HAN_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_SKIP = re.compile("(\r\n|\\s)", re.U)
_ENG = re.compile("[a-zA-Z0-9]", re.U)


def precise_cut(sentence: str, freq: dict[str, int], total: int) -> list[str]:
    """jieba's ``Tokenizer.cut(sentence, HMM=False)`` over a prefix dictionary ``freq``
    (tests/test_word_dictionary.py checks it against jieba itself)."""
    out: list[str] = []
    for block in _HAN_BLOCK.split(sentence):
        if not block:
            continue
        if _HAN_BLOCK.match(block):
            out += _cut_block(block, freq, total)
        else:
            for x in _SKIP.split(block):
                if _SKIP.match(x):
                    out.append(x)
                else:
                    out += list(x)
    return out


def _cut_block(sentence: str, freq: dict[str, int], total: int) -> list[str]:
    n = len(sentence)
    dag: dict[int, list[int]] = {}
    for k in range(n):
        ends = []
        i = k
        frag = sentence[k]
        while i < n and frag in freq:
            if freq[frag]:
                ends.append(i)
            i += 1
            frag = sentence[k : i + 1]
        dag[k] = ends or [k]
    logtotal = math.log(total)
    route: dict[int, tuple[float, int]] = {n: (0.0, 0)}
    for idx in range(n - 1, -1, -1):
        route[idx] = max((math.log(freq.get(sentence[idx : x + 1]) or 1) - logtotal
                          + route[x + 1][0], x) for x in dag[idx])
    out: list[str] = []
    x = 0
    buf = ""
    while x < n:
        y = route[x][1] + 1
        word = sentence[x:y]
        if _ENG.match(word) and len(word) == 1:
            buf += word
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(word)
        x = y
    if buf:
        out.append(buf)
    return out


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

    def cut(self, text: str) -> list[str]:
        """jieba's precise cut (no HMM) of ``text``, as the full dictionary would cut it."""
        return precise_cut(text, self._freq(text), self.total)

    def cut_for_search(self, text: str) -> list[str]:
        """jieba's search-mode cut (the index's): the words and the words inside them."""
        freq = self._freq(text)
        out: list[str] = []
        for w in precise_cut(text, freq, self.total):
            if len(w) > 2:
                out += [w[i : i + 2] for i in range(len(w) - 1) if freq.get(w[i : i + 2])]
            if len(w) > 3:
                out += [w[i : i + 3] for i in range(len(w) - 2) if freq.get(w[i : i + 3])]
            out.append(w)
        return out

    def places(self, name: str) -> list[str]:
        """The paths of the places ``name`` (folded) stands for, or none."""
        with self._lock:
            row = self.conn.execute("SELECT paths FROM places WHERE name = ?",
                                    (name,)).fetchone()
        return json.loads(row[0]) if row else []

    def close(self) -> None:
        self.conn.close()


__all__ = ["FILE", "write", "GenerationWords"]
