"""The one parser of search parameters, shared by the page (``/``) and the API (``/api/search``).

Everything but the region is checked here, so a bad request is refused with a message that
names the parameter before any search work is done; a region is resolved against the index by
``search()``, whose ValueError ``search_with`` turns into the same kind of error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search_app.doc_types import LABELS
from search_app.facets import parse_years
from search_app.query import QueryError
from search_app.search import KINDS, MAX_PER_PAGE, SORTS, SearchResult, search

DEFAULT_PER_PAGE = 10
PARAMETERS = ("q", "region", "year", "kind", "page", "per_page", "exact", "sort", "group",
              "doc", "type", "issuer")
_WHOLE = re.compile(r"^\s*\d{1,9}\s*$")


class BadParameter(ValueError):
    """A request parameter the user can fix; ``param`` names it (None when unknown)."""

    def __init__(self, param: str | None, message: str):
        super().__init__(message)
        self.param = param
        self.message = message

    @property
    def named(self) -> str:
        """The message, starting with the parameter's name (for API clients)."""
        if not self.param or self.message.startswith(self.param):
            return self.message
        return f"{self.param}: {self.message}"


@dataclass
class SearchArgs:
    q: str = ""
    region: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    kind: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    exact: bool = False  # terms match the units' own text only (no context, no abbreviations)
    sort: str = "relevance"  # or newest, oldest (by the document's year)
    group: bool = False  # one hit per document
    doc: str | None = None  # only this document's units
    type: str | None = None  # only units of documents of this kind (doc_types.LABELS)
    issuer: str | None = None  # only units of documents of this issuer (facets.issuer)


def _whole(args, name: str, default: int, low: int, high: int | None) -> int:
    raw = args.get(name)
    if raw is None or raw.strip() == "":
        return default
    span = f"from {low} to {high}" if high else f"from {low}"
    if not _WHOLE.match(raw) or not (low <= int(raw) and (high is None or int(raw) <= high)):
        raise BadParameter(name, f"{name} must be a whole number {span}, not {raw[:20]!r}")
    return int(raw)


def _values(args, name: str) -> list[str]:
    """Repeated values (``region=a&region=b``), blanks dropped (an empty form field)."""
    return [v.strip() for v in args.getlist(name) if v.strip()]


def parse_args(args) -> SearchArgs:
    """Validate a MultiDict of query-string parameters; raise BadParameter naming the culprit."""
    kind = (args.get("kind") or "").strip() or None
    if kind is not None and kind not in KINDS:
        raise BadParameter("kind", f"kind must be one of: {', '.join(KINDS)}, not {kind[:20]!r}")
    years = _values(args, "year")
    try:
        parse_years(years)
    except ValueError as err:
        raise BadParameter("year", str(err)) from None
    return SearchArgs(
        q=(args.get("q") or "").strip(),
        region=list(dict.fromkeys(_values(args, "region"))),  # resolved by search()
        year=list(dict.fromkeys(years)),
        kind=kind,
        page=_whole(args, "page", 1, 1, None),
        per_page=_whole(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        exact=_flag(args, "exact"),
        sort=_sort(args),
        group=_flag(args, "group"),
        doc=(args.get("doc") or "").strip() or None,
        type=_doc_type(args),
        issuer=(args.get("issuer") or "").strip()[:100] or None,
    )


def _doc_type(args) -> str | None:
    raw = (args.get("type") or "").strip() or None
    if raw is not None and raw not in LABELS:
        raise BadParameter("type", f"type must be one of: {', '.join(LABELS)}, not {raw[:20]!r}")
    return raw


def _sort(args) -> str:
    raw = (args.get("sort") or "").strip() or "relevance"
    if raw not in SORTS:
        raise BadParameter("sort", f"sort must be one of: {', '.join(SORTS)}, not {raw[:20]!r}")
    return raw


def _flag(args, name: str) -> bool:
    raw = (args.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise BadParameter(name, f"{name} must be 1 or 0, not {raw[:20]!r}")


def search_error(err: ValueError) -> BadParameter:
    """A ValueError from ``search()`` as a BadParameter. Everything but the region was checked
    by ``parse_args``; the region can only be resolved against the index, so it is the default.
    """
    message = str(err)
    first = re.split(r"[\s:]", message, maxsplit=1)[0]
    return BadParameter(first if first in PARAMETERS else "region", message)


def search_with(index, args: SearchArgs) -> SearchResult:
    """``search()`` with parsed arguments; its ValueErrors become BadParameter (QueryError
    stays itself: it is about the query, not a parameter)."""
    try:
        return search(index, args.q, region=args.region or None, year=args.year or None,
                      kind=args.kind, page=args.page, per_page=args.per_page,
                      exact=args.exact, sort=args.sort, group=args.group, doc=args.doc,
                      doc_type=args.type, issuer=args.issuer)
    except QueryError:
        raise
    except ValueError as err:
        raise search_error(err) from None
