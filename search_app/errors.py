"""The one error handler: every failure becomes a JSON object under ``/api/`` and a page
elsewhere, with the right status and a message a user can act on (never a traceback).
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer import store
from search_app import get_engine
from search_app.health import explain
from search_app.i18n import DEFAULT_API_LANGUAGE, language, translate
from search_app.params import BadParameter
from search_app.query import QueryError


class NotFound(Exception):
    """A document (or other object) the index does not have; the message names it."""


def classify(err: Exception) -> tuple[int, str, str]:
    """(status, message for the page, message for the API) of an exception."""
    if isinstance(err, BadParameter):
        return 400, err.message, err.named
    if isinstance(err, QueryError):
        return 400, str(err), f"q: {err}"
    if isinstance(err, NotFound):
        return 404, str(err), str(err)
    if isinstance(err, store.DamagedIndex):
        return 503, str(err), str(err)
    if isinstance(err, store.IndexError_):
        message = f"{err}. The search is not available until the index is built."
        return 503, message, message
    if isinstance(err, HTTPException):
        code = err.code or 500
        text = err.description or err.name
        if code == 404:
            text = f"nothing here: {request.path}"
        return code, text, text
    damaged = explain(get_engine(), err)  # a read error, or a bug the checksums explain
    if damaged is not None:
        return 503, str(damaged), str(damaged)
    return 500, "something went wrong on our side; the error was logged", "internal error"


def handle(err: Exception):
    status, page_message, api_message = classify(err)
    if status == 500:
        from flask import current_app

        current_app.logger.exception("error answering %s", request.full_path)
    if request.path.startswith("/api/"):
        if language() != DEFAULT_API_LANGUAGE:  # ?lang=zh; unchanged for existing clients
            api_message = translate(api_message)
        resp = jsonify({"ok": False, "status": status, "error": api_message})
    else:
        resp = render_template("error.html", status=status, message=page_message,
                               q=request.args.get("q", ""))
    return resp, status


def security_headers(resp):
    """Only our own files: no inline script can run even if something slipped through escaping."""
    resp.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, handle)
    app.after_request(security_headers)
