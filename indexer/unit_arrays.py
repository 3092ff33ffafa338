"""Per-unit arrays of a generation: written once at build time, memory-mapped at query time.

The query side needs, for every Whoosh document number, the unit's key in the units database
(document, ordinal), its kind, its facet group (year, places, whether the year was inferred)
and its field lengths for BM25. Reading them from Whoosh's stored fields on the first query
cost seconds on the real corpus (226k stored documents iterated in Python); here they are
numpy arrays in one file that opening a generation maps in milliseconds.

Two levels:

- a **segment sidecar** ``<segment>.uar`` (npz) with each unit's key, kind, year, places and
  field lengths, written by the writer that makes the segment (``SidecarBuilder``; the
  build never lets Whoosh merge segments, see ``build._commit``). Whoosh's own clean-up deletes it
  with its segment (it matches the segment's file pattern); an update copies the live
  generation and so reuses the sidecars of every segment it keeps;
- the **generation file** ``units.arrays`` (raw little-endian arrays, 8-byte aligned) and its
  header ``units.arrays.json``: the sidecars concatenated in document-number order, deleted
  units marked, and the facet groups worked out (a group is a distinct year, places and
  inferred flag: a report's plain paragraphs share one, so facets count groups, not units).
"""

from __future__ import annotations

import json
import os
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.util.numeric import length_to_byte

ARRAYS = "units.arrays"
HEADER = "units.arrays.json"
SIDECAR_EXT = ".uar"
FORMAT = 1
SCORED_FIELDS = ("words", "bigrams", "title", "section")  # fields BM25 needs lengths of
_ALIGN = 8


class MissingArrays(Exception):
    """A generation without unit arrays (built by an older version)."""


# ---- build side ---------------------------------------------------------------------------


class SidecarBuilder:
    """Collects a new segment's sidecar while ``codec.FastSegmentWriter`` adds its units: the
    values come from the fields it is given, so Whoosh stores nothing to read them back from
    (schema 9: no stored fields, each unit's text lives once, in ``units.sqlite``)."""

    def __init__(self) -> None:
        self.doc_index: dict[str, int] = {}
        self.region_index: dict[str, int] = {"": 0}
        self.kind_index: dict[str, int] = {}
        self.cols: dict[str, array] = {k: array(t) for k, t in
                                       (("doc", "i"), ("ordinal", "i"), ("kind", "B"),
                                        ("year", "h"), ("region", "i"))}
        self.lens: dict[str, array] = {f: array("B") for f in SCORED_FIELDS}

    def add(self, fields: dict, lengths: dict[str, int]) -> None:
        """One unit: its fields as given to the writer, and its field lengths in tokens."""
        c = self.cols
        c["doc"].append(self.doc_index.setdefault(fields.get("doc_id", ""), len(self.doc_index)))
        c["ordinal"].append(fields.get("ordinal", 0))
        c["kind"].append(self.kind_index.setdefault(fields.get("kind", ""), len(self.kind_index)))
        c["year"].append(fields.get("year") or 0)
        c["region"].append(self.region_index.setdefault(fields.get("region") or "",
                                                        len(self.region_index)))
        for f in SCORED_FIELDS:
            n = lengths.get(f, 0)
            self.lens[f].append(length_to_byte(n) if n else 0)

    def arrays(self) -> dict[str, np.ndarray]:
        dtypes = {"doc": np.int32, "ordinal": np.int32, "kind": np.uint8, "year": np.int16,
                  "region": np.int32}
        out = {k: np.array(v, dtypes[k]) for k, v in self.cols.items()}
        for f in SCORED_FIELDS:
            out["len_" + f] = np.array(self.lens[f], np.uint8)
        return _with_names(out, list(self.doc_index), list(self.region_index),
                           list(self.kind_index))


def _with_names(out: dict, doc_ids: list[str], regions: list[str], kinds: list[str]) -> dict:
    names = {"doc_ids": doc_ids, "regions": regions, "kinds": kinds}
    out["names"] = np.frombuffer(json.dumps(names, ensure_ascii=False).encode(), np.uint8)
    return out


