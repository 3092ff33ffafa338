"""The app factory and `policy-search serve`: configuration, a fresh machine, a real server."""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

import search_app
from indexer.build import build_index
from search_app import create_app, engine
from search_app.cli import cli
from search_app.search import search

ROOT = Path(__file__).resolve().parent.parent


def test_nothing_is_created_at_import_time():
    assert not hasattr(search_app, "app")
    assert callable(search_app.create_app)


@pytest.mark.parametrize(
    "env,config,expected",
    [
        ({}, None, "index"),
        ({"POLICY_SEARCH_INDEX": "/srv/a"}, None, "/srv/a"),  # the CLI's variable
        ({"POLICY_SEARCH_INDEX_DIR": "/srv/b", "POLICY_SEARCH_INDEX": "/srv/a"}, None, "/srv/b"),
        ({"POLICY_SEARCH_INDEX_DIR": "/srv/b"}, {"INDEX_DIR": "/srv/c"}, "/srv/c"),
    ],
    ids=["default", "cli-variable", "app-variable-wins", "mapping-wins"],
)
def test_config_layers(monkeypatch, env, config, expected):
    for key in [k for k in os.environ if k.startswith("POLICY_SEARCH_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = create_app(config)
    assert app.config["INDEX_DIR"] == expected
    assert app.extensions["policy_search"].index_dir == Path(expected)


def test_a_rebuild_is_served_without_a_restart(tmp_path, monkeypatch, corpus):
    monkeypatch.setattr(engine, "CHECK_EVERY", 0.0)
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)
    client = create_app({"INDEX_DIR": str(index)}).test_client()
    assert client.get("/api/search?q=沙步市场").get_json()["total"] == 0
    (corpus / "new.txt").write_text("广州沙步市场报告\n\n沙步市场帮扶黔南农产品销售。\n", "utf-8")
    build_index(corpus, index, jobs=1)
    data = client.get("/api/search?q=沙步市场").get_json()
    assert data["total"] == 1 and data["hits"][0]["doc_id"] == "new.txt"
    assert client.get("/api/health").get_json()["documents"] == 4


def test_the_server_warms_a_rebuilt_index_before_swapping_it_in(tmp_path, monkeypatch, corpus):
    """While the new generation loads, requests keep getting the old one, never a cold one."""
    monkeypatch.setattr(engine, "CHECK_EVERY", 0.0)
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)
    live = engine.Engine(index)
    first = live.snapshot()
    warming, release, warmed = threading.Event(), threading.Event(), []

    def warm(snap):
        warming.set()
        release.wait(10)
        search(snap, "扶贫")
        warmed.append(snap)

    live.warm = warm
    (corpus / "new.txt").write_text("广州沙步市场报告\n\n沙步市场帮扶黔南农产品销售。\n", "utf-8")
    build_index(corpus, index, jobs=1)
    assert live.snapshot() is first  # the new generation is being warmed…
    assert warming.wait(10)
    assert live.snapshot() is first and search(live, "沙步市场").total == 0  # …old one answers
    release.set()
    deadline = time.monotonic() + 10
    while live.snapshot() is first and time.monotonic() < deadline:
        time.sleep(0.01)
    assert live.snapshot() is warmed[0] and search(live, "沙步市场").total == 1
    live.close()


def test_serve_builds_the_index_first_on_a_fresh_machine(runner, corpus, tmp_path):
    index = tmp_path / "fresh-index"
    result = runner.invoke(cli, ["serve", "--corpus", str(corpus), "--index-dir", str(index),
                                 "--get", "/api/health"])
    assert result.exit_code == 0, result.output
    assert f"no index at {index} yet: indexing {corpus} first" in result.output
    assert "full build: 3 documents" in result.output
    health = json.loads(result.output.strip().splitlines()[-1])
    assert health["ok"] is True and health["documents"] == 3
    again = runner.invoke(cli, ["serve", "--index-dir", str(index), "--get", "/api/health"])
    assert "indexing" not in again.output  # an existing index is served as it is


@pytest.mark.parametrize(
    "path,code,fragment",
    [
        ("/api/search?q=林盘", 0, '"total":1'),
        ("/api/search?q=林盘&per_page=0", 1, '"error":"per_page must be'),
        ("/?q=林盘", 0, "<mark>林盘</mark>"),
    ],
    ids=["json", "bad-parameter", "page"],
)
def test_serve_get_prints_one_response(runner, docs_index, path, code, fragment):
    result = runner.invoke(cli, ["serve", "--index-dir", str(docs_index), "--get", path])
    assert result.exit_code == code and fragment in result.output


@pytest.mark.parametrize(
    "make_args,message",
    [
        (lambda tmp, ix: ["--index-dir", str(tmp / "none"), "--corpus", str(tmp / "nothing")],
         "does not exist"),
        (lambda tmp, ix: ["--index-dir", str(tmp / "mine")], "not a policy-search index"),
        (lambda tmp, ix: ["--index-dir", str(ix), "--port", "70000"], "70000"),
    ],
    ids=["no-corpus", "foreign-folder", "bad-port"],
)
def test_serve_errors_exit_2(runner, tmp_path, docs_index, make_args, message):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = runner.invoke(cli, ["serve"] + make_args(tmp_path, docs_index))
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_serve_refuses_a_busy_port(runner, docs_index):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--index-dir", str(docs_index), "--port", str(port)])
    assert result.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in result.output


def test_serve_help_has_an_example(runner):
    result = runner.invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "Example" in result.output and "--threads" in result.output


def test_a_real_server_answers_and_stops_on_sigterm(docs_index):
    proc = subprocess.Popen(
        [sys.executable, "-m", "search_app", "serve", "--port", "0", "--index-dir",
         str(docs_index)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        first = proc.stdout.readline()
        assert "3 documents" in first
        url = re.search(r"Serving on (http://127\.0\.0\.1:\d+/)", proc.stdout.readline()).group(1)
        started = time.perf_counter()
        with urllib.request.urlopen(url + "api/search?q=%E6%9E%97%E7%9B%98", timeout=10) as r:
            data = json.load(r)
        assert data["total"] == 1 and time.perf_counter() - started < 5  # warmed up
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.headers["Content-Type"].startswith("text/html")
        proc.terminate()
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_flask_run_finds_the_factory(docs_index, tmp_path):
    env = {**os.environ, "POLICY_SEARCH_INDEX_DIR": str(docs_index)}
    out = subprocess.run([sys.executable, "-m", "flask", "--app", "search_app", "routes"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    for rule in ("/api/search", "/api/doc/<path:doc_id>", "/api/health", "/doc/<path:doc_id>"):
        assert rule in out.stdout



def test_an_unexpected_error_is_a_500_without_details(docs_index, caplog):
    app = create_app({"INDEX_DIR": str(docs_index)})

    def boom():
        raise RuntimeError("secret detail")

    app.add_url_rule("/api/boom", "api_boom", boom)
    app.add_url_rule("/boom", "boom", boom)
    client = app.test_client()
    resp = client.get("/api/boom")
    assert resp.status_code == 500
    assert resp.get_json() == {"ok": False, "status": 500, "error": "internal error"}
    page = client.get("/boom", headers={"Accept-Language": "en"})
    assert page.status_code == 500 and b"secret detail" not in page.data
    assert b"went wrong on our side" in page.data
    assert "secret detail" in caplog.text  # logged for the operator
