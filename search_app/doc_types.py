"""What kind of document a unit comes from (政府工作报告, 施政报告, 党代会报告, 地方性法规, …),
for a facet and a filter: "every province on 低空经济" limited to work reports.

The kind is read from the document's title by a table of rules, first match wins; a
regulation is local when the document is about a place (its regions), national otherwise.
Worked out once per generation from the documents table (a few thousand titles), then
looked up per unit through the unit arrays.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable

import numpy as np

from indexer.analysis import fold

REGULATION = re.compile(r"(?:条例|规定|办法|细则|规则|决定)$")

# (label, test on (folded title, has regions)), first match wins
RULES: list[tuple[str, Callable[[str, bool], bool]]] = [
    ("人大决议", lambda t, r: "决议" in t and "政府工作报告" in t),
    ("施政报告", lambda t, r: "施政报告" in t),
    ("政府工作报告", lambda t, r: "政府工作报告" in t),
    ("党代会报告", lambda t, r: "代表大会" in t and "报告" in t or "党代会" in t),
    ("地方性法规", lambda t, r: bool(REGULATION.search(t)) and r),
    ("行政法规", lambda t, r: bool(REGULATION.search(t)) and not r),
]
OTHER = "其他"


def classify(title: str, has_regions: bool) -> str:
    """The kind of a document with this title."""
    t = fold(re.sub(r"\s+", "", title or ""))
    for label, test in RULES:
        if test(t, has_regions):
            return label
    return OTHER


LABELS = [label for label, _ in RULES] + [OTHER]


class DocTypes:
    """Per unit of a generation, the code of its document's kind (index into LABELS)."""

    def __init__(self):
        self._unit: np.ndarray | None = None
        self._lock = threading.Lock()

    def unit_codes(self, snap) -> np.ndarray:
        if self._unit is None:
            with self._lock:
                if self._unit is None:
                    self._unit = self._load(snap)
        return self._unit

    @staticmethod
    def _load(snap) -> np.ndarray:
        arrays = snap.arrays
        rows = snap.db().execute("SELECT doc_id, title, regions FROM docs")
        by_doc = {r["doc_id"]: LABELS.index(classify(r["title"], bool(json.loads(
            r["regions"] or "[]")))) for r in rows}
        per_doc = np.array([by_doc.get(d, LABELS.index(OTHER)) for d in arrays.doc_ids]
                           or [0], np.int8)
        return per_doc[np.maximum(np.asarray(arrays.doc), 0)]


def counts(codes: np.ndarray) -> list[dict]:
    """The type facet: each kind with its number of units, largest first."""
    n = np.bincount(codes, minlength=len(LABELS))
    return [{"value": LABELS[i], "count": int(n[i])}
            for i in sorted(np.flatnonzero(n), key=lambda i: (-n[i], i))]


__all__ = ["classify", "counts", "DocTypes", "LABELS", "RULES"]
