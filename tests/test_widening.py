"""Queries as people type them: document context (place, year, title) counts as matching,
policy abbreviations widen a query, unspaced queries, partial matches and proximity."""

from __future__ import annotations

import pytest

from indexer.build import build_index
from search_app.search import search
from tests.conftest import write_corpus

FILLER = "有关部门按照职责分工做好相关工作并及时报告进展情况" * 3

DOCS = {
    "carbon.txt": (
        "某省2023年政府工作报告\n发布时间:2023-02-01\n来源:某省人民政府\n"
        "一、工作回顾\n扎实推进碳达峰碳中和，能源结构持续优化。\n"
        "二、今年工作\n推进城市更新行动，改造老旧小区一千个。\n"
    ),
    "bay.txt": (
        "湾区建设情况通报\n发布时间:2024-05-01\n"
        "一、总体情况\n"
        f"大湾区建设国际科技创新中心取得新进展，{FILLER}。\n"
        f"大湾区交通互联互通水平提高，大湾区{FILLER}，{FILLER}，创新中心建设稳步推进，"
        f"创新中心规划编制完成。\n"
    ),
}


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    base = tmp_path_factory.mktemp("widening")
    corpus = write_corpus(base / "corpus", DOCS)
    build_index(corpus, base / "index", jobs=1)
    return base / "index"


def texts(result):
    return [h.text for h in result.hits]


def test_a_place_the_paragraph_does_not_name_matches_through_its_region(seeds_index):
    result = search(seeds_index, "贵州 易地扶贫搬迁", per_page=100)
    own = search(seeds_index, "贵州 易地扶贫搬迁", per_page=100, exact=True)
    by_region = [h for h in result.hits if "贵州" not in h.text and "貴州" not in h.text]
    assert by_region, "no paragraph found through its region"
    assert all(any(r.startswith("贵州省") for r in h.regions) for h in by_region)
    assert result.total > own.total
    assert any("贵州" in n and "as the place" in n for n in result.notes)
    # the units that say it themselves come first
    assert "贵州" in result.hits[0].text or "貴州" in result.hits[0].text or \
        result.hits[0].score >= by_region[0].score


def test_a_year_the_paragraph_does_not_write_matches_through_its_document(seeds_index):
    result = search(seeds_index, "2016 搬迁", per_page=100)
    assert result.hits and all(h.year == 2016 or "2016" in h.text for h in result.hits)
    assert any(h.year == 2016 and "2016" not in h.text for h in result.hits)
    assert any("as the year of their document (2016)" in n for n in result.notes)
    assert search(seeds_index, "2016 搬迁", exact=True).total < result.total


@pytest.mark.parametrize("q,found,note", [
    ("政府工作报告 城市更新", "城市更新", "in the title of their document"),  # a report name
    ("双碳", "碳达峰碳中和", "through its expansion (碳达峰 碳中和)"),  # a policy abbreviation
], ids=["report-name-in-title", "abbreviation"])
def test_a_widened_term_finds_the_unit_and_says_how(small_index, q, found, note):
    result = search(small_index, q)
    assert result.total == 1 and found in result.hits[0].text
    assert any(note in n for n in result.notes)
    assert search(small_index, q, exact=True).total == 0


def test_one_term_alone_is_not_widened_by_context(seeds_index):
    """A lone place would make every paragraph about it a hit: only its text counts."""
    assert search(seeds_index, "贵州").total == search(seeds_index, "贵州", exact=True).total




def test_an_unspaced_query_finds_what_its_spaced_form_finds(seeds_index):
    spaced = {h.uid for h in search(seeds_index, "就业帮扶 资金", per_page=100).hits}
    unspaced = {h.uid for h in search(seeds_index, "就业帮扶资金", per_page=100).hits}
    row = next(h for h in search(seeds_index, "就业帮扶 资金", per_page=100).hits
               if h.kind == "table_row")
    assert row.uid in unspaced
    assert len(unspaced) >= 1 and unspaced <= spaced | unspaced


def test_without_every_term_the_units_with_most_terms_say_what_they_miss(seeds_index):
    result = search(seeds_index, "易地扶贫搬迁 没有这个词组")
    assert result.total > 0
    assert all(h.missing == ["没有这个词组"] for h in result.hits)
    assert any("no result has every term" in n for n in result.notes)
    data = result.to_dict()
    assert data["hits"][0]["missing"] == ["没有这个词组"]


def test_terms_standing_together_rank_first(small_index):
    """The second paragraph names both terms twice but far apart; the first names them side
    by side once. Plain BM25 prefers the second, proximity the first."""
    near = "大湾区建设国际科技创新中心取得新进展"
    plain = search(small_index, "大湾区 创新中心", plain=True)
    ranked = search(small_index, "大湾区 创新中心")
    assert plain.total == ranked.total == 2
    assert ranked.hits[0].text.startswith(near)
    assert not plain.hits[0].text.startswith(near)


def test_the_api_and_the_command_line_take_exact(seeds_index, runner):
    from search_app import create_app
    from search_app.cli import cli

    app = create_app({"INDEX_DIR": str(seeds_index), "TESTING": True})
    client = app.test_client()
    wide = client.get("/api/search?q=2016 搬迁").get_json()
    narrow = client.get("/api/search?q=2016 搬迁&exact=1").get_json()
    assert narrow["total"] < wide["total"]
    assert client.get("/api/search?q=扶贫&exact=maybe").status_code == 400
    out = runner.invoke(cli, ["query", "2016", "搬迁", "--exact", "--json",
                              "--index-dir", str(seeds_index)])
    assert out.exit_code == 0 and f'"total": {narrow["total"]}' in out.output


def test_a_place_the_results_lack_is_offered_as_a_region_filter(seeds_index, seeds_client):
    result = search(seeds_index, "深圳 易地扶贫搬迁 资金")
    assert result.total and any("深圳" in h.missing for h in result.hits)
    assert result.region_suggestions == [{"term": "深圳", "region": "广东省/深圳市"}]
    page = seeds_client.get("/?q=深圳 易地扶贫搬迁 资金").get_data(as_text=True)
    assert "region=%E5%B9%BF%E4%B8%9C%E7%9C%81%2F%E6%B7%B1%E5%9C%B3%E5%B8%82" in page
