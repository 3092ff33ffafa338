"""Serving the web app with waitress (pure Python, several threads, fine on every platform)."""

from __future__ import annotations

import socket
from collections.abc import Callable

from search_app import EXTENSION
from search_app.query import QueryError
from search_app.search import search

WARM_QUERY = "扶贫协作"


def warm_up(app) -> dict:
    """Open the index, load jieba and the dictionaries, and cache the facet data, so that
    the first visitor does not wait for them; from now on a rebuilt index is warmed the same
    way in the background before it is swapped in. Returns the index's health."""
    engine = app.extensions[EXTENSION]
    engine.warm = warm_snapshot  # set first: a damaged index (503s) is warmed once rebuilt
    health = engine.health()
    warm_snapshot(engine.snapshot())
    return health


def warm_snapshot(snap) -> None:
    """One real search on a generation: loads its facet data and length norms."""
    try:
        search(snap, WARM_QUERY, per_page=1)
    except QueryError:  # pragma: no cover - the warm-up query is a real one
        pass


# waitress settings, explicit (README, "Web page"): requests are answered by ``threads``
# workers; connections beyond CONNECTION_LIMIT wait in the listen backlog instead of each
# holding a socket and buffers; an idle or stalled client is dropped after CHANNEL_TIMEOUT
# seconds. A query itself is bounded by the query budget (search.py), not by these.
CONNECTION_LIMIT = 200
CHANNEL_TIMEOUT = 30
BACKLOG = 1024


def make_server(app, host: str, port: int, threads: int):
    """A waitress server on a socket bound here first (port 0 picks a free one), so that a
    busy port or an unknown host fails before any server thread starts."""
    from waitress import create_server

    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return create_server(app, sockets=[sock], threads=threads, ident="policy-search",
                         clear_untrusted_proxy_headers=True,
                         connection_limit=CONNECTION_LIMIT, channel_timeout=CHANNEL_TIMEOUT,
                         backlog=BACKLOG)


def server_url(server) -> str:
    host = server.effective_host
    host = f"[{host}]" if ":" in str(host) else host
    return f"http://{host}:{server.effective_port}/"


def run(server, on_stop: Callable[[], None] | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()  # returns after closing itself on KeyboardInterrupt
    finally:
        if on_stop:
            on_stop()