def save_sidecar(folder: Path, segment, arrays: dict[str, np.ndarray]) -> None:
    """Write a segment's sidecar beside its files (atomically: a killed build leaves none)."""
    path = Path(folder) / segment.make_filename(SIDECAR_EXT)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)


def sidecar_part(folder: Path, segreader) -> tuple[dict[str, np.ndarray], dict, np.ndarray]:
    """A segment's sidecar and which of its units are live (not deleted)."""
    seg = segreader._segment
    path = Path(folder) / seg.make_filename(SIDECAR_EXT)
    if not path.exists():
        raise MissingArrays(f"segment {seg.segment_id()} has no {SIDECAR_EXT} sidecar: "
                            "rebuild with `policy-search index --full`")
    arrays, names = _load_sidecar(path)
    live = np.zeros(segreader.doc_count_all(), bool)
    live[np.fromiter(segreader.all_doc_ids(), np.int64)] = True
    return arrays, names, live


def _load_sidecar(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    names = json.loads(arrays.pop("names").tobytes().decode())
    return arrays, names


def write_generation(gen: Path, inferred_docs: set[str]) -> None:
    """Write the generation's unit arrays into ``gen`` from its segments' sidecars.

    ``inferred_docs``: the documents whose year was inferred from their text."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(gen))
    try:
        with ix.reader() as reader:
            parts = [sidecar_part(gen, segreader) for segreader, _ in reader.leaf_readers()]
    finally:
        ix.close()
    _write_combined(gen, parts, inferred_docs)


def _write_combined(gen: Path, parts, inferred_docs: set[str]) -> None:
    doc_ids: dict[str, int] = {}
    region_strings: dict[str, int] = {"": 0}
    kinds: dict[str, int] = {}
    cols: dict[str, list[np.ndarray]] = {k: [] for k in
                                         ("doc", "ordinal", "kind", "year", "region")}
    lens: dict[str, list[np.ndarray]] = {f: [] for f in SCORED_FIELDS}
    for arrays, names, live in parts:
        dmap = np.array([doc_ids.setdefault(d, len(doc_ids)) for d in names["doc_ids"]]
                        or [0], np.int32)
        rmap = np.array([region_strings.setdefault(r, len(region_strings))
                         for r in names["regions"]], np.int32)
        kmap = np.array([kinds.setdefault(k, len(kinds)) for k in names["kinds"]] or [0],
                        np.uint8)
        cols["doc"].append(np.where(live, dmap[arrays["doc"]], -1).astype(np.int32))
        cols["ordinal"].append(arrays["ordinal"])
        cols["kind"].append(kmap[arrays["kind"]])
        cols["year"].append(np.where(live, arrays["year"], 0).astype(np.int16))
        cols["region"].append(np.where(live, rmap[arrays["region"]], 0).astype(np.int32))
        for f in SCORED_FIELDS:
            lens[f].append(arrays["len_" + f])
    cat = {k: (np.concatenate(v) if v else np.zeros(0, np.int32)) for k, v in cols.items()}
    doc_list = list(doc_ids)
    inferred_doc = np.array([d in inferred_docs for d in doc_list] or [False], bool)
    live = cat["doc"] >= 0
    inferred = live & inferred_doc[np.maximum(cat["doc"], 0)]
    # a group: distinct (places, year, inferred); deleted units fall in the empty group
    key = (cat["region"].astype(np.int64) << 18) | (cat["year"].astype(np.int64) << 1) \
        | inferred.astype(np.int64)
    key = np.where(live, key, -1)
    uniq, group = np.unique(key, return_inverse=True)
    if len(uniq) == 0 or uniq[0] != -1:  # group 0 is always the empty group
        uniq = np.concatenate([[-1], uniq])
        group = group + 1
    g_key = np.maximum(uniq, 0)
    g_region = (g_key >> 18).astype(np.int64)
    g_year = ((g_key >> 1) & 0xFFFF).astype(np.int16)
    g_inferred = (g_key & 1).astype(bool) & (uniq >= 0)
    g_region[0] = 0
    g_year[0] = 0
    # region strings -> path lists (CSR): a group's places
    paths: dict[str, int] = {}
    string_paths = [[paths.setdefault(p, len(paths)) for p in s.split(",") if p]
                    for s in region_strings]
    rptr = [0]
    ridx: list[int] = []
    for r in g_region.tolist():
        ridx.extend(string_paths[r])
        rptr.append(len(ridx))
    arrays = {
        "doc": cat["doc"],
        "ordinal": cat["ordinal"].astype(np.int32),
        "kind": cat["kind"].astype(np.uint8),
        "group": group.astype(np.int32),
        "group_year": g_year,
        "group_inferred": g_inferred.astype(np.uint8),
        "group_rptr": np.array(rptr, np.int32),
        "group_ridx": np.array(ridx, np.int32),
    }
    for f in SCORED_FIELDS:
        arrays["len_" + f] = (np.concatenate(lens[f]) if lens[f] else np.zeros(0, np.uint8))
    header = {"format": FORMAT, "arrays": {}, "doc_ids": doc_list, "region_paths": list(paths),
              "kinds": list(kinds)}
    tmp = gen / (ARRAYS + ".tmp")
    with open(tmp, "wb") as f:
        pos = 0
        for name, arr in arrays.items():
            arr = np.ascontiguousarray(arr, arr.dtype.newbyteorder("<"))
            header["arrays"][name] = [arr.dtype.str, pos, len(arr)]
            data = arr.tobytes()
            f.write(data)
            pad = -len(data) % _ALIGN
            f.write(b"\0" * pad)
            pos += len(data) + pad
    os.replace(tmp, gen / ARRAYS)
    tmp = gen / (HEADER + ".tmp")
    tmp.write_text(json.dumps(header, ensure_ascii=False), "utf-8")
    os.replace(tmp, gen / HEADER)


# ---- query side ---------------------------------------------------------------------------


@dataclass
class UnitArrays:
    """The arrays of one generation, by global Whoosh document number (memory-mapped)."""

    doc: np.ndarray  # int32 index into doc_ids; -1: deleted
    ordinal: np.ndarray  # int32
    kind: np.ndarray  # uint8 index into kinds
    group: np.ndarray  # int32 facet group
    group_year: np.ndarray  # int16, 0: none
    group_inferred: np.ndarray  # uint8
    group_rptr: np.ndarray  # int32, group g's places are group_ridx[rptr[g]:rptr[g+1]]
    group_ridx: np.ndarray  # int32 index into region_paths
    lengths: dict[str, np.ndarray]  # field -> uint8 length byte per unit
    doc_ids: list[str]
    region_paths: list[str]
    kinds: list[str]

    @property
    def size(self) -> int:
        return len(self.doc)

    @property
    def live(self) -> np.ndarray:
        return self.doc >= 0

    def kind_code(self, kind: str) -> int | None:
        try:
            return self.kinds.index(kind)
        except ValueError:
            return None


def open_arrays(gen: Path) -> UnitArrays:
    """Map a generation's unit arrays; MissingArrays when it has none."""
    try:
        header = json.loads((gen / HEADER).read_text("utf-8"))
    except FileNotFoundError:
        raise MissingArrays(f"{gen.name} has no unit arrays") from None
    if header.get("format") != FORMAT:
        raise MissingArrays(f"{gen.name} has unit arrays of another format")
    size = (gen / ARRAYS).stat().st_size
    raw = np.memmap(gen / ARRAYS, np.uint8, mode="r") if size else np.zeros(0, np.uint8)

    def get(name: str) -> np.ndarray:
        dtype, pos, count = header["arrays"][name]
        dt = np.dtype(dtype)
        return raw[pos : pos + dt.itemsize * count].view(dt)

    return UnitArrays(
        doc=get("doc"), ordinal=get("ordinal"), kind=get("kind"), group=get("group"),
        group_year=get("group_year"), group_inferred=get("group_inferred"),
        group_rptr=get("group_rptr"), group_ridx=get("group_ridx"),
        lengths={f: get("len_" + f) for f in SCORED_FIELDS},
        doc_ids=header["doc_ids"], region_paths=header["region_paths"], kinds=header["kinds"],
    )


__all__ = ["UnitArrays", "open_arrays", "write_generation", "MissingArrays", "SCORED_FIELDS"]
