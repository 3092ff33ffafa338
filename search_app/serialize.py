"""The JSON shape of a search, shared by ``/api/search`` and ``policy-search query --json``."""

from __future__ import annotations

from urllib.parse import urlencode

from search_app.search import SearchResult


def search_url(path: str, q: str, filters: dict, kind: str | None, page: int,
               per_page: int | None = None, order: dict | None = None) -> str:
    """``order``: ``sort``, ``group``, ``doc`` when not their defaults."""
    params: list[tuple[str, str]] = [("q", q)]
    params += [("region", r) for r in filters.get("region", [])]
    params += [("year", y) for y in filters.get("year", [])]
    if kind:
        params.append(("kind", kind))
    order = order or {}
    if order.get("sort", "relevance") != "relevance":
        params.append(("sort", order["sort"]))
    if order.get("group"):
        params.append(("group", "1"))
    if order.get("doc"):
        params.append(("doc", order["doc"]))
    if order.get("type"):
        params.append(("type", order["type"]))
    if order.get("issuer"):
        params.append(("issuer", order["issuer"]))
    if per_page:
        params.append(("per_page", str(per_page)))
    if page > 1:
        params.append(("page", str(page)))
    return f"{path}?{urlencode(params)}"


def search_json(result: SearchResult, kind: str | None = None) -> dict:
    """The /api/search object; ``next`` is the relative URL of the next page or None."""
    data = {"ok": True, **result.to_dict()}
    if result.page < result.pages:
        data["next"] = search_url("/api/search", result.query, result.filters, kind,
                                  result.page + 1, result.per_page, result.order)
    else:
        data["next"] = None
    return data
