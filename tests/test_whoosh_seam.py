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


def test_term_extent_and_block_layout_are_as_the_reader_expects(seeds_index):
    """A term's extent starts with the block tag, and its length may come back as a 1-tuple
    (W3TermInfo.from_bytes): the posting reader handles both."""
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    from search_app.engine import Engine

    with Engine(seeds_index) as engine:
        searcher = engine.snapshot().searcher()
        found = 0
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            if ("words", "扶贫".encode()) not in reader:
                continue
            info = reader.term_info("words", "扶贫".encode())
            assert not info.is_inlined()
            offset, length = info.extent()
            length = length[0] if isinstance(length, tuple) else length
            assert reader._terms._postfile.get(offset, 4) == WHOOSH3_HEADER_MAGIC
            assert length > 4
            found += 1
        assert found
