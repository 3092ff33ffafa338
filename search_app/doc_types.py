"""What kind of document a unit comes from (政府工作报告, 施政报告, 党代会报告, 地方性法规, …)
and who issued it, for facets and filters: "every province on 低空经济" limited to work
reports, or to Guangdong's.

The kind is read from the document's title by a table of rules, first match wins; a
regulation is local when the document is about a place (its regions), national otherwise.
The issuer is ``labels.issuer_of`` (the recorded issuer, the office in the author line, the
one region, the source). Both are worked out once per generation from the documents table (a
few thousand rows), then looked up per unit through the unit arrays.
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


def type_of(row) -> str:
    return classify(row["title"], bool(json.loads(row["regions"] or "[]")))


def issuer_of_row(row) -> str:
    from search_app.labels import issuer_of

    meta = json.loads(row["meta"]) if row["meta"] else {}
    return issuer_of(str(meta.get("issuer") or "") if isinstance(meta, dict) else "",
                     row["source"] or "", row["author"] or "",
                     json.loads(row["regions"] or "[]")) or OTHER


class DocLabels:
    """Per unit of a generation, the code of a label of its document (``label_of`` of its
    documents-table row), and the labels; worked out on first use."""

    def __init__(self, label_of: Callable, labels: list[str] | None = None):
        self.label_of = label_of
        self.labels: list[str] = list(labels or [])
        self._unit: np.ndarray | None = None
        self._lock = threading.Lock()

    def unit_codes(self, snap) -> np.ndarray:
        if self._unit is None:
            with self._lock:
                if self._unit is None:
                    self._unit = self._load(snap)
        return self._unit

    def code(self, label: str) -> int | None:
        return self.labels.index(label) if label in self.labels else None

    def _load(self, snap) -> np.ndarray:
        arrays = snap.arrays
        index = {label: i for i, label in enumerate(self.labels)}
        rows = snap.db().execute(
            "SELECT doc_id, title, regions, meta, source, author FROM docs")
        by_doc = {r["doc_id"]: index.setdefault(self.label_of(r), len(index)) for r in rows}
        other = index.setdefault(OTHER, len(index))
        self.labels = list(index)
        per_doc = np.array([by_doc.get(d, other) for d in arrays.doc_ids] or [0], np.int32)
        return per_doc[np.maximum(np.asarray(arrays.doc), 0)]


def counts(codes: np.ndarray, labels: list[str], most: int | None = None) -> list[dict]:
    """A facet: each label with its number of units, largest first (the ``most`` first)."""
    n = np.bincount(codes, minlength=len(labels))
    order = sorted(np.flatnonzero(n), key=lambda i: (-n[i], i))[:most]
    return [{"value": labels[i], "count": int(n[i])} for i in order]


__all__ = ["classify", "counts", "DocLabels", "type_of", "issuer_of_row", "LABELS", "RULES"]
