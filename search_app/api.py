"""The JSON API: ``/api/search``, ``/api/doc/<doc_id>``, ``/api/health``.

Successes carry ``"ok": true``; errors are ``{"ok": false, "status", "error"}`` (errors.py).
English unless the request says ``lang=zh`` (i18n.py), so existing clients see no change.
``/api/search`` returns exactly what ``policy-search query --json`` prints.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from search_app import documents, get_engine
from search_app.errors import NotFound
from search_app.i18n import DEFAULT_API_LANGUAGE, language, translate
from search_app.params import BadParameter, parse_args, search_with
from search_app.serialize import search_json

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.route("/search")
def search():
    args = parse_args(request.args)
    if not args.q:
        raise BadParameter("q", "q is required: type a word or phrase to search for")
    result = search_with(get_engine(), args)
    data = search_json(result, args.kind)
    if language() != DEFAULT_API_LANGUAGE:  # ?lang=zh: the notes in Chinese
        data["notes"] = [translate(n) for n in data["notes"]]
    return jsonify(data)


@bp.route("/doc/<path:doc_id>")
def document(doc_id: str):
    doc = documents.load(get_engine().snapshot(), doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id!r} in the index")
    return jsonify(doc.to_dict())


@bp.route("/health")
def health():
    return jsonify(get_engine().health())
