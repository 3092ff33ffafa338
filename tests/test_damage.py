"""Fault injection (issue 18): every kind of file in a generation of the bundled reports'
index, truncated or with one bit flipped, a ``CURRENT`` naming a missing generation and an
empty ``PREVIOUS`` each end in the documented behaviour: ``check`` names the file and exits
1; the API falls back to a sound PREVIOUS (``degraded`` in ``/api/health``, a banner on the
page) or answers 503 with the fix; ``query`` prints one ``Error:`` line and exits 2.

The kinds are found in the generation itself, so a file that a later build adds (per-
generation arrays, say) is damaged by ``test_every_other_kind_of_file_is_covered`` without
a change here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from indexer import integrity, store
from indexer.build import build_index
from search_app import create_app, engine, health
from search_app.cli import cli
from tests import live
from tests.conftest import SEEDS

# Whoosh leaves the files of a segment reader that a damaged file made fail half-way to the
# garbage collector; that warning is about Whoosh, not about what these tests check.
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

NEW_REPORT = "广州沙步市场报告\n\n沙步市场帮扶黔南农产品销售,扶贫车间吸纳就业。\n"
FIX = "policy-search index --full"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The bundled reports indexed, then indexed again with one more report: a live
    generation with a sound PREVIOUS. Copied by each test, never damaged itself."""
    base = tmp_path_factory.mktemp("damage")
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus)
    index = base / "index"
    build_index(corpus, index, jobs=1)
    (corpus / "new.txt").write_text(NEW_REPORT, "utf-8")
    build_index(corpus, index, jobs=1)
    return index


