"""The interface language: Chinese (zh-Hans) by default on the pages, English on request.

Why a module of its own: the engine (query.py, facets.py, search.py) speaks English to every
client (the CLI, the JSON API, logs), and the pages speak the reader's language. So the
engine's notes and error messages stay English strings and are translated here, at
presentation, through the same Flask-Babel catalogs as the templates: ``ENGINE_MESSAGES`` lists
each engine message as a msgid whose ``%(name)s`` placeholders stand for the varying parts,
and ``translate`` finds the msgid a message was made from, then looks it up in the catalog. A
message not listed (a new note another module adds) is shown as it is, in English.

Which language:
- a page: ``?lang=en`` or ``?lang=zh`` (kept in every link), else the browser's
  ``Accept-Language``, else Chinese;
- ``/api/``: ``?lang=`` only, else English, so that an existing client's responses do not
  change (browsers and several HTTP libraries send ``Accept-Language`` without being asked).

The compiled catalogs (``messages.mo``) are committed beside their ``.po`` files: Flask-Babel
reads only ``.mo`` files and an editable install (``pip install -e .``) runs no build step that
could compile them; ``tests/test_i18n.py`` fails when a ``.mo`` is older than its ``.po``.
"""

from __future__ import annotations

import re
from functools import cache

from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale, gettext

LANGUAGES = ("zh", "en")
DEFAULT_PAGE_LANGUAGE = "zh"
DEFAULT_API_LANGUAGE = "en"
HTML_LANG = {"zh": "zh-Hans", "en": "en"}


def N_(msgid: str) -> str:
    """Marks a msgid for extraction (``pybabel extract -k N_``) without translating it yet."""
    return msgid


# The messages the engine builds (f-strings in query.py, facets.py, params.py, search.py,
# errors.py), written as msgids; the placeholders match any text.
ENGINE_MESSAGES = (
    N_("query shortened to its first %(n)s characters"),
    N_("unbalanced quote ignored"),
    N_("a lone '-' was ignored"),
    N_("%(text)s… was cut to %(clause)s: a query reads at most %(n)s index terms"),
    N_("the query was cut to its first %(n)s index terms (from %(text)s on, it was ignored)"),
    N_("nothing searchable in %(text)s; ignored"),
    N_("only the first %(n)s terms were used"),
    N_("the query was too broad to finish in time: the results are incomplete; narrow it "
       "with more words, a region or a year"),
    N_("no result has every term: showing the %(count)s results with %(best)s of %(n)s (each "
       "says what it is missing)"),
    N_("%(text)s was read as %(words)s"),
    N_("%(clause)s: %(count)s results match it as the place the paragraph or its document is "
       "about (%(label)s), not in their own text"),
    N_("%(clause)s: %(count)s results match it as the year of their document (%(label)s), not "
       "in their own text"),
    N_("%(clause)s: %(count)s results match it in the title of their document, not in their "
       "own text"),
    N_("%(clause)s: %(count)s results match it through its expansion (%(label)s), not in "
       "their own text"),
    N_("exact must be 1 or 0, not %(raw)s"),
    N_("group must be 1 or 0, not %(raw)s"),
    N_("sort must be one of: %(sorts)s, not %(raw)s"),
    N_("type must be one of: %(types)s, not %(raw)s"),
    N_("doc: no document %(doc)s in the index"),
    N_("a query needs at least one term that is not excluded"),
    N_("type a word or phrase to search for"),
    N_("q is required: type a word or phrase to search for"),
    N_("q: %(message)s"),
    N_("%(name)s must be a whole number from %(low)s to %(high)s, not %(raw)s"),
    N_("%(name)s must be a whole number from %(low)s, not %(raw)s"),
    N_("page must be a whole number from 1"),
    N_("kind must be one of: %(kinds)s, not %(raw)s"),
    N_("year must look like 2020 or 2016-2018, not %(raw)s"),
    N_("year must be between %(low)s and %(high)s, not %(raw)s"),
    N_("region is empty"),
    N_("region is too long (at most 100 characters)"),
    N_("region %(raw)s names several places: %(choices)s (give the path, or the city with "
       "it, as in 福州市鼓楼区)"),
    N_("region %(raw)s is not a known place; did you mean: %(choices)s"),
    N_("region %(raw)s is not a known place; no place of that name is known (use a province, "
       "city or county name)"),
    N_("no document %(doc_id)s in the index"),
    N_("no original file for %(doc_id)s"),
    N_("nothing here: %(path)s"),
    N_("something went wrong on our side; the error was logged"),
    N_("internal error"),
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def _patterns() -> tuple[tuple[re.Pattern, str], ...]:
    """Each msgid as an anchored regex; the placeholders become named groups."""
    out = []
    for msgid in ENGINE_MESSAGES:
        parts = _PLACEHOLDER.split(msgid)  # text, name, text, name, …, text
        rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                     for i, p in enumerate(parts))
        out.append((re.compile(rf"^{rx}$", re.S), msgid))
    return tuple(out)


def translate(message: str) -> str:
    """An engine message in the current language; unknown messages come back unchanged.
    A placeholder that is itself a message (``q: <QueryError>``) is translated too."""
    message = str(message)
    for rx, msgid in _patterns():
        m = rx.match(message)
        if m:
            values = {k: translate(v) if k == "message" else v for k, v in m.groupdict().items()}
            return gettext(msgid, **values)
    return message


def language() -> str:
    """The language of the current request: ``zh`` or ``en``."""
    if not has_request_context():
        return DEFAULT_API_LANGUAGE
    asked = (request.args.get("lang") or "").strip().lower()
    if asked[:2] in LANGUAGES:
        return asked[:2]
    if request.path.startswith("/api/"):
        return DEFAULT_API_LANGUAGE
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_PAGE_LANGUAGE


def html_lang() -> str:
    """The ``<html lang>`` value of the current language."""
    return HTML_LANG.get(str(get_locale() or DEFAULT_PAGE_LANGUAGE)[:2], "zh-Hans")


def lang_param() -> str | None:
    """The ``lang`` to keep in links: the one the URL gave (the browser's own choice needs no
    parameter)."""
    if not has_request_context():
        return None
    asked = (request.args.get("lang") or "").strip().lower()[:2]
    return asked if asked in LANGUAGES else None


def init_app(app: Flask) -> None:
    """Flask-Babel on the app, with ``translate``, ``html_lang`` and ``lang_param`` for the
    templates."""
    Babel(app, locale_selector=language)
    app.jinja_env.globals.update(html_lang=html_lang, lang_param=lang_param)
    app.jinja_env.filters["translate"] = translate
