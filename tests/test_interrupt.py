"""Interrupted and concurrent rebuilds: `kill -9` at each stage leaves the previous index
complete and answering the same, the next build cleans up, workers die with their build, and
the lock refuses a second build but not the ghost of a killed one."""

import contextlib
import json
import os
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest

from bench.workload import query_mix
from indexer import store
from indexer.build import build_index
from search_app.search import search
from tests import live

UNITS = 1000  # about 35 files: a full rebuild takes several seconds on two cores
QUERIES = [q.q for q in query_mix(24)]


def answers(index: Path) -> dict[str, list[str]]:
    """What the index answers to a fixed query mix (uids of the first page, in order)."""
    return {q: [h.uid for h in search(index, q, per_page=20).hits] for q in QUERIES}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A synthetic corpus and its index, built once; each test works on a copy."""
    base = tmp_path_factory.mktemp("interrupt")
    corpus = live.make_corpus(base / "corpus", UNITS)
    index = base / "index"
    build_index(corpus, index, jobs=2)
    return corpus, index, answers(index)


@pytest.fixture
def index(built, tmp_path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(built[1], copy, symlinks=True)
    return copy


def start_paused_build(corpus: Path, index: Path, stage: str):
    proc = live.cli("index", str(corpus), "--index-dir", str(index), "--full", "--jobs", "2",
                    env=live.env(POLICY_SEARCH_PAUSE_AT=stage, POLICY_SEARCH_PAUSE_SECONDS="60"))
    deadline = time.time() + 120
    while not list(index.glob(f"*/PAUSED-{stage}")):
        assert proc.poll() is None, f"the build ended before {stage}: {proc.stderr.read()}"
        assert time.time() < deadline, f"the build never reached {stage}"
        time.sleep(0.05)
    return proc


def folders(index: Path) -> set[str]:
    return {p.name for p in index.iterdir() if p.is_dir()}


def group_alive(pgid: int) -> list[int]:
    """Pids of the process group that still run (zombies, already dead, are not counted)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] not in "ZX":
                alive.append(int(entry.name))
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("stage", ["analysis", "commit", "swap", "publish"])
def test_kill_9_leaves_the_previous_index_serving(built, index, stage):
    corpus, _, expected = built
    live_before = store.live_generation(index).name
    proc = start_paused_build(corpus, index, stage)
    os.kill(proc.pid, signal.SIGKILL)  # the build process only: its workers must follow
    proc.wait()
    try:
        deadline = time.time() + 5
        while group_alive(proc.pid) and time.time() < deadline:
            time.sleep(0.05)
        assert group_alive(proc.pid) == [], "a build worker outlived its killed build"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # no orphan outlives a failure either
        proc.stdout.close()
        proc.stderr.close()

    assert store.live_generation(index).name == live_before
    assert answers(index) == expected  # complete, and answering exactly as before
    left = folders(index) - {live_before}  # .build-*, or a gen-* that never went live
    assert len(left) == 1 and (index / store.LOCK).exists()

    report = build_index(corpus, index, jobs=2)  # takes over the lock, removes the leftovers
    assert report.removed_leftovers == list(left) and report.up_to_date
    assert folders(index) == {live_before} and not (index / store.LOCK).exists()


def test_a_second_build_is_refused_naming_the_first(built, index):
    corpus = built[0]
    first = start_paused_build(corpus, index, "analysis")
    try:
        second = live.cli("index", str(corpus), "--index-dir", str(index), "--full")
        out, err = second.communicate(timeout=120)
        assert second.returncode == 2
        assert f"another build is running (pid {first.pid} on {socket.gethostname()})" in err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.communicate()
    report = build_index(corpus, index, jobs=2)  # and then the lock is free
    assert report.removed_leftovers and report.up_to_date
    assert answers(index) == built[2]


def _lock(index: Path, **fields) -> None:
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time(), **fields}
    (index / store.LOCK).write_text(json.dumps(holder))


def test_a_running_builds_lock_holds(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)
    _lock(index, start=store.process_start(os.getpid()))  # this very process, alive
    with pytest.raises(store.LockHeld, match=f"pid {os.getpid()} on "):
        build_index(corpus, index, jobs=1)


@pytest.mark.parametrize(
    "holder",
    [
        {"pid": 2**22 + 7},  # no such process
        {"start": "1"},  # this pid, but a process that started at boot: the pid was reused
        {"pid": "garbage"},  # half-written
    ],
    ids=["dead-pid", "reused-pid", "garbage"],
)
def test_a_stale_lock_does_not_block(corpus, tmp_path, holder):
    if "start" in holder and store.process_start(os.getpid()) is None:
        pytest.skip("no /proc: the start time of a process is unknown here")
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)
    _lock(index, **holder)
    report = build_index(corpus, index, full=True, jobs=1)
    assert report.full and not (index / store.LOCK).exists()


def test_the_live_and_the_previous_generation_are_kept(corpus, tmp_path):
    index = tmp_path / "index"
    names = [build_index(corpus, index, full=True, jobs=1).generation for _ in range(3)]
    assert folders(index) == set(names[1:])  # readers of the one before may still be on it
    assert (index / store.CURRENT).read_text().strip() == names[2]
    assert (index / store.PREVIOUS).read_text().strip() == names[1]
