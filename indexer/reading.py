"""Find corpus files and decode them: UTF-8 (with or without BOM), UTF-16, GB18030/GBK, Big5.

There is no reliable byte-level test between GB18030 and Big5 (each decodes much of the other
without error), so a candidate wins by how plausible its text is: the share of characters that
are common in Chinese writing, ASCII or punctuation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis import HAN_RE, fold

SUFFIXES = (".txt", ".md")
MAX_BYTES = 64 * 1024 * 1024  # a larger file is not a report
_SAMPLE = 20000


class SkipFile(Exception):
    """A corpus file that cannot be indexed; the message is the reason shown to the user."""


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    doc_id: str  # path relative to the corpus, with '/' separators
    size: int
    mtime_ns: int


def scan_corpus(root: Path) -> tuple[list[CorpusFile], list[tuple[str, str]]]:
    """Every .txt and .md file under ``root`` (following no symlinked directories twice).

    Returns the files and the (path, reason) pairs of entries that could not be listed.
    """
    files: list[CorpusFile] = []
    problems: list[tuple[str, str]] = []
    seen_dirs: set[tuple[int, int]] = set()

    def onerror(err: OSError) -> None:
        problems.append((_rel(root, Path(err.filename or root)), f"cannot list: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=onerror):
        try:
            st = os.stat(dirpath)
        except OSError as err:
            problems.append((_rel(root, Path(dirpath)), f"cannot list: {err.strerror}"))
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:  # a symlink loop or a second link to the same folder
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except OSError as err:
                problems.append((_rel(root, path), f"cannot read: {err.strerror}"))
                continue
            if not path.is_file():
                continue
            files.append(CorpusFile(path, _rel(root, path), st.st_size, st.st_mtime_ns))
    files.sort(key=lambda f: f.doc_id)
    return files, problems


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as err:
        raise SkipFile(f"cannot read: {err.strerror}") from err
    if len(data) > MAX_BYTES:
        raise SkipFile(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    return data


def plausibility(text: str) -> float:
    """Share of characters that look like real Chinese text (0..1)."""
    from indexer.clean import RARE, char_logp

    sample = fold(text[:_SAMPLE])
    if not sample:
        return 0.0
    logp = char_logp()
    good = 0
    for ch in sample:
        if HAN_RE.match(ch):
            good += logp.get(ch, -99) > RARE
        elif ch.isascii() or ch.isspace() or 0x3000 <= ord(ch) <= 0x303F or 0xFF00 <= ord(ch) <= 0xFFEF:
            good += ch.isprintable() or ch in "\n\r\t"
        elif ch in "“”‘’…—·•":
            good += 1
    return good / len(sample)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(head) * 0.05


def decode(data: bytes) -> tuple[str, str]:
    """Decode a corpus file; return (text, encoding name). Raise SkipFile if it is not text."""
    if not data.strip():
        raise SkipFile("empty file")
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as err:
                raise SkipFile(f"invalid {enc}") from err
    if _looks_binary(data):
        raise SkipFile("binary file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[float, str, str]] = []
    for enc in ("gb18030", "big5hkscs"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((plausibility(text), enc, text))
    # Mostly UTF-8 with a damaged stretch: keep it, marking the damage.
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(8, len(text) // 100):
        candidates.append((plausibility(text) + 0.05, "utf-8 (damaged)", text))
    if not candidates:
        raise SkipFile("not UTF-8, GB18030 or Big5 text")
    score, enc, text = max(candidates)
    if score < 0.6:
        raise SkipFile("undecodable: no encoding gives readable Chinese text")
    return text, enc


def read_text(path: Path) -> tuple[str, str, bytes]:
    """(text, encoding, raw bytes) of a corpus file, or SkipFile."""
    data = read_bytes(path)
    text, enc = decode(data)
    return text, enc, data
