"""Cleaning rules, one table row per corpus quirk (real lines from the sample reports)."""

import pytest

from indexer.clean import (
    DAMAGE,
    clean_line,
    has_text,
    join_spaced_digits,
    mark_damage,
    normalize_line,
    split_cell_pipe,
    strip_footnote_markers,
    strip_html,
    strip_pinyin,
)

PINYIN = [
    ("東西部扶貧協(xié)作", "東西部扶貧協作"),
    ("革命老區(qū)精準脫貧", "革命老區精準脫貧"),
    ("創(chuàng)新出彩", "創新出彩"),
    ("發(fā)布日期:2016-12-25", "發布日期:2016-12-25"),
    ("產(chǎn)業(yè)合作", "產業合作"),
    # real parentheses stay
    ("現場查看項目建設情況及成效。(詳見表1)", "現場查看項目建設情況及成效。(詳見表1)"),
    ("今年8月31日迎來300名幼兒入園(含建檔立卡貧困戶子女160名)",
     "今年8月31日迎來300名幼兒入園(含建檔立卡貧困戶子女160名)"),
    ("縣(市)", "縣(市)"),
    ("貧困發生率(%)", "貧困發生率(%)"),
    ("(一)查閱資料", "(一)查閱資料"),
    # lower-case letters without tone marks are not pinyin notes
    ("採用(abc)方式", "採用(abc)方式"),
    # not directly after a Han character
    ("L(fēng)", "L(fēng)"),
]


@pytest.mark.parametrize("raw,expected", PINYIN, ids=[r for r, _ in PINYIN])
def test_strip_pinyin(raw, expected):
    assert strip_pinyin(raw) == expected


MOJIBAKE = [
    # (line as scraped, what must survive, what must be gone)
    ("“種香菇一定要勤快,一公斤少賣2元錢?!痹谙愎酱笈锢?,56歲的楊龍?zhí)嶂@子邊采摘香菇",
     ["一公斤少賣2元錢", "56歲的楊龍", "邊采摘香菇"], ["痹谙愎酱笈锢", "嶂@"]),
    ("依托當(dāng)?shù)睾献魃?,采取“公司+基地+貧困戶”方式",
     ["依托當", "采取“公司+基地+貧困戶”方式"], ["睾献魃"]),
    ("讓當(dāng)?shù)氐呢毨罕娡ㄟ^自己勤勞的雙手實現(xiàn)了穩(wěn)定增收。",
     ["自己勤勞的雙手實現了穩定增收。"], ["毨罕娡", "ㄟ"]),
    ("全面推廣阜平縣“政銀企戶?!苯鹑诜鲐毮J?,貧困縣全部建立縣、鄉(xiāng)、村三級",
     ["全面推廣阜平縣“政銀企戶", "貧困縣全部建立縣、鄉、村三級"], ["苯鹑诜鲐毮J"]),
    ("存在怕要扶貧資金、怕要到戶項目、怕?lián)L(fēng)險的被動應付思想",
     ["怕要到戶項目", "險的被動應付思想"], ["lián", "fēng"]),
    ("?。◤垏鴹潱?/p>", [], ["垏鴹潱"]),
]


@pytest.mark.parametrize("raw,kept,gone", MOJIBAKE, ids=[m[0][:12] for m in MOJIBAKE])
def test_mojibake_is_replaced_by_one_damage_mark(raw, kept, gone):
    cleaned = clean_line(raw)
    for part in kept:
        assert part in cleaned
    for part in gone:
        assert part not in cleaned
    if gone:
        assert DAMAGE in cleaned or not has_text(cleaned)


CLEAN_TEXT = [
    # ordinary lines, including rare characters, question marks and place names, are untouched
    "下一步的日子怎么過?正當他忐忑不安時,隴西—連江東西部協作解決了他的難題。",
    "獨山縣鄢家山易地扶貧搬遷安置點項目",
    "岷縣中藥材遠銷海內外,巉口鎮田園綜合體",
    "淶水、淶源、易縣、唐縣、順平、曲陽、望都8個燕太片區縣",
    "GDP增長5.2%,CPI上漲0.2%。",
    "氯氰菊酯農藥殘留檢測",
]


@pytest.mark.parametrize("line", CLEAN_TEXT, ids=[t[:10] for t in CLEAN_TEXT])
def test_real_text_is_not_taken_for_mojibake(line):
    assert mark_damage(line) == line


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("區人大常委會赴黔南州開展調研活動的報告 |", ("區人大常委會赴黔南州開展調研活動的報告", True)),
        ("2016 |", ("2016", True)),
        ("||||", ("", True)),
        ("|", ("", True)),
        ("普通段落", ("普通段落", False)),
        ("a | b 之間", ("a | b 之間", False)),
    ],
)
def test_split_cell_pipe(raw, expected):
    assert split_cell_pipe(raw) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("\u200b各位代表：\u200d", "各位代表："),
        ("    1、推動傳統產業全面升級。", "1、推動傳統產業全面升級。"),
        ("上海市市长\u00a0龚\u3000正", "上海市市长 龚 正"),
        ("a\t\tb", "a  b"),
    ],
)
def test_normalize_line(raw, expected):
    assert normalize_line(raw) == expected


@pytest.mark.parametrize(
    "fn,raw,expected",
    [
        (strip_html, "楊營村村民正在收獲香菇。</p>", "楊營村村民正在收獲香菇。"),
        (strip_html, "A&nbsp;B &amp; C", "A B & C"),
        (strip_html, "<br/>文字<span class=\"x\">內容</span>", "文字內容"),
        (strip_html, "1 < 2 且 3 > 2", "1 < 2 且 3 > 2"),
        (strip_footnote_markers, "憲法草案的報告[1]並進行", "憲法草案的報告並進行"),
        (strip_footnote_markers, "見[注3]說明", "見說明"),
        (join_spaced_digits, "房屋供應 7 4 7 7 2億元", "房屋供應 74772億元"),
        (join_spaced_digits, "2016 2020 兩年", "2016 2020 兩年"),
        (join_spaced_digits, "1 2 兩個", "1 2 兩個"),
    ],
    ids=lambda v: getattr(v, "__name__", None) or str(v)[:10],
)
def test_small_cleaners(fn, raw, expected):
    assert fn(raw) == expected


def test_clean_line_applies_every_rule():
    raw = "\u200b 協(xié)作成效 7 4 7 7 2萬元[1]</p> "
    assert clean_line(raw) == "協作成效 74772萬元"
