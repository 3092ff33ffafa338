"""The document view's navigation: numbered matches with next/previous links, and the outline.

Why server-side: a 73,000-pixel policy address with 79 highlights must be walkable without
JavaScript. Each highlight in the body becomes ``<mark id="m-3">`` followed by links to
``#m-2`` and ``#m-4`` (shown beside the targeted match by CSS ``:target``), so following the
links steps through the matches in any browser; the outline is a list of ``#h-N`` links in a
``<details>`` that a phone can fold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from search_app.present import marked

OUTLINE_MIN_HEADINGS = 8  # about a screen of headings: fewer need no outline
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_SLOT = re.compile(r"<!--m:(\d+)-->")


class Matches:
    """Marks the query's terms in each text it is called with, numbering the marks across the
    whole body; ``navigate`` then fills in each mark's previous/next links."""

    def __init__(self, terms: list[str], finish):
        self.terms = terms
        self.count = 0
        self._finish = finish  # the views' own marks filter (damaged text, Markup)

    def __call__(self, text: str | None) -> Markup:
        def number(m: re.Match) -> str:
            self.count += 1
            n = self.count
            return f'<mark id="m-{n}">{m.group(1)}</mark><!--m:{n}-->'

        return self._finish(_MARK.sub(number, marked(text, self.terms)))

    def navigate(self, body: str) -> Markup:
        """The rendered body with each mark's links: ‹ to the previous match, › to the next."""
        total = self.count

        def links(m: re.Match) -> str:
            n = int(m.group(1))
            if total == 1:
                return ""  # nowhere to step to
            prev = (f'<a href="#m-{n - 1}" rel="prev" aria-label="{_("previous match")}">‹</a>'
                    if n > 1 else "")
            nxt = (f'<a href="#m-{n + 1}" rel="next" aria-label="{_("next match")}">›</a>'
                   if n < total else "")
            where = _("%(n)s of %(total)s", n=n, total=total)
            return f'<span class="mnav">{prev}<span>{where}</span>{nxt}</span>'

        return Markup(_SLOT.sub(links, str(body)))


@dataclass(frozen=True)
class OutlineEntry:
    anchor: str
    text: str
    level: int


def outline(blocks: list[tuple[str, object]]) -> list[OutlineEntry]:
    """The headings, each with the ``id`` the body gives it (``h-<block index>``); empty when
    there are too few to need an outline."""
    entries = [OutlineEntry(f"h-{i}", str(b["text"]), int(b["level"]))
               for i, (kind, b) in enumerate(blocks) if kind == "heading"]
    return entries if len(entries) > OUTLINE_MIN_HEADINGS else []