@pytest.fixture
def index(built, tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(engine, "CHECK_EVERY", 0.0)  # every request looks at the folder
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    return copy


def gen_of(index: Path, pointer: str = store.CURRENT) -> Path:
    return index / (index / pointer).read_text("utf-8").strip()


def kind(name: str) -> str:
    """What a file is, whatever its segment: ``MAIN_ab12._stored.col`` → ``._stored.col``,
    ``_MAIN_3.toc`` → ``.toc``; a name without a segment is its own kind."""
    m = re.match(r"_?MAIN_[0-9a-z]+(\..+)$", name)
    return m.group(1) if m else name


def kinds(gen: Path) -> dict[str, Path]:
    """The largest file of each kind in ``gen`` (the manifest itself aside)."""
    out: dict[str, Path] = {}
    for path in sorted(gen.rglob("*"), key=lambda p: -p.stat().st_size):
        if path.is_file() and path.name != integrity.MANIFEST:
            out.setdefault(kind(path.relative_to(gen).as_posix()), path)
    return out


def truncate(path: Path) -> None:
    """Half the file, as a copy cut short leaves it (a byte more for an empty file)."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if data else b"\0")


def flip(path: Path) -> None:
    """One bit in the middle, as a bad sector or a bad copy leaves it (a byte more for an
    empty file, which has no bit to flip)."""
    data = bytearray(path.read_bytes())
    if not data:
        path.write_bytes(b"\0")
        return
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))


DAMAGES = {"truncated": truncate, "bit-flipped": flip}
KNOWN_KINDS = [".trm", ".pst", ".toc", "._stored.col", "._words_len.col", "units.sqlite"]


# ---- what each kind of damage must end in ------------------------------------------------


def check_names(runner, index: Path, name: str, quick: bool = False) -> None:
    result = runner.invoke(cli, ["check", "--index-dir", str(index)] + ["--quick"] * quick)
    assert result.exit_code == 1, result.output
    damaged = [line for line in result.output.splitlines() if line.startswith("damaged: ")]
    assert damaged and name in damaged[0], result.output


def query_says(runner, index: Path, name: str) -> None:
    result = runner.invoke(cli, ["query", "扶贫", "--index-dir", str(index)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: the index is damaged: "), lines
    assert name in lines[0] and FIX in lines[0]


def app_for(index: Path):
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    guard = app.extensions["policy_search"].guard
    assert guard.wait(30), "the background verification did not end"
    return app


def api_falls_back(index: Path, name: str) -> None:
    previous = gen_of(index, store.PREVIOUS).name
    app = app_for(index)
    try:
        client = app.test_client()
        found = client.get("/api/search?q=扶贫车间")
        assert found.status_code == 200, found.get_json()
        assert found.get_json()["total"] > 0
        state = client.get("/api/health").get_json()
        assert state["ok"] is True and state["generation"] == previous
        assert name in state["degraded"] and "since" in state["degraded"]
        page = client.get("/?q=扶贫车间").get_data(as_text=True)
        assert 'class="degraded"' in page
    finally:
        app.extensions["policy_search"].close()


def api_refuses(index: Path, name: str) -> None:
    app = app_for(index)
    try:
        client = app.test_client()
        for url in ("/api/search?q=扶贫", "/api/health"):
            answer = client.get(url)
            assert answer.status_code == 503, (url, answer.get_json())
            assert name in answer.get_json()["error"] and FIX in answer.get_json()["error"]
        page = client.get("/?q=扶贫")
        assert page.status_code == 503 and FIX in page.get_data(as_text=True)
    finally:
        app.extensions["policy_search"].close()


def ends_as_documented(runner, index: Path, damaged: Path) -> None:
    """check, the CLI, the API with a sound PREVIOUS and then with none."""
    check_names(runner, index, damaged.name)
    query_says(runner, index, damaged.name)
    api_falls_back(index, damaged.name)
    (index / store.PREVIOUS).unlink()
    api_refuses(index, damaged.name)


@pytest.mark.parametrize("damage", list(DAMAGES), ids=list(DAMAGES))
@pytest.mark.parametrize("file_kind", KNOWN_KINDS, ids=[k.strip("._") for k in KNOWN_KINDS])
def test_a_damaged_file_is_named_and_survived(runner, index, file_kind, damage):
    path = kinds(gen_of(index))[file_kind]
    DAMAGES[damage](path)
    ends_as_documented(runner, index, path)


def test_every_other_kind_of_file_is_covered(runner, built, tmp_path, monkeypatch):
    """Whatever else a build writes into a generation is damaged the same ways."""
    monkeypatch.setattr(engine, "CHECK_EVERY", 0.0)
    others = sorted(set(kinds(gen_of(built))) - set(KNOWN_KINDS))
    assert others, "the generation holds only the kinds above: this test checks nothing"
    for other in others:
        for damage, harm in DAMAGES.items():
            copy = tmp_path / f"{other}-{damage}"
            shutil.copytree(built, copy)
            path = kinds(gen_of(copy))[other]
            harm(path)
            try:
                ends_as_documented(runner, copy, path)
            except AssertionError as err:
                raise AssertionError(f"{other} {damage}: {err}") from err


def test_every_file_of_a_generation_is_in_its_checksums(built):
    for gen in (gen_of(built), gen_of(built, store.PREVIOUS)):
        files = integrity.read_manifest(gen)
        on_disk = {p.relative_to(gen).as_posix() for p in gen.rglob("*") if p.is_file()}
        assert set(files) == on_disk - {integrity.MANIFEST}
        for rel, entry in files.items():
            assert entry["size"] == (gen / rel).stat().st_size
            assert entry["crc32"] == integrity.file_crc(gen / rel)


# ---- pointers ------------------------------------------------------------------------------


def test_current_naming_a_missing_generation_falls_back_or_is_refused(runner, index):
    (index / store.CURRENT).write_text("gen-20990101T000000-1-1\n", "utf-8")
    ends_as_documented(runner, index, Path(store.CURRENT))


def test_an_empty_previous_is_reported_and_the_live_generation_still_serves(runner, index):
    (index / store.PREVIOUS).write_text("", "utf-8")
    check_names(runner, index, store.PREVIOUS)
    assert runner.invoke(cli, ["query", "扶贫", "--index-dir", str(index)]).exit_code == 0
    app = app_for(index)
    try:
        state = app.test_client().get("/api/health").get_json()
        assert state["ok"] is True and "degraded" not in state
    finally:
        app.extensions["policy_search"].close()
    path = kinds(gen_of(index))[".pst"]
    truncate(path)  # and with the live generation damaged there is nothing to fall back to
    api_refuses(index, path.name)


# ---- check ---------------------------------------------------------------------------------


def test_check_passes_a_sound_index_and_exits_2_without_one(runner, index, tmp_path):
    for extra in ([], ["--quick"]):
        result = runner.invoke(cli, ["check", "--index-dir", str(index), *extra])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("the index is sound: ")
        assert "(live," in result.output and "(previous," in result.output
    result = runner.invoke(cli, ["check", "--index-dir", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: no index at {tmp_path / 'nothing'}: run `policy-search index` first"]


def test_check_quick_compares_sizes_only(runner, index):
    path = kinds(gen_of(index))[".trm"]
    flip(path)
    assert runner.invoke(cli, ["check", "--quick", "--index-dir", str(index)]).exit_code == 0
    check_names(runner, index, path.name)
    truncate(path)
    check_names(runner, index, path.name, quick=True)


def test_check_runs_sqlites_quick_check(runner, index):
    """SQLite's own check sees a database whose checksums were recorded after the damage
    (or never: an older build)."""
    gen = gen_of(index)
    path = gen / store.UNITS_DB
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's b-tree header
    path.write_bytes(bytes(data))
    integrity.write_manifest(gen)
    result = runner.invoke(cli, ["check", "--index-dir", str(index)])
    assert result.exit_code == 1 and "units.sqlite: SQLite" in result.output, result.output


def test_a_generation_without_checksums_is_a_note_not_damage(runner, index):
    (gen_of(index) / integrity.MANIFEST).unlink()
    result = runner.invoke(cli, ["check", "--index-dir", str(index)])
    assert result.exit_code == 0, result.output
    assert f"note: live generation {gen_of(index)}: no checksums (built by an older " \
           f"version): rebuild with `{FIX}`" in result.output
    assert runner.invoke(cli, ["query", "扶贫", "--index-dir", str(index)]).exit_code == 0


# ---- read errors while serving, and rebuilding -------------------------------------------


def held_verification(monkeypatch) -> threading.Event:
    """Make the guard's full verifications wait for the event returned (sizes do not)."""
    release = threading.Event()
    verify = integrity.verify

    def held(gen, quick=False, sqlite=False):
        if not quick:
            release.wait(30)
        return verify(gen, quick=quick, sqlite=sqlite)

    monkeypatch.setattr(health.integrity, "verify", held)
    return release


def test_a_read_error_in_a_query_is_a_503_and_starts_a_verification(index, monkeypatch):
    """Damage the sizes do not show (zeroed postings) met before the verification ends."""
    for pst in gen_of(index).glob("*.pst"):
        pst.write_bytes(b"\0" * pst.stat().st_size)
    release = held_verification(monkeypatch)
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    try:
        client = app.test_client()
        answer = client.get("/api/search?q=扶贫")
        assert answer.status_code == 503, answer.get_json()
        assert answer.get_json()["error"].startswith("the index is damaged: reading ")
        assert FIX in answer.get_json()["error"]
        release.set()
        assert app.extensions["policy_search"].guard.wait(30)
        assert client.get("/api/search?q=扶贫").status_code == 200
        assert ".pst: checksum mismatch" in client.get("/api/health").get_json()["degraded"]
    finally:
        release.set()
        app.extensions["policy_search"].close()


def test_a_passing_read_error_does_not_drop_a_sound_generation_for_good(built, monkeypatch):
    """Too many open files is a read error, not damage: the checksums have the last word."""
    release = held_verification(monkeypatch)
    guard = health.Guard()
    gen = gen_of(built)
    assert guard.cannot_open(gen, OSError(24, "Too many open files"))
    assert "Too many open files" in guard.damage(gen)  # set aside while it is verified
    release.set()
    assert guard.wait(30)
    assert guard.damage(gen) is None
    assert not guard.cannot_open(gen, KeyError("a bug"))  # the checksums say sound: a bug


def test_an_update_rebuilds_a_damaged_index_and_drops_it(built, tmp_path):
    base = tmp_path / "again"
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "new.txt").write_text(NEW_REPORT, "utf-8")
    index = base / "index"
    shutil.copytree(built, index)
    damaged = gen_of(index)
    truncate(kinds(damaged)[".pst"])
    (corpus / "more.txt").write_text("定西市协作报告\n\n定西市扶贫车间建成。\n", "utf-8")
    report = build_index(corpus, index, jobs=1)
    assert report.full and any("rebuilding everything" in w for w in report.warnings)
    assert not damaged.exists() and gen_of(index, store.PREVIOUS) != damaged
    from indexer.check import check_index

    assert check_index(index).problems == []


