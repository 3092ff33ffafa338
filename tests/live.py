"""Helpers for tests that run the real thing: a synthetic corpus, `policy-search` in a
subprocess, a served index on a free loopback port, and HTTP calls against it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env(**extra: str) -> dict:
    """The environment for a `python -m search_app` subprocess that imports this checkout."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_SEARCH_")}
    out["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    out.update(extra)
    return out


def make_corpus(root: Path, units: int, seed: int = 20261123) -> Path:
    """A reproducible synthetic corpus of about ``units`` units (bench's generator)."""
    from bench.workload import synthetic

    synthetic(units, root, seed=seed)
    return root


def cli(*args: str, **kw) -> subprocess.Popen:
    """`policy-search ARGS` in a subprocess of its own session (so a test can kill its group)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("env", env())
    return subprocess.Popen([sys.executable, "-m", "search_app", *args], cwd=ROOT, text=True,
                            start_new_session=True, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


def fetch(url: str, timeout: float = 30) -> Response:
    """GET ``url``; an HTTP error status is a Response too, a network failure raises."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as err:
        with err:
            return Response(err.code, err.headers, err.read())


class Server:
    """`policy-search serve` on a free loopback port; use as a context manager."""

    def __init__(self, index_dir: Path, threads: int = 6, log: Path | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log or index_dir.parent / f"serve-{self.port}.log"
        self._log = open(self.log, "w")  # a file, not a pipe: a full pipe would stall it
        self.proc = cli("serve", "--port", str(self.port), "--index-dir", str(index_dir),
                        "--threads", str(threads), stdout=self._log, stderr=subprocess.STDOUT)

    def __enter__(self) -> Server:
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if fetch(self.base + "/api/health", timeout=2).status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer /api/health within 60 s")

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, path: str, **params) -> str:
        query = urllib.parse.urlencode(params, doseq=True)
        return self.base + path + (f"?{query}" if query else "")

    def get(self, path: str, **params) -> Response:
        return fetch(self.url(path, **params))

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
