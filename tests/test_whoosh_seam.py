"""The Whoosh internals the engine reads must be where it expects them. An upgrade of
whoosh-reloaded that moves one fails here, naming it, instead of giving wrong answers."""

import importlib

import pytest

from search_app.postings import WHOOSH_INTERNALS


def _resolve(path: str):
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


@pytest.mark.parametrize("owner,name", WHOOSH_INTERNALS,
                         ids=[f"{o}.{n}" for o, n in WHOOSH_INTERNALS])
def test_internal_is_where_the_engine_expects_it(owner, name):
    obj = _resolve(owner)
    if isinstance(obj, type) and not hasattr(obj, name):
        # instance attributes set in __init__: look for the assignment in the source
        import inspect

        sources = [inspect.getsource(c) for c in obj.__mro__ if c.__module__.startswith("whoosh")]
        assert any(f"self.{name} =" in src for src in sources), \
            f"Whoosh internal moved: {owner}.{name} (search_app/postings.py reads it)"
    else:
        assert hasattr(obj, name), \
            f"Whoosh internal moved: {owner}.{name} (search_app/postings.py reads it)"


def test_whoosh_uses_the_codec_for_each_segment_it_opens(seeds_index):
    """Whoosh asks the segment's pickled codec for its term reader (SegmentReader._terms),
    and the engine's posting reader gets the packed arrays from it."""
    from indexer.packed_terms import PackedTermsReader
    from search_app.engine import Engine

    with Engine(seeds_index) as engine:
        searcher = engine.snapshot().searcher()
        found = 0
        for sub, _offset in searcher.leaf_searchers():
            terms = sub.reader()._terms
            assert isinstance(terms, PackedTermsReader)
            got = terms.arrays("words", "扶贫".encode())
            if got is not None:
                assert len(got.ids) == sub.doc_frequency("words", "扶贫") > 0
                found += 1
        assert found
