"""Hostile corpus files: the build finishes, names every skipped file with its reason and
indexes everything else."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import indexer.build as B
from indexer.build import build_index
from search_app.search import search
from tests import live

GOOD = "贵州协作报告\n东西部协作推动独山县林盘蚕房项目,带动贫困户增收。\n"
HAN = "东西部扶贫协作在都匀市推进易地扶贫搬迁,建成扶贫车间十二个。各位代表现在我代表政府报告工作。\n"
TRAD = "東西部扶貧協作在都勻市推進易地扶貧搬遷,建成扶貧車間十二個。各位代表現在我代表政府報告工作。\n"
HUGE_MB = 50


def docs(index, q) -> list[str]:
    return sorted({h.doc_id for h in search(index, q, per_page=100).hits})


def hostile_corpus(root: Path) -> Path:
    root.mkdir()
    (root / "good.txt").write_text(GOOD, "utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64)
    damaged = ("受损报告\n" + HAN * 20).encode("utf-8")
    (root / "damaged.txt").write_bytes(damaged[:300] + b"\xff\xfe\x80" + damaged[300:])
    (root / "gbk.txt").write_bytes(("广东报告\n" + HAN.replace("都匀市", "清远市")).encode("gbk"))
    (root / "big5.txt").write_bytes(("臺灣報告\n" + TRAD.replace("都勻市", "花蓮縣")).encode("big5"))
    (root / "long.txt").write_text("长串报告\n扶贫车间" + "a" * 100_000 + " " + "9" * 10_000
                                   + "蚕桑基地建成投产。\n", "utf-8")
    line = ("大文件报告" + HAN).encode("utf-8")
    with open(root / "huge.txt", "wb") as f:
        for _ in range(HUGE_MB * 1024 * 1024 // len(line) + 1):
            f.write(line)
    (root / "loops").mkdir()
    os.symlink("..", root / "loops" / "up")  # a folder loop
    os.symlink("self.txt", root / "loops" / "self.txt")  # a link to itself
    os.mkfifo(root / "fifo.txt")
    (root / os.fsdecode("江门报告.txt".encode("gb18030"))).write_text(
        "江门报告\n江门市侨乡协作项目启动。\n", "utf-8")
    (root / os.fsdecode(b"bad-\xff\xff.txt")).write_text("名字坏了\n这一份的名字不是文字。\n",
                                                         "utf-8")
    return root


EXPECTED_SKIPS = {
    "empty.txt": "empty file",
    "binary.txt": "binary file",
    "huge.txt": "larger than 4 MB",
    "loops/self.txt": "cannot read: Too many levels of symbolic links",
    "fifo.txt": "not a regular file",
    "bad-\ufffd\ufffd.txt": "file name is neither UTF-8 nor GB18030",
}


def test_a_hostile_corpus_is_built_and_every_skip_is_named(tmp_path):
    corpus = hostile_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    proc = subprocess.run(
        [sys.executable, "-m", "search_app", "index", str(corpus), "--index-dir", str(index),
         "--jobs", "2"],
        cwd=live.ROOT, env=live.env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name, reason in EXPECTED_SKIPS.items():
        assert f"skipped {name}: {reason}" in proc.stderr, (name, proc.stderr)
    assert f"skipped {len(EXPECTED_SKIPS)} files" in proc.stdout
    assert "full build: 6 documents" in proc.stdout  # good, damaged, gbk, big5, long, 江门
    assert docs(index, "林盘蚕房") == ["good.txt"]
    assert docs(index, "受损报告") == ["damaged.txt"]  # the text around the damage is kept
    assert docs(index, "清远市") == ["gbk.txt"]
    assert docs(index, "花莲县") == ["big5.txt"]  # Big5 Traditional, found in Simplified
    assert docs(index, "蚕桑基地") == ["long.txt"]  # a 100,000-letter run does not hurt
    assert docs(index, "侨乡协作") == ["江门报告.txt"]  # a GBK file name, read as such
    assert docs(index, "大文件报告") == []


def _peak_rss_mb(corpus: Path, index: Path) -> float:
    """Peak resident memory (MB) of `policy-search index --jobs 1` on ``corpus``."""
    probe = ("import resource, subprocess, sys; "
             "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "search_app", "index", str(corpus),
         "--index-dir", str(index), "--jobs", "1"],
        cwd=live.ROOT, env=live.env(), capture_output=True, text=True, timeout=300, check=True)
    return int(out.stdout.strip()) / 1024


def test_a_50_mb_file_costs_no_memory(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, "utf-8")
    base = _peak_rss_mb(corpus, tmp_path / "a")
    with open(corpus / "huge.txt", "w", encoding="utf-8") as f:
        for _ in range(HUGE_MB * 1024 * 1024 // len(HAN.encode()) + 1):
            f.write(HAN)
    with_huge = _peak_rss_mb(corpus, tmp_path / "b")
    assert with_huge - base < 10, (base, with_huge)  # the file is refused before it is read


def test_the_size_limit_is_configurable(corpus, tmp_path, monkeypatch):
    (corpus / "big.txt").write_text("大报告\n" + HAN * 200, "utf-8")  # about 27 KB
    monkeypatch.setenv("POLICY_SEARCH_MAX_FILE_MB", "0.01")
    report = build_index(corpus, tmp_path / "small", jobs=1)
    assert dict(report.skipped)["big.txt"].startswith("larger than 0.01 MB")
    monkeypatch.delenv("POLICY_SEARCH_MAX_FILE_MB")
    report = build_index(corpus, tmp_path / "default", jobs=1)
    assert "big.txt" not in dict(report.skipped) and report.documents == 4


def test_files_that_vanish_change_or_turn_into_a_fifo_after_the_scan(corpus, tmp_path,
                                                                     monkeypatch):
    (corpus / "gone.txt").write_text("将被删除\n这份报告会在读取之前消失。\n", "utf-8")
    (corpus / "fifo-later.txt").write_text("将变成管道\n这份报告会变成命名管道。\n", "utf-8")
    scan = B.scan_corpus

    def scan_then_meddle(root):
        found = scan(root)
        (corpus / "gone.txt").unlink()
        (corpus / "simp.txt").write_text("改写报告\n读取之前改写的内容沙步市场。\n", "utf-8")
        (corpus / "fifo-later.txt").unlink()
        os.mkfifo(corpus / "fifo-later.txt")  # opening it for reading would block forever
        return found

    monkeypatch.setattr(B, "scan_corpus", scan_then_meddle)
    index = tmp_path / "index"
    report = build_index(corpus, index, jobs=1)
    reasons = dict(report.skipped)
    assert reasons["gone.txt"] == "cannot read: No such file or directory"
    assert reasons["fifo-later.txt"] == "not a regular file"
    assert docs(index, "沙步市场") == ["simp.txt"]  # the bytes read are the bytes indexed
    assert docs(index, "闽宁协作") == ["trad.txt"]
    monkeypatch.setattr(B, "scan_corpus", scan)
    (corpus / "fifo-later.txt").unlink()
    again = build_index(corpus, index, jobs=1)
    assert again.up_to_date  # the changed file is remembered by the bytes it had when read
    assert docs(index, "沙步市场") == ["simp.txt"]


def _without_root_read_override() -> None:
    """In a child before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding
    set, so a root build obeys file modes like any user (chmod 000 means unreadable)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "PR_CAPBSET_DROP")


