"""Region and year filters and facets on the bundled reports, through search() and the CLI."""

from __future__ import annotations

import pytest

from search_app.cli import cli
from search_app.search import search


def docs(result) -> set[str]:
    return {h.doc_id[:3] for h in result.hits}


def all_hits(index, q, **kw):
    result = search(index, q, per_page=100, **kw)
    assert result.total <= 100
    return result


def test_region_limits_results_to_the_reports_about_it(seeds_index):
    assert docs(all_hits(seeds_index, "东西部扶贫协作")) >= {"000", "002"}
    assert docs(all_hits(seeds_index, "东西部扶贫协作", region="甘肃")) == {"002"}
    assert docs(all_hits(seeds_index, "扶贫", region="河北")) == {"003"}


def test_guangdong_covers_its_own_report_and_its_side_of_the_pairings(seeds_index):
    result = all_hits(seeds_index, "扶贫", region="广东")
    assert docs(result) == {"000", "001", "004"}
    for hit in result.hits:  # in 000/001 only what is about 广州/黄埔/广东, not 黔南's side
        assert any(r.startswith("广东省") for r in hit.regions), hit
    qiannan_only = all_hits(seeds_index, "扶贫", region="黔南州")
    assert {h.uid for h in qiannan_only.hits} - {h.uid for h in result.hits}


def test_a_prefecture_finds_its_counties_units(seeds_index):
    result = all_hits(seeds_index, "扶贫", region="黔南州")
    counties = {r.rsplit("/", 1)[-1] for h in result.hits for r in h.regions}
    assert {"三都水族自治县", "独山县", "都匀市"} <= counties
    assert [v["label"] for v in result.facets["region"]][:3] == sorted(
        ["三都水族自治县", "独山县", "都匀市"],
        key=lambda c: -next(v["count"] for v in result.facets["region"] if v["label"] == c))
    traditional = all_hits(seeds_index, "扶贫", region="獨山縣")
    assert traditional.total and all(
        any(r.endswith("独山县") for r in h.regions) for h in traditional.hits)


def test_region_facet_goes_down_one_level_at_a_time(seeds_index):
    top = search(seeds_index, "扶贫").facets["region"]
    assert {v["value"] for v in top} >= {"广东省", "贵州省", "甘肃省", "福建省", "河北省"}
    assert all("/" not in v["value"] for v in top)
    fujian = search(seeds_index, "扶贫", region="福建").facets["region"]
    assert [v["value"] for v in fujian] == ["福建省/福州市"]
    fuzhou = search(seeds_index, "扶贫", region="福建省/福州市").facets["region"]
    assert {"鼓楼区", "仓山区", "晋安区", "长乐区"} <= {v["label"] for v in fuzhou}


def test_year_facet_newest_first_with_inferred_marked(seeds_index):
    result = search(seeds_index, "扶贫")
    years = result.facets["year"]
    assert [v["value"] for v in years] == [2023, 2021, 2020, 2016, 2014]
    assert [v.get("inferred") for v in years] == [years[0]["count"], None, None, None, None]
    assert years[0]["label"] == "2023 (inferred)"
    for v in years:  # each count is what the filter then finds
        assert search(seeds_index, "扶贫", year=str(v["value"])).total == v["count"]
    assert docs(all_hits(seeds_index, "扶贫", year="2014")) == {"004"}
    assert docs(all_hits(seeds_index, "扶贫", year="2016-2020")) == {"002", "003"}


def test_hits_carry_year_source_and_mentioned_years(seeds_index):
    hit = search(seeds_index, "2019 上交市统筹").hits[0]
    assert hit.doc_id.startswith("000") and hit.year == 2021 and hit.year_source == "published"
    inferred = search(seeds_index, "扶贫", year="2023").hits[0]
    assert inferred.year_source == "inferred"


@pytest.mark.parametrize(("args", "message"), [
    (["--region", "贵洲"], "did you mean: 贵州省"),
    (["--region", "鼓楼区"], "names several places"),
    (["--year", "20x0"], "year must look like 2020"),
    (["--year", "1800-3000"], "year must be between"),
])
def test_cli_bad_filters_exit_2_with_one_line(runner, seeds_index, args, message):
    result = runner.invoke(cli, ["query", "扶贫", "--index-dir", str(seeds_index), *args])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_filters_and_facets(runner, seeds_index):
    result = runner.invoke(cli, ["query", "扶贫", "--index-dir", str(seeds_index),
                                 "--region", "独山县", "--year", "2021", "--facets"])
    assert result.exit_code == 0, result.output
    assert "独山县" in result.output and "000_" in result.output and "004_" not in result.output
    total = result.output.split(" results", 1)[0]
    assert f"2021 ({total})" in result.output.splitlines()[-1]  # year counts ignore the year
