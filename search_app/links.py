"""Links of the search page: facet toggles, filter chips, pages and zero-result suggestions.

All plain ``<a href>`` links built from the current parameters, so the page works without
JavaScript and every state has a URL that can be bookmarked or shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from search_app.i18n import N_, lang_param
from search_app.params import DEFAULT_PER_PAGE, SearchArgs
from search_app.serialize import search_url

PAGE_WINDOW = 2  # pages shown either side of the current one
KIND_LABELS = {"paragraph": N_("paragraph"), "table_row": N_("table row")}  # msgids
SORT_LABELS = {"relevance": N_("relevance"), "newest": N_("newest"), "oldest": N_("oldest")}
KIND_PLURALS = {"paragraph": N_("paragraphs"), "table_row": N_("table rows")}


@dataclass
class Link:
    label: str
    url: str
    count: int | None = None
    selected: bool = False
    title: str = ""


class Links:
    """URLs derived from one request's parameters; ``path`` is the page's own URL path."""

    def __init__(self, path: str, args: SearchArgs):
        self.path = path
        self.args = args

    def url(self, q: str | None = None, region: list[str] | None = None,
            year: list[str] | None = None, kind: str | None | bool = False, page: int = 1,
            **order) -> str:
        """The page's URL with some parameters changed (``order``: sort, group, doc)."""
        a = self.args
        filters = {"region": a.region if region is None else region,
                   "year": a.year if year is None else year}
        per_page = a.per_page if a.per_page != DEFAULT_PER_PAGE else None
        kept = {"sort": a.sort, "group": a.group, "doc": a.doc, "type": a.type,
                "issuer": a.issuer} | order
        url = search_url(self.path, a.q if q is None else q, filters,
                         a.kind if kind is False else kind, page, per_page, kept)
        lang = lang_param()
        return url + (f"&lang={lang}" if lang else "")

    # -- facets ---------------------------------------------------------------------------

    def region_value(self, value: str) -> list[str]:
        """The region filter after choosing ``value``: it replaces its own ancestors and
        descendants (narrowing within the hierarchy) and keeps unrelated places."""
        def related(r: str) -> bool:
            return value == r or value.startswith(r + "/") or r.startswith(value + "/")

        return [r for r in self.args.region if not related(r)] + [value]

    def facet(self, name: str, values: list[dict]) -> list[Link]:
        """``region`` or ``year`` facet values as links: a selected value's link removes it,
        another's adds it (a place replaces its ancestors and descendants). Keys beyond
        value/label/count/selected are ignored."""
        current: list[str] = getattr(self.args, name)
        out = []
        for v in values:
            value = str(v.get("value", ""))
            if not value:
                continue
            if value in current:
                chosen = [c for c in current if c != value]
            elif v.get("selected"):  # a year inside a selected range: narrow to it
                chosen = [value]
            else:
                chosen = self.region_value(value) if name == "region" else current + [value]
            title = value
            if v.get("inferred"):
                title = _("%(inferred)s of %(count)s with the year inferred from the text",
                          inferred=v["inferred"], count=v.get("count"))
            out.append(Link(str(v.get("label") or value.rsplit("/", 1)[-1]),
                            self.url(**{name: chosen}), v.get("count"),
                            bool(v.get("selected")) or value in current, title))
        return out

    def region_trail(self, given: list[dict] | None = None) -> list[Link]:
        """With one region selected: the way up (all regions, province, prefecture…), from the
        facets' ``region_path`` when the search gives one, else from the selected path."""
        if len(self.args.region) != 1:
            return []
        steps = [(str(s.get("value", "")), str(s.get("label") or "")) for s in given or []
                 if isinstance(s, dict) and s.get("value")]
        if not steps:
            parts = self.args.region[0].split("/")
            steps = [("/".join(parts[:i]), parts[i - 1]) for i in range(1, len(parts) + 1)]
        trail = [Link(_("All regions"), self.url(region=[]))]
        trail += [Link(label or value.rsplit("/", 1)[-1], self.url(region=[value]),
                       selected=i == len(steps) - 1, title=value)
                  for i, (value, label) in enumerate(steps)]
        return trail

    def kind_choices(self) -> list[Link]:
        choices = [Link(_("all"), self.url(kind=None), selected=self.args.kind is None)]
        choices += [Link(_(label), self.url(kind=k), selected=self.args.kind == k)
                    for k, label in KIND_PLURALS.items()]
        return choices

    # -- chips, pages, suggestions --------------------------------------------------------

    def chips(self) -> list[Link]:
        """One chip per active filter; its URL is the page without that filter."""
        a = self.args
        out = [Link(r.rsplit("/", 1)[-1], self.url(region=[x for x in a.region if x != r]),
                    title=_("region %(path)s", path=r)) for r in a.region]
        out += [Link(y, self.url(year=[x for x in a.year if x != y]), title=_("year %(year)s", year=y))
                for y in a.year]
        if a.kind:
            out.append(Link(_(KIND_PLURALS.get(a.kind, a.kind)), self.url(kind=None),
                            title=_("kind")))
        return out

    def clear_filters(self) -> str | None:
        a = self.args
        return self.url(region=[], year=[], kind=None) if (a.region or a.year or a.kind) else None

    def document_facet(self, name: str, values: list[dict]) -> list[Link]:
        """The document-kind (``type``) or ``issuer`` facet as links: a selected value's link
        removes it."""
        current = getattr(self.args, name)
        return [Link(v["value"], self.url(**{name: None if v["value"] == current
                                             else v["value"]}), v["count"],
                     selected=v["value"] == current) for v in values]

    def year_chart(self, years: list[Link]) -> list[tuple[Link, int]]:
        """The year facet as bars, oldest first: each year's link and its height in percent
        of the largest count (at least 2, so a year with few units stays clickable). The page
        draws it in 5 % steps (classes ``h1``–``h20``: the content security policy allows no
        inline style)."""
        bars = sorted((y for y in years if y.label[:4].isdigit()), key=lambda y: y.label)
        top = max((y.count or 0 for y in bars), default=0) or 1
        return [(y, max(2, round(100 * (y.count or 0) / top))) for y in bars]

    def orders(self) -> list[Link]:
        """Sort choices and the one-per-document switch, as links."""
        a = self.args
        out = [Link(_(label), self.url(sort=value), selected=a.sort == value)
               for value, label in SORT_LABELS.items()]
        out.append(Link(_("one per document"), self.url(group=not a.group), selected=a.group))
        return out

    def pages(self, pages: int) -> list[Link | None]:
        """Page links around the current one; None marks a gap (…)."""
        current = self.args.page
        wanted = {1, pages} | set(range(current - PAGE_WINDOW, current + PAGE_WINDOW + 1))
        shown = sorted(p for p in wanted if 1 <= p <= pages)
        out: list[Link | None] = []
        for i, p in enumerate(shown):
            if i and p - shown[i - 1] > 1:
                out.append(None)
            out.append(Link(str(p), self.url(page=p), selected=p == current))
        return out

    def suggestions(self) -> list[Link]:
        """Other forms of a query that found nothing: without filters, without quotes,
        with OR between its terms."""
        a = self.args
        out = []
        if a.region or a.year or a.kind:
            out.append(Link(_("search without filters"), self.url(region=[], year=[], kind=None)))
        unquoted = a.q
        for ch in "\"“”「」『』":
            unquoted = unquoted.replace(ch, " ")
        unquoted = " ".join(unquoted.split())
        if unquoted and sum(a.q.count(ch) for ch in "\"“”「」『』") >= 2:
            out.append(Link(_("the words anywhere, not as a phrase: %(words)s", words=unquoted),
                            self.url(q=unquoted)))
        words = [t for t in unquoted.split() if t not in ("OR", "NOT") and not t.startswith("-")]
        if len(words) > 1:
            either = " OR ".join(words)
            out.append(Link(_("any of the words: %(words)s", words=either), self.url(q=either)))
        return out