def test_a_file_without_read_permission_is_skipped(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, "utf-8")
    secret = corpus / "secret.txt"
    secret.write_text("机密报告\n不可读取的内容。\n", "utf-8")
    secret.chmod(0)
    kw = {}
    if os.geteuid() == 0:  # root reads a chmod 000 file anyway: take that power away
        if not sys.platform.startswith("linux"):
            pytest.skip("running as root, and dropping its read override needs Linux")
        kw["preexec_fn"] = _without_root_read_override
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "search_app", "index", str(corpus), "--index-dir",
             str(tmp_path / "index"), "--jobs", "1"],
            cwd=live.ROOT, env=live.env(), capture_output=True, text=True, timeout=120, **kw)
    except subprocess.SubprocessError as err:
        pytest.skip(f"running as root without CAP_SETPCAP, cannot drop the read override: {err}")
    assert proc.returncode == 0, proc.stderr
    assert "skipped secret.txt: cannot read: Permission denied" in proc.stderr
    assert "full build: 1 documents" in proc.stdout


@pytest.mark.parametrize("run", ["a" * 10_000, "7" * 10_000, "ab1" * 4_000])
def test_ten_thousand_character_runs_index_and_query(tmp_path, run):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "run.txt").write_text(f"长串\n扶贫车间{run}蚕桑基地。\n", "utf-8")
    build_index(corpus, tmp_path / "index", jobs=1)
    assert docs(tmp_path / "index", "蚕桑基地") == ["run.txt"]
    assert search(tmp_path / "index", run).total in (0, 1)  # shortened to 400; no error
