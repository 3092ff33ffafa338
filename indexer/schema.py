"""The Whoosh schema. Its analyzers and formats are pickled into the index, so they live here
under a stable import path. Changing any of them means bumping SCHEMA_VERSION: the next build
then rebuilds everything instead of updating in place.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, FieldType, Schema

from indexer.analysis import BigramAnalyzer, CharAnalyzer, WordAnalyzer
from indexer.codec import Codec, CompactPositions, WordCounts  # noqa: F401

SCHEMA_VERSION = 10  # 2: amount; 3: compact codec, no uid; 5: segments as separate files;
# 6: place names in jieba's dictionary, recognised regions and years; 7: unit arrays, the
# chars field, blocks of 1024 postings; 8: place mentions checked against jieba's own cut;
# 9: nothing stored in Whoosh (the sidecars hold the keys), units compressed per document;
# 10: packed term dictionary and postings (indexer/packed_terms.py)


def words_field(boost: float = 1.0) -> FieldType:
    return FieldType(WordCounts(field_boost=boost), WordAnalyzer(), scorable=True)


def make_schema() -> Schema:
    """Fields of a search unit. Texts themselves live in the units database beside the index;
    a unit's id there is ``doc_id#ordinal`` (no field of its own: one unique term per unit
    would cost more in the term index than all its other fields).

    Nothing is stored: the query side reads a unit's key, kind, year and places from the unit
    arrays, which ``codec.FastSegmentWriter`` writes from the fields it is given (``ordinal``
    goes only there), so a second copy in Whoosh's stored-field column would only take room.
    ``doc_id`` is indexed so that an update can delete a document's units."""
    return Schema(
        doc_id=ID(),
        kind=ID(),
        words=words_field(),
        bigrams=FieldType(CompactPositions(), BigramAnalyzer(), scorable=True),
        # each distinct Han character once, unscored: a one-character query is one term here
        # instead of every bigram starting with it (thousands for 的)
        chars=FieldType(WordCounts(), CharAnalyzer(), scorable=False),
        title=words_field(),
        section=words_field(),
        region=KEYWORD(commas=True),
        year=NUMERIC(int, bits=16, signed=False),
        # every money cell of a table row, in yuan (8256.88 万元 -> 82568800.0): range filters
        amount=NUMERIC(float),
    )
