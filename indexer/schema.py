"""The Whoosh schema. Its analyzers and formats are pickled into the index, so they live here
under a stable import path. Changing any of them means bumping SCHEMA_VERSION: the next build
then rebuilds everything instead of updating in place.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, FieldType, Schema
from whoosh.formats import Existence, Positions, tokens
from whoosh.util.varints import varint

from indexer.analysis import BigramAnalyzer, WordAnalyzer

SCHEMA_VERSION = 2  # 2: amount (table-row money cells, in yuan)
INLINE_LIMIT = 8  # postings of terms found in fewer units are kept in the term index


class WordCounts(Existence):
    """Term counts kept only as posting weights: no per-posting value bytes at all.

    BM25F reads the weight, so scoring sees the term frequency; nothing else needs it.
    """

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        if not isinstance(value, list):
            kwargs["boosts"] = True
            value = [t.text for t in tokens(value, analyzer, kwargs)]
        return ((w, n, n * fb, b"") for w, n in Counter(value).items())


class CompactPositions(Positions):
    """Positions as varint deltas only (Whoosh pickles a list and prefixes a 4-byte count)."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        poses: dict[str, list[int]] = defaultdict(list)
        if isinstance(value, list):
            for i, w in enumerate(value):
                poses[w].append(i)
        else:
            kwargs["positions"] = True
            for t in tokens(value, analyzer, kwargs):
                poses[t.text].append(t.pos)
        for w, plist in poses.items():
            yield (w, len(plist), len(plist) * fb, self.encode(plist))

    def encode(self, poslist):
        out = bytearray()
        base = 0
        for pos in poslist:
            out += varint(pos - base)
            base = pos
        return bytes(out)

    def decode_positions(self, valuestring):
        positions = []
        pos = shift = acc = 0
        for byte in valuestring:
            acc |= (byte & 0x7F) << shift
            if byte & 0x80:
                shift += 7
                continue
            pos += acc
            positions.append(pos)
            acc = shift = 0
        return positions

    def decode_frequency(self, valuestring):
        return sum(1 for byte in valuestring if not byte & 0x80)

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost


class InliningPostingsWriter(W3PostingsWriter):
    """Whoosh's writer, with its inlining path fixed (it calls a misspelt method).

    Inlining a rare term's few postings into its term-index entry saves a block (about 70
    bytes) per term; bigram vocabularies are mostly rare terms.
    """

    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class Codec(W3Codec):
    """W3Codec with working inlined postings (pickled into each segment; keep this path)."""

    def __init__(self, blocklimit=128, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit, compression, inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


def words_field(boost: float = 1.0) -> FieldType:
    return FieldType(WordCounts(field_boost=boost), WordAnalyzer(), scorable=True)


def make_schema() -> Schema:
    """Fields of a search unit. Texts themselves live in the units database beside the index."""
    return Schema(
        uid=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        ordinal=STORED(),
        kind=ID(stored=True),
        words=words_field(),
        bigrams=FieldType(CompactPositions(), BigramAnalyzer(), scorable=True),
        title=words_field(),
        section=words_field(),
        region=KEYWORD(stored=True, commas=True),
        year=NUMERIC(int, bits=16, stored=True, signed=False),
        # every money cell of a table row, in yuan (8256.88 万元 -> 82568800.0): range filters
        amount=NUMERIC(float),
    )
