"""Query code shared by the command line and the web app, and the web app's factory.

``create_app()`` builds a Flask app on an index folder; nothing is created at import time, so
``flask --app search_app run``, ``policy-search serve`` and each test build their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

EXTENSION = "policy_search"
DEFAULTS = {
    "INDEX_DIR": "index",
    "CORPUS": "corpus",
}


def create_app(config: Mapping[str, Any] | None = None):
    """The web app: defaults, then ``POLICY_SEARCH_*`` environment variables, then ``config``.

    ``POLICY_SEARCH_INDEX`` (the variable the command line reads) also sets ``INDEX_DIR``
    unless ``POLICY_SEARCH_INDEX_DIR`` is given. The index is opened here, once per process;
    a missing index is not an error until a request needs it (it answers 503).
    """
    from flask import Flask

    from indexer import store
    from search_app import api, errors, export, i18n, views
    from search_app.engine import Engine
    from search_app.health import Guard

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("POLICY_SEARCH")
    if "INDEX" in app.config and "INDEX_DIR" not in _env_keys():
        app.config["INDEX_DIR"] = app.config["INDEX"]
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False  # Chinese stays readable in the JSON
    app.json.sort_keys = False  # keys in the documented order

    engine = Engine(Path(str(app.config["INDEX_DIR"])), guard=Guard(app.logger))
    try:
        engine.snapshot()
    except store.IndexError_:
        pass  # answered per request with a 503 that says how to build (or rebuild) the index
    app.extensions[EXTENSION] = engine

    errors.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(export.bp)
    return app


def _env_keys() -> set[str]:
    import os

    prefix = "POLICY_SEARCH_"
    return {k[len(prefix):] for k in os.environ if k.startswith(prefix)}


def get_engine():
    """The Engine of the app handling the current request."""
    from flask import current_app

    return current_app.extensions[EXTENSION]
