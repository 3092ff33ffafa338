"""The HTML pages: the search page (``/``) and the document view (``/doc/<doc_id>``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, send_file, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from indexer.intake import CONTENT_TYPES
from search_app import doc_page, documents, edges, get_engine, labels
from search_app.errors import NotFound
from search_app.export import MAX_UNITS
from search_app.highlight import DAMAGE_SHOWN, match_spans, render
from search_app.i18n import N_, lang_param
from search_app.links import KIND_LABELS, Link, Links
from search_app.params import BadParameter, SearchArgs, parse_args, search_with
from search_app.present import hit_views, query_terms

bp = Blueprint("views", __name__)

# U+22EF stands for damaged source text in everything ``highlight.render`` produces (no report
# in the 2,757-document real corpus contains the character itself), so it can be greyed here.
DAMAGE_TITLE = N_("damaged text in the source (unreadable characters left out)")
SHOWN_QUERY_CHARS = 60  # the count line shows a long query's start; its title has it all
YEAR_SOURCES = {"published": N_("published"), "title": N_("from the title"),
                "filename": N_("from the file name"), "inferred": N_("inferred from the text")}
EXAMPLES = ("东西部协作", "易地扶贫搬迁", '"扶贫车间"', "闽宁协作 OR 粤黔协作")


@bp.app_template_filter("marks")
def marks(html: str | None) -> Markup:
    """Our own highlight HTML (already escaped; only <mark> is markup) as safe markup."""
    damage = Markup('<span class="damage" title="%s">%s</span>') % (_(DAMAGE_TITLE), DAMAGE_SHOWN)
    return Markup((html or "").replace(DAMAGE_SHOWN, damage))


@bp.app_template_filter("highlight")
def highlight(text: str | None, terms: list[str]) -> Markup:
    """Escape stored text and mark the query's terms in it."""
    text = text or ""
    return marks(render(text, match_spans(text, terms)))


@bp.app_template_global("doc_url")
def doc_url(doc_id: str, ordinal: int | None = None, q: str = "", **filters) -> str:
    """The document view, keeping the search's parameters so that its links lead back."""
    url = url_for("views.document", doc_id=doc_id, q=q or None,
                  **{k: v for k, v in filters.items() if v})
    return url + (f"#u-{ordinal}" if ordinal is not None else "")


@bp.app_template_global("kind_label")
def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return _(label) if label else kind.replace("_", " ")


@bp.app_template_global("heading_path")
def heading_path(section: str) -> str:
    return labels.heading_path(section)


@bp.app_template_global("permalink")
def permalink(doc_id: str, ordinal: int) -> str:
    """The unit's lasting address, for citations: no query, no filters, no language."""
    return url_for("views.document", doc_id=doc_id, lang=None, _external=True) + f"#u-{ordinal}"


@bp.app_template_global("year_source_label")
def year_source_label(source: str) -> str:
    label = YEAR_SOURCES.get(source)
    return _(label) if label else source


@bp.app_template_global("suggestion_link")
def suggestion_link(link: Link) -> Markup:
    return Markup('<a href="%s" lang="zh">%s</a>') % (link.url, link.label)


@bp.app_template_global("lang_url")
def lang_url(code: str) -> str:
    """This page in another language: the same URL with ``lang`` replaced."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + "?" + urlencode(pairs + [("lang", code)])


def shorten(q: str, limit: int = SHOWN_QUERY_CHARS) -> str:
    """A query as the count line shows it: at most ``limit`` characters."""
    return q if len(q) <= limit else q[: limit - 1] + "…"


@bp.app_url_defaults
def keep_language(endpoint: str, values: dict) -> None:
    """Every link to a page keeps a ``lang`` the URL chose."""
    if endpoint.startswith("views.") and "lang" not in values:
        lang = lang_param()
        if lang:
            values["lang"] = lang


@bp.app_context_processor
def damage_banner() -> dict:
    """``degraded``: why the previous generation answers (health.py), for the page's banner."""
    guard = getattr(get_engine(), "guard", None)
    return {"degraded": guard.degraded if guard is not None else None}


@bp.route("/")
def search_page():
    args = parse_args(request.args)
    engine = get_engine()
    if not args.q:
        return render_template("home.html", q="", health=engine.health(), examples=EXAMPLES)
    dropped: list[edges.DroppedRegion] = []
    try:
        result = search_with(engine, args)
    except BadParameter as err:
        if err.param != "region":
            raise
        args, dropped = edges.split_regions(args)  # the results without the unknown place
        if not dropped:
            raise
        result = search_with(engine, args)
    args = understood(args, result.filters)
    links = Links(url_for("views.search_page", lang=None), args)  # Links adds lang
    facets = result.facets or {}
    return render_template(
        "search.html",
        q=args.q,
        args=args,
        result=result,
        hits=hit_views(engine, result),
        export_csv=Links(url_for("export.export_csv"), args).url(page=1),
        export_json=Links(url_for("export.export_json"), args).url(page=1),
        export_capped=result.total > MAX_UNITS,
        max_units=MAX_UNITS,
        links=links,
        regions=links.facet("region", facets.get("region") or []),
        trail=links.region_trail(facets.get("region_path")),
        years=links.facet("year", facets.get("year") or []),
        kinds=links.kind_choices(),
        chips=links.chips(),
        clear_url=links.clear_filters(),
        pages=links.pages(result.pages) if result.pages > 1 else [],
        suggestions=links.suggestions() if not result.total else [],
        first_rank=(result.page - 1) * result.per_page + 1,
        short_q=shorten(args.q),
        dropped=[(d, [Link(p.rsplit("/", 1)[-1], links.url(region=args.region + [p]), title=p)
                      for p in d.choices]) for d in dropped],
        common=edges.common_characters(engine.snapshot(), query_terms(engine.snapshot(), args.q))
        if result.total else [],
    )


def understood(args: SearchArgs, filters: dict) -> SearchArgs:
    """The arguments with the filters as the search resolved them (``黔南州`` becomes its full
    path), so that facet links, chips and the trail compare paths with paths."""
    region, year = filters.get("region"), filters.get("year")
    return replace(
        args,
        region=list(region) if isinstance(region, list) and len(region) == len(args.region)
        else args.region,
        year=list(year) if isinstance(year, list) and len(year) == len(args.year) else args.year,
    )


@bp.route("/doc/<path:doc_id>/original")
def original(doc_id: str):
    """The file a document was read from, as a download with its own content type; only for
    a document in the index, and never a path outside the corpus."""
    snap = get_engine().snapshot()
    path = documents.original_file(snap, doc_id) if documents.load(snap, doc_id) else None
    if path is None:
        raise NotFound(f"no original file for {doc_id!r}")
    mimetype = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return send_file(path, mimetype=mimetype, as_attachment=True,
                     download_name=PurePosixPath(doc_id).name, max_age=0)


@bp.route("/doc/<path:doc_id>")
def document(doc_id: str):
    snap = get_engine().snapshot()
    doc = documents.load(snap, doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id!r} in the index")
    args = parse_args(request.args)
    back = Links(url_for("views.search_page", lang=None), args)  # Links adds lang
    terms = query_terms(snap, args.q)
    blocks = doc.blocks()
    matches = doc_page.Matches(terms, marks)
    body = matches.navigate(render_template("doc_body.html", blocks=blocks, hl=matches))
    return render_template("doc.html", doc=doc, body=body, q=args.q, args=args,
                           matches_total=matches.count, outline=doc_page.outline(blocks),
                           back_url=back.url(page=args.page), terms=terms)