def test_a_served_index_with_a_damaged_file_answers_from_the_previous_one(built, tmp_path):
    """The issue's example against `policy-search serve`: half a .pst file."""
    index = tmp_path / "index"
    shutil.copytree(built, index)
    path = kinds(gen_of(index))[".pst"]
    truncate(path)
    with live.Server(index, threads=2) as server:
        assert server.get("/api/search", q="扶贫").status == 200
        state = server.get("/api/health").json()
        assert path.name in state["degraded"]
        assert server.get("/api/search", q="扶贫").status == 200
    logged = server.log.read_text()
    assert logged.count("serving the previous generation") == 1, logged
    assert "Traceback" not in logged


def test_serve_starts_on_an_index_with_no_sound_generation_and_recovers_on_rebuild(tmp_path):
    """503s that say what to do, not a server that will not start; a rebuild ends them."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)
    path = kinds(gen_of(index))[".pst"]
    truncate(path)
    port = live.free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = live.cli("serve", "--port", str(port), "--index-dir", str(index),
                        "--threads", "2", stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/api/search?q=%E6%89%B6%E8%B4%AB"
        deadline = time.time() + 60
        while "Serving on" not in log.read_text() and time.time() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.1)
        answer = live.fetch(url)
        assert answer.status == 503 and path.name in answer.json()["error"]
        build_index(corpus, index, full=True, jobs=1)
        while live.fetch(url).status != 200 and time.time() < deadline:
            time.sleep(0.2)
        assert live.fetch(url).status == 200
    finally:
        proc.terminate()
        proc.wait(15)
    assert "searches answer 503 until the index is rebuilt" in log.read_text()
    assert "Traceback" not in log.read_text()
