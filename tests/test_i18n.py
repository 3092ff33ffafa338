"""The Chinese and English interfaces: which language a request gets, the catalogs' completeness,
and the engine's English messages translated at presentation (search_app/i18n.py)."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from search_app import i18n

TRANSLATIONS = Path(i18n.__file__).parent / "translations"


def soup_of(resp) -> BeautifulSoup:
    return BeautifulSoup(resp.get_data(as_text=True), "html.parser")


def msgids(catalog) -> set:
    return {m.id for m in catalog if m.id}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_msgid_of_the_template_is_translated(lang):
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        pot = read_po(f)
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        po = read_po(f)
    assert msgids(pot), "the template is empty: run pybabel extract (README, Translations)"
    assert msgids(pot) <= msgids(po), "run pybabel update: msgids missing from the .po"
    untranslated = [m.id for m in po if m.id in msgids(pot)
                    and (not m.string or (isinstance(m.string, tuple) and not all(m.string))
                         or m.fuzzy)]
    assert untranslated == []


def test_the_template_lists_every_string_the_code_marks():
    """Re-extracting gives the committed template's msgids: a new ``_()`` was not forgotten."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = TRANSLATIONS.parents[1]
    with open(root / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = {msg if isinstance(msg, str) else msg[0]
             for _, _, msg, _, _ in extract_from_dir(root, method_map, options_map, keywords)}
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        pot = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert found == pot


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compiled_catalogs_match_their_po_files(lang):
    """The .mo files are committed (Flask-Babel reads only them); they must say what the .po
    says: run ``pybabel compile -d search_app/translations`` after editing a .po."""
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    def pairs(catalog) -> dict:
        return {tuple(m.id) if isinstance(m.id, list | tuple) else m.id:
                tuple(m.string) if isinstance(m.string, list | tuple) else m.string
                for m in catalog if m.id}

    with open(folder / "messages.po", "rb") as f:
        po = pairs(read_po(f))
    with open(folder / "messages.mo", "rb") as f:
        mo = pairs(read_mo(f))
    assert mo == po


def test_pages_are_chinese_without_a_language_preference(app):
    client = app.test_client()
    soup = soup_of(client.get("/?q=扶贫车间"))
    assert soup.html["lang"] == "zh-Hans"
    assert soup.select_one(".search button").get_text() == "检索"
    summary = " ".join(soup.select_one(".summary").get_text().split())
    assert summary.startswith("扶贫车间 共有 27 条结果")
    assert "第 1 页，共 3 页" in summary
    assert soup.select_one(".facet-region h2").get_text().startswith("地区")
    assert soup.select_one(".hit .kind").get_text() in ("段落", "表格行")
    assert soup.select_one("nav.pager a.next").get_text() == "下一页 ›"
    assert "PARAGRAPH" not in soup.get_text() and "results" not in soup.get_text()


def test_chinese_browser_gets_chinese_and_english_browser_english(app):
    client = app.test_client()
    zh = soup_of(client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}))
    assert zh.html["lang"] == "zh-Hans" and zh.select_one("h1").get_text() == "找到说这句话的段落或表格行"
    en = soup_of(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert en.html["lang"] == "en"
    assert en.select_one("h1").get_text() == "Find the paragraph or table row that says it"


def test_lang_parameter_wins_and_is_kept_in_every_link(app):
    client = app.test_client()
    soup = soup_of(client.get("/?q=扶贫车间&lang=en",
                              headers={"Accept-Language": "zh-CN"}))
    assert soup.html["lang"] == "en"
    assert soup.select_one(".search button").get_text() == "Search"
    assert soup.select_one(".search input[name=lang]")["value"] == "en"
    links = [a["href"] for a in soup.select("main a[href]")]
    assert links and all(parse_qs(urlsplit(href).query).get("lang") == ["en"]
                         for href in links if not href.startswith("#")), links
    switch = soup.select_one(".langs a[hreflang=zh]")["href"]
    assert "lang=zh" in switch and "q=%E6%89%B6" in switch
    doc = soup_of(client.get(soup.select_one(".hit-title a")["href"]))
    assert doc.html["lang"] == "en" and "lang=en" in doc.select_one(".back a")["href"]


def test_error_page_in_chinese(app):
    resp = app.test_client().get("/?q=扶贫&year=20xx")
    assert resp.status_code == 400
    soup = soup_of(resp)
    assert soup.select_one("h1").get_text() == "无法执行该检索"
    assert soup.select_one(".message").get_text() == "年份应写作 2020 或 2016-2018，而不是 '20xx'"
    missing = soup_of(app.test_client().get("/nowhere"))
    assert missing.select_one(".message").get_text() == "此处没有内容：/nowhere"


def test_api_stays_english_unless_asked(app):
    client = app.test_client()
    for headers in ({}, {"Accept-Language": "zh-CN"}):
        resp = client.get("/api/search?q=扶贫&year=20xx", headers=headers)
        assert resp.status_code == 400
        assert resp.get_json()["error"] == "year must look like 2020 or 2016-2018, not '20xx'"
        data = client.get('/api/search?q="扶贫', headers=headers).get_json()
        assert data["notes"] == ["unbalanced quote ignored"]
    resp = client.get("/api/search?q=扶贫&year=20xx&lang=zh")
    assert resp.get_json()["error"] == "年份应写作 2020 或 2016-2018，而不是 '20xx'"
    resp = client.get("/api/search?lang=zh")
    assert resp.get_json()["error"] == "缺少 q：请输入要检索的词语或短语"
    data = client.get('/api/search?q="扶贫&lang=zh').get_json()
    assert data["ok"] and data["notes"] == ["引号不成对，已忽略"]


def sample(msgid: str) -> tuple[str, dict]:
    names = i18n._PLACEHOLDER.findall(msgid)
    values = {n: f"<{n}-{i}>" for i, n in enumerate(names)}
    return msgid % values, values


@pytest.mark.parametrize("msgid", i18n.ENGINE_MESSAGES, ids=lambda m: m[:40])
def test_each_engine_message_is_recognized_and_translated(app, msgid):
    english, values = sample(msgid)
    with app.test_request_context("/?lang=zh"):
        chinese = i18n.translate(english)
        assert chinese != english
        assert all(v in chinese for v in values.values())
    with app.test_request_context("/?lang=en"):
        assert i18n.translate(english) == english


def test_unknown_messages_pass_through(app):
    with app.test_request_context("/?lang=zh"):
        assert i18n.translate("a note nobody listed") == "a note nobody listed"
