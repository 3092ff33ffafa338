"""Shared fixtures: the bundled sample reports, a small mixed-script corpus, built indexes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build import build_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus"

# Hand-written records mixing scripts, noise and metadata (our own words, not the corpus).
DOCS = {
    "trad.txt": (
        "福州東西部協作簡報\n"
        "發布時間:2021-05-06 |\n"
        "來源:測試日報\n"
        "一、協作成效\n"
        "閩寧協作在台江區推進易地扶貧搬遷,建成扶貧車間12個,投入資金1.35萬噸。\n"
        "上一页 1 2 3 下一页\n"
        "返回顶部\n"
    ),
    "simp.txt": (
        "贵州黔南州协作报告\n"
        "发布时间: 2019-03-01 15:30:38\n"
        "二、主要做法\n"
        "东西部协作推动独山县林盘蚕房项目,带动贫困户增收,扶贫车间吸纳就业。\n"
        "京ICP备12345678号\n"
    ),
    "sub/hk.md": (
        "# 施政綱領\n\n"
        "## 第一章 總則\n\n"
        "第一條 為加強衞生服務,政府將擴展綫路網絡。\n\n"
        "房屋單 位供應將增加 7 4 7 7 2 個。\n"
    ),
}


def write_corpus(root: Path, docs: dict[str, str]) -> Path:
    for name, text in docs.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory) -> Path:
    """The bundled sample reports, indexed once for the session (read-only for tests)."""
    base = tmp_path_factory.mktemp("seeds")
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus)
    index = base / "index"
    build_index(corpus, index, jobs=2)
    return index


@pytest.fixture(scope="session")
def docs_index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("docs")
    corpus = write_corpus(base / "corpus", DOCS)
    index = base / "index"
    build_index(corpus, index, jobs=1)
    return index


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A fresh writable copy of the small mixed corpus."""
    return write_corpus(tmp_path / "corpus", DOCS)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
