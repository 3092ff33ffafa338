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


# ---- web app: a small index whose units carry regions, years and a table ----------------------
#
# Regions and years below are what recognition finds (indexer.places, indexer.years):
# trad.txt 福建省/福州市/台江区 + 宁夏 (閩寧協作), 2021; simp.txt 黔南州/独山县, 2019;
# "gz/2020 独山 #1.txt" 独山县 and 三都水族自治县 by turns, 2020; table.txt 独山县, 2020;
# escape.txt 广东省/广州市/黄埔区, 2018.

WEB_DOCS = {
    **DOCS,
    "gz/2020 独山 #1.txt": "独山县扶贫车间建设台账\n发布时间:2020-08-01\n\n" + "".join(
        f"第{i}个扶贫车间在{'独山县' if i % 2 else '三都县'}建成投产,吸纳就业{i * 10}人,"
        "带动贫困户增收。\n\n"
        for i in range(1, 24)
    ),
    "table.txt": (
        "独山县财政帮扶资金安排\n"
        "发布时间:2020-06-01\n"
        "一、资金安排\n"
        "表1 财政帮扶资金安排(单位:万元)\n\n"
        "| 年度 | 财政帮扶资金 |\n"
        "|---|---|\n"
        "| 2018 | 8256.88 |\n"
        "| 2019 | 9021.50 |\n"
        "| 2020 | 10032.10 |\n\n"
        "二、资金用途\n"
        "以上资金全部用于扶贫车间和易地扶贫搬迁安置点建设。\n"
    ),
    "escape.txt": (
        "黄埔区协作<简报>\n"
        "发布时间:2018-03-01\n"
        "贫困发生率 <5% & >3% 的村,全部建成扶贫车间。\n"
    ),
}


@pytest.fixture(scope="session")
def faceted_index(tmp_path_factory) -> Path:
    """WEB_DOCS indexed once for the session."""
    base = tmp_path_factory.mktemp("web")
    corpus = write_corpus(base / "corpus", WEB_DOCS)
    index = base / "index"
    build_index(corpus, index, jobs=1)
    return index


@pytest.fixture(scope="session")
def app(faceted_index):
    from search_app import create_app

    app = create_app({"INDEX_DIR": str(faceted_index), "TESTING": True})
    yield app
    app.extensions["policy_search"].close()


def english(client):
    """A test client whose browser asks for English: the tests written against the English
    interface keep reading it (the pages default to Chinese; tests/test_i18n.py covers that)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def english_client_of(tmp_path_factory, name: str, docs: dict[str, str]):
    """For a module fixture: an English test client of an app on a fresh index of ``docs``
    (yielded; the engine is closed afterwards)."""
    from search_app import create_app

    base = tmp_path_factory.mktemp(name)
    index = base / "index"
    build_index(write_corpus(base / "corpus", docs), index, jobs=1)
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    yield english(app.test_client())
    app.extensions["policy_search"].close()


@pytest.fixture
def client(app):
    return english(app.test_client())


@pytest.fixture(scope="session")
def seeds_client(seeds_index):
    from search_app import create_app

    app = create_app({"INDEX_DIR": str(seeds_index), "TESTING": True})
    yield english(app.test_client())
    app.extensions["policy_search"].close()
