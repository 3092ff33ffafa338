"""Marking matches as written: Traditional text, hard wraps, whole numbers."""

import pytest

from search_app.highlight import match_spans, render, snippet

TEXT = "其中140人,2014年,共14人,3425.14萬元,GDP增長,房屋單 位"


@pytest.mark.parametrize(
    "terms,marked",
    [
        (["14"], ["14"]),  # only 共14人: not inside 140, 2014 or 3425.14
        (["2014"], ["2014"]),
        (["3425.14"], ["3425.14"]),
        (["gdp"], ["GDP"]),  # folded match, original case shown
        (["增长"], ["增長"]),  # Simplified term, Traditional text
        (["房屋单位"], ["房屋單 位"]),  # across a hard wrap
        (["14人", "14"], ["14人"]),
        (["不存在"], []),
    ],
)
def test_match_spans_land_on_the_text_as_written(terms, marked):
    assert [TEXT[a:b] for a, b in match_spans(TEXT, terms)] == marked


def test_render_escapes_everything_but_marks():
    text = '<script>alert("x")</script> 扶貧車間'
    html = render(text, match_spans(text, ["扶贫车间"]))
    assert html == "&lt;script&gt;alert(\"x\")&lt;/script&gt; <mark>扶貧車間</mark>"


def test_snippet_cuts_around_the_best_match():
    text = "前文。" * 80 + "這裏談到易地扶貧搬遷的成效。" + "後文。" * 80
    html = snippet(text, match_spans(text, ["易地扶贫搬迁"]))
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>易地扶貧搬遷</mark>" in html
    assert len(html) < 220
