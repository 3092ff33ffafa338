"""Word 97-2003 documents (``.doc``) through the ``antiword`` program, when it is installed.

No maintained pure-Python reader of the binary Word format exists under a licence that fits
an MIT project, and ``catdoc`` garbles some files, so we run antiword (GPL, but a separate
program, not linked) in a subprocess with a timeout. Without it the file is skipped with the
reason ``DOC needs antiword``. Its output is plain text: paragraphs as single lines (``-w 0``)
that the report parser reads like any text file.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from indexer.intake.blocks import Extracted, Paragraph
from indexer.reading import SkipFile

TIMEOUT_S = 60
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def antiword() -> str | None:
    return shutil.which("antiword")


def read_doc(data: bytes, path: Path | None = None) -> Extracted:
    program = antiword()
    if program is None:
        raise SkipFile("DOC needs antiword")
    if not data.startswith(_OLE_MAGIC):
        raise SkipFile("broken DOC: not a Word 97-2003 file")
    with tempfile.TemporaryDirectory() as tmp:
        # antiword reads a named file; the bytes already read are what we index.
        source = Path(tmp) / "in.doc"
        source.write_bytes(data)
        try:
            done = subprocess.run(
                [program, "-m", "UTF-8.txt", "-w", "0", str(source)], capture_output=True,
                timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as err:
            raise SkipFile(f"DOC: antiword took longer than {TIMEOUT_S} s") from err
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = err[-1].replace(str(source), "file") if err else f"exit status {done.returncode}"
        if "encrypt" in reason.lower() or "password" in reason.lower():
            raise SkipFile("encrypted DOC")
        raise SkipFile(f"broken DOC: {reason[:120]}")
    text = done.stdout.decode("utf-8", "replace")
    blocks = [Paragraph(line) for line in text.splitlines() if line.strip()]
    if not blocks:
        raise SkipFile("no text in DOC")
    return Extracted("doc", blocks, {})
