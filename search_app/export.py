"""A whole result set as CSV or JSON: ``/export.csv``, ``/export.json``, ``query --csv``.

Why: a researcher wants the 3,000 paragraphs on 低空经济 in a spreadsheet, not 300 pages.
The export walks the same ``search()`` the page uses, a hundred units at a time (the order is
the page's order: the re-ranking window is fixed), and streams each row as it is read, so the
response starts at once and memory stays flat. It stops at ``MAX_UNITS`` and says so (the
``X-Export-Note`` header, the JSON's ``notes``). Rows are data: the stored text, the heading
path, the document's label, year and issuer (labels.py), and a permalink to the unit.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import replace

from flask import Blueprint, Response, request, stream_with_context, url_for

from search_app import get_engine, labels
from search_app.engine import Engine
from search_app.params import BadParameter, SearchArgs, parse_args, search_with
from search_app.search import MAX_PER_PAGE, Hit

MAX_UNITS = 10_000
COLUMNS = ("rank", "title", "year", "issuer", "doc_number", "section", "kind", "text",
           "regions", "doc_id", "ordinal", "url")
CAP_NOTE = "only the first {cap:,} of {total:,} units were exported; narrow the search to get the rest"

bp = Blueprint("export", __name__)


def row(rank: int, hit: Hit, docs: dict, permalink: Callable[[Hit], str]) -> dict:
    """One exported unit; the title is the document's label (qualified when shared)."""
    doc = docs.get(hit.doc_id)
    title = labels.collapse_title(hit.title) or hit.doc_id
    return {
        "rank": rank,
        "title": " · ".join([title, *doc.parts]) if doc else title,
        "year": hit.year,
        "issuer": hit.issuer or (doc.issuer if doc else ""),
        "doc_number": hit.doc_number,
        "section": labels.heading_path(hit.section),
        "kind": hit.kind,
        "text": hit.text,
        "regions": "; ".join(hit.regions),
        "doc_id": hit.doc_id,
        "ordinal": hit.ordinal,
        "url": permalink(hit),
    }


def rows(index, args: SearchArgs, permalink: Callable[[Hit], str],
         cap: int = MAX_UNITS) -> tuple[int, Iterator[dict]]:
    """(total units found, the rows up to ``cap``): the first page is searched now, so a bad
    parameter fails before any byte is sent; the rest as the rows are read."""
    first = search_with(index, replace(args, page=1, per_page=MAX_PER_PAGE))
    docs = labels.doc_labels(index.snapshot() if isinstance(index, Engine) else index)

    def walk() -> Iterator[dict]:
        result, rank = first, 0
        while True:
            for hit in result.hits:
                rank += 1
                if rank > cap:
                    return
                yield row(rank, hit, docs, permalink)
            if result.page >= result.pages or rank >= cap:
                return
            result = search_with(index, replace(args, page=result.page + 1,
                                                per_page=MAX_PER_PAGE))

    return first.total, walk()


def csv_text(items: Iterator[dict], bom: bool = True) -> Iterator[str]:
    """CSV lines (a BOM first, so that Excel reads the Chinese as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    yield ("\ufeff" if bom else "") + buffer.getvalue()
    for item in items:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(item)
        yield buffer.getvalue()


def json_text(args: SearchArgs, total: int, items: Iterator[dict], cap: int) -> Iterator[str]:
    """One JSON object, streamed: the search, the counts and ``hits`` row by row."""
    exported = min(total, cap)
    head = {"ok": True, "query": args.q,
            "filters": {"region": args.region, "year": args.year, "kind": args.kind},
            "total": total, "exported": exported, "truncated": total > cap,
            "notes": [CAP_NOTE.format(cap=cap, total=total)] if total > cap else []}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "hits": ['
    for i, item in enumerate(items):
        yield ("," if i else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]}\n"


def _export(kind: str) -> Response:
    args = parse_args(request.args)
    if not args.q:
        raise BadParameter("q", "q is required: type a word or phrase to search for")

    def permalink(hit: Hit) -> str:
        return url_for("views.document", doc_id=hit.doc_id, lang=None,
                       _external=True) + f"#u-{hit.ordinal}"

    total, items = rows(get_engine(), args, permalink, cap=MAX_UNITS)
    if kind == "csv":
        body, mimetype = csv_text(items), "text/csv; charset=utf-8"
    else:
        body, mimetype = json_text(args, total, items, MAX_UNITS), "application/json"
    resp = Response(stream_with_context(body), mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="policy-search.{kind}"'
    if total > MAX_UNITS:
        resp.headers["X-Export-Note"] = CAP_NOTE.format(cap=MAX_UNITS, total=total)
    return resp


@bp.route("/export.csv")
def export_csv():
    """The whole result set of ``/?q=…`` (same parameters) as CSV."""
    return _export("csv")


@bp.route("/export.json")
def export_json():
    """The whole result set as one JSON object with ``hits`` (the rows of the CSV)."""
    return _export("json")
