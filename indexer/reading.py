"""Find corpus files and decode them: UTF-8 (with or without BOM), UTF-16, GB18030/GBK, Big5.

There is no reliable byte-level test between GB18030 and Big5 (each decodes much of the other
without error), so a candidate wins by how plausible its text is: the share of characters that
are common in Chinese writing, ASCII or punctuation.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis import HAN_RE, fold

SUFFIXES = (".txt", ".md")  # plain text, read here
# Published formats, read by ``indexer.intake.READERS`` (a test keeps the two lists equal).
READER_SUFFIXES = (".html", ".htm", ".pdf", ".docx", ".doc")
ALL_SUFFIXES = SUFFIXES + READER_SUFFIXES
# The largest of 2,757 real reports is 0.17 MB, and analysing a file takes 30 to 60 times its
# size in memory (a 50 MB file: 1.4 GB and minutes), so a larger file is skipped unread.
MAX_FILE_MB = 4
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
    """Every file of a format we read (``ALL_SUFFIXES``) under ``root`` (following no symlinked directories twice).

    Returns the files and the (path, reason) pairs of entries that could not be listed.
    """
    files: list[CorpusFile] = []
    problems: list[tuple[str, str]] = []
    seen_dirs: set[tuple[int, int]] = set()

    def onerror(err: OSError) -> None:
        problems.append((_shown(root, Path(err.filename or root)), f"cannot list: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=onerror):
        try:
            st = os.stat(dirpath)
        except OSError as err:
            problems.append((_shown(root, Path(dirpath)), f"cannot list: {err.strerror}"))
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:  # a symlink loop or a second link to the same folder
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(ALL_SUFFIXES):
                continue
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except OSError as err:
                problems.append((_shown(root, path), f"cannot read: {err.strerror}"))
                continue
            if not stat.S_ISREG(st.st_mode):  # a FIFO or device: reading it could block forever
                problems.append((_shown(root, path), "not a regular file"))
                continue
            doc_id = _doc_id(root, path)
            if doc_id is None:
                problems.append((_shown(root, path), "file name is neither UTF-8 nor GB18030"))
                continue
            files.append(CorpusFile(path, doc_id, st.st_size, st.st_mtime_ns))
    files.sort(key=lambda f: f.doc_id)
    return files, problems


def _doc_id(root: Path, path: Path) -> str | None:
    """The corpus-relative name, as text. A name that is not UTF-8 (os.walk keeps its bytes as
    surrogates) is read as GB18030, what Chinese Windows and its zip files write; None if that
    fails too. Surrogates would make every later step (SQLite, Whoosh, JSON) fail."""
    rel = _rel(root, path)
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(rel).decode("gb18030")
    except UnicodeDecodeError:
        return None


def _shown(root: Path, path: Path) -> str:
    """A path fit for a message whatever bytes its name holds."""
    return os.fsencode(_rel(root, path)).decode("utf-8", errors="replace")


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def max_file_bytes() -> int:
    """The size above which a file is skipped (``POLICY_SEARCH_MAX_FILE_MB`` overrides)."""
    try:
        mb = float(os.environ.get("POLICY_SEARCH_MAX_FILE_MB", MAX_FILE_MB))
    except ValueError:
        mb = MAX_FILE_MB
    return int(mb * 1024 * 1024)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or SkipFile: unreadable, gone, not a regular file, too large.

    Opened without blocking and checked on the open descriptor, so a file replaced by a FIFO
    after the scan cannot hang the build, and a huge file is refused before it is read."""
    limit = max_file_bytes()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise SkipFile(f"cannot read: {err.strerror}") from err
    with open(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SkipFile("not a regular file")
        if st.st_size > limit:
            raise SkipFile(_too_large(limit))
        try:
            data = f.read(limit + 1)
        except OSError as err:
            raise SkipFile(f"cannot read: {err.strerror}") from err
    if len(data) > limit:  # it grew while we read it
        raise SkipFile(_too_large(limit))
    return data


def _too_large(limit: int) -> str:
    return (f"larger than {limit / (1024 * 1024):.3g} MB, not a report "
            "(POLICY_SEARCH_MAX_FILE_MB raises the limit)")


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
