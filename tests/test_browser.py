"""The page in a real browser: Debian's Chromium, headless, driven by selenium.

`policy-search serve` runs as a subprocess on a free port against a small index; nothing is
downloaded (the system chromium and chromedriver are used). Without them the tests skip, unless
POLICY_SEARCH_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
Screenshots of the main states go to test-output/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"
CHROMIUM = os.environ.get("POLICY_SEARCH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("POLICY_SEARCH_CHROMEDRIVER", "/usr/bin/chromedriver")
DESKTOP = (1280, 900)
PHONE = (390, 844)
TARGET_BACKGROUND = "rgba(255, 246, 209, 1)"  # --target in style.css
WAIT = 15


def unavailable(reason: str):
    if os.environ.get("POLICY_SEARCH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and POLICY_SEARCH_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        unavailable(f"Chromium not installed ({CHROMIUM}, {CHROMEDRIVER}): "
                    "apt-get install chromium chromium-driver")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars", "--lang=en-US",
                f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    # an English browser: the tests below read the English interface unless a URL says lang=zh
    opts.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    if os.geteuid() == 0:
        opts.add_argument("--no-sandbox")
    try:
        driver = webdriver.Chrome(options=opts, service=Service(executable_path=CHROMEDRIVER))
    except Exception as err:  # a broken install: say why instead of erroring every test
        unavailable(f"Chromium did not start: {err}")
    driver.set_page_load_timeout(WAIT)
    OUT.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def start_server(index: Path):
    """`python -m search_app serve --port 0` and the URL it prints once it is warmed up."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "search_app", "serve", "--port", "0", "--threads", "4",
         "--index-dir", str(index)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    seen = []
    while True:
        try:
            line = lines.get(timeout=60)
        except queue.Empty:
            proc.kill()
            pytest.fail(f"serve printed no URL within 60 s: {seen}")
        seen.append(line)
        m = re.search(r"Serving on (http://\S+)", line)
        if m:
            return proc, m.group(1)
        if proc.poll() is not None:
            pytest.fail(f"serve exited: {''.join(seen)}")


def stop_server(proc) -> int:
    """SIGTERM, as a service manager would send it; the exit status."""
    proc.terminate()
    try:
        return proc.wait(timeout=20)
    finally:
        proc.stdout.close()


@pytest.fixture(scope="module")
def server(faceted_index):
    proc, url = start_server(faceted_index)
    yield url
    assert stop_server(proc) == 0


@pytest.fixture(scope="module")
def seeds_server(seeds_index):
    proc, url = start_server(seeds_index)
    yield url
    assert stop_server(proc) == 0


# ---- helpers ------------------------------------------------------------------------------


def wait_for(driver, css: str):
    return WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def find(driver, css: str):
    return driver.find_element(By.CSS_SELECTOR, css)


def find_all(driver, css: str):
    return driver.find_elements(By.CSS_SELECTOR, css)


def total(driver) -> int:
    return int(find(driver, ".summary strong").text.replace(",", ""))


def click_and_wait(driver, element, css: str = ".summary"):
    old = find(driver, "html")
    element.click()
    WebDriverWait(driver, WAIT).until(EC.staleness_of(old))
    return wait_for(driver, css)


def type_query(driver, text: str):
    box = find(driver, "form.search input[name=q]")
    box.clear()
    box.send_keys(text)
    old = find(driver, "html")
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, WAIT).until(EC.staleness_of(old))


def shot(driver, name: str, size=DESKTOP) -> Path:
    """A screenshot of the whole page at ``size``'s width."""
    driver.set_window_size(*size)
    height, chrome = driver.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]")
    driver.set_window_size(size[0], min(max(height + chrome, size[1]), 4000))
    path = OUT / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(*size)
    return path


def no_horizontal_scroll(driver) -> bool:
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")


# ---- tests --------------------------------------------------------------------------------


def test_type_a_query_and_see_marked_snippets(browser, server):
    browser.set_window_size(*DESKTOP)
    browser.get(server)
    shot(browser, "0-home-desktop")
    type_query(browser, "扶贫车间")
    wait_for(browser, ".hit")
    assert find(browser, "form.search input[name=q]").get_attribute("value") == "扶贫车间"
    assert total(browser) == 27
    assert len(find_all(browser, ".hit")) == 10
    marks = [m.text for m in find_all(browser, ".snippet mark")]
    assert marks and set(marks) <= {"扶贫车间", "扶貧車間"}
    assert find(browser, ".snippet mark").value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    shot(browser, "1-results-desktop")


def test_region_and_year_facets_narrow_the_results(browser, server):
    browser.set_window_size(*DESKTOP)
    browser.get(server + "?q=扶贫车间")
    before = total(browser)
    province = browser.find_element(By.XPATH, "//section[contains(@class,'facet-region')]"
                                              "//a[.//span[text()='贵州省']]")
    click_and_wait(browser, province)
    in_province = total(browser)
    assert in_province < before
    assert [c.text.split()[0] for c in find_all(browser, ".chips .chip")] == ["贵州省"]
    year = browser.find_element(By.XPATH, "//section[contains(@class,'facet-year')]"
                                          "//a[.//span[text()='2019']]")
    click_and_wait(browser, year)
    assert total(browser) < in_province
    assert {h.get_attribute("pathname") for h in find_all(browser, ".hit-title a")} == {
        "/doc/simp.txt"}
    shot(browser, "2-filtered-desktop")
    # the chip's × removes its filter again
    chip = next(c for c in find_all(browser, ".chips .chip") if c.text.startswith("2019"))
    click_and_wait(browser, chip)
    assert total(browser) == in_province


def test_open_a_document_at_the_highlighted_unit(browser, server):
    browser.set_window_size(*DESKTOP)
    browser.get(server + "?q=第14个扶贫车间")
    link = find(browser, ".hit-title a")
    click_and_wait(browser, link, ".doc-body")
    fragment = browser.current_url.rsplit("#", 1)[1]
    assert re.fullmatch(r"u-\d+", fragment)
    unit = find(browser, "#" + fragment)
    assert "第14个扶贫车间" in unit.text
    assert unit.value_of_css_property("background-color") == TARGET_BACKGROUND
    in_view = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= "
        "window.innerHeight;", unit)
    assert in_view, "the unit was not scrolled into view"
    assert find(browser, "#" + fragment + " mark").text == "第14个扶贫车间"
    browser.save_screenshot(str(OUT / "3-document-at-unit-desktop.png"))


def test_table_row_is_highlighted_in_a_real_table(browser, server):
    browser.set_window_size(*DESKTOP)
    browser.get(server + "?q=9021.50")
    click_and_wait(browser, find(browser, ".hit-title a"), ".doc-body")
    row = find(browser, "table tr#u-1")
    assert row.find_element("css selector", "td").value_of_css_property(
        "background-color") == TARGET_BACKGROUND
    shot(browser, "4-document-table-desktop")
    shot(browser, "4-document-table-phone", PHONE)
    assert no_horizontal_scroll(browser)


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_typed_markup_is_shown_as_text(browser, server, query):
    browser.set_window_size(*DESKTOP)
    browser.get(server)
    type_query(browser, query)
    wait_for(browser, "main")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - raises when no alert is open
    assert find(browser, "form.search input[name=q]").get_attribute("value") == query
    assert query in find(browser, "main").text
    assert not find_all(browser, "main img, main script")
    shot(browser, "5-markup-query-desktop")


def test_phone_width(browser, server):
    browser.set_window_size(*PHONE)
    browser.get(server + "?q=扶贫车间&region=贵州省")
    wait_for(browser, ".hit")
    panel = find(browser, "details.facet-panel")
    assert panel.get_attribute("open") is None  # folded: the results come first
    assert no_horizontal_scroll(browser)
    shot(browser, "6-results-phone", PHONE)
    find(browser, "details.facet-panel > summary").click()
    assert panel.get_attribute("open") is not None
    shot(browser, "6-results-phone-filters-open", PHONE)
    browser.get(server + "doc/" + "gz/2020 独山 %231.txt?q=扶贫车间#u-5")
    wait_for(browser, ".doc-body")
    assert no_horizontal_scroll(browser)
    browser.save_screenshot(str(OUT / "7-document-phone.png"))


def test_bundled_reports_in_both_scripts(browser, seeds_server):
    browser.set_window_size(*DESKTOP)
    browser.get(seeds_server)
    type_query(browser, "東西部協作")
    wait_for(browser, ".hit")
    marks = {m.text for m in find_all(browser, ".snippet mark")}
    assert {"東西部協作", "东西部协作"} <= marks
    shot(browser, "8-bundled-results-desktop")
    shot(browser, "8-bundled-results-phone", PHONE)
    browser.set_window_size(*DESKTOP)
    browser.get(seeds_server + "doc/002_6fe4fd70bc199bb4.txt?q=一公斤少賣2元錢#u-3")
    wait_for(browser, ".doc-body")
    damage = find(browser, ".doc-body .damage")
    assert damage.text == "⋯" and "damaged" in damage.get_attribute("title")
    browser.save_screenshot(str(OUT / "9-bundled-document-desktop.png"))
    browser.get(seeds_server + "?q=!!!")
    assert "type a word or phrase" in find(browser, ".message").text
    shot(browser, "10-bad-query-desktop")


# ---- issue 15: languages, document navigation, export, citation, focus order ----------------


@pytest.fixture(scope="module")
def doc_server(tmp_path_factory):
    """A served index of a long regulation: many headings and matches (tests/test_doc_page)."""
    from indexer.build import build_index
    from tests.conftest import write_corpus
    from tests.test_doc_page import DOCS

    base = tmp_path_factory.mktemp("browser-doc")
    long_doc = {"reg/电梯安全条例.txt": DOCS["reg/电梯安全条例.txt"] + "".join(
        f"第{n}条 电梯使用单位应当落实电梯安全管理责任，定期检查维护保养。\n" * 3
        for n in range(20, 40))}
    build_index(write_corpus(base / "corpus", long_doc), base / "index", jobs=1)
    proc, url = start_server(base / "index")
    yield url
    assert stop_server(proc) == 0


def below_the_header(driver, element) -> bool:
    """The element is in the window and not hidden under the sticky header."""
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "const h = document.querySelector('header.top').getBoundingClientRect().bottom;"
        "return r.top >= h && r.bottom <= window.innerHeight;", element)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_chinese_interface_by_url_and_the_switch_to_english(browser, server, size):
    name = "desktop" if size == DESKTOP else "phone"
    browser.set_window_size(*size)
    browser.get(server + "?q=扶贫车间&region=贵州省&lang=zh")
    wait_for(browser, ".hit")
    assert find(browser, "html").get_attribute("lang") == "zh-Hans"
    assert find(browser, "form.search button").text == "检索"
    assert "共有" in find(browser, ".summary").text and "results" not in find(browser, "main").text
    assert find(browser, ".hit .kind").text in ("段落", "表格行")
    assert no_horizontal_scroll(browser)
    shot(browser, f"11-chinese-results-{name}", size)
    click_and_wait(browser, find(browser, ".langs a[hreflang=en]"))
    assert find(browser, "html").get_attribute("lang") == "en"
    assert "lang=en" in browser.current_url and "region=" in browser.current_url
    assert find(browser, "form.search button").text == "Search"


def test_english_browser_gets_english_without_asking(browser, server):
    browser.set_window_size(*DESKTOP)
    browser.get(server + "?q=扶贫车间")
    assert find(browser, "html").get_attribute("lang") == "en"
    assert "results for" in find(browser, ".summary").text


def test_document_outline_and_next_previous_match(browser, doc_server):
    browser.set_window_size(*DESKTOP)
    browser.get(doc_server + "?q=电梯安全&lang=zh")
    click_and_wait(browser, find(browser, ".hit-title a"), ".doc-body")
    back = find(browser, ".back a").get_attribute("href")
    assert "q=" in back and "lang=zh" in back
    outline = find(browser, "details.outline")
    assert outline.get_attribute("open") is not None
    browser.execute_script("window.scrollTo(0, 0)")  # the page opened at the unit
    browser.save_screenshot(str(OUT / "12-document-outline-desktop.png"))
    entry = find_all(browser, "details.outline a")[5]
    browser.execute_script("arguments[0].click()", entry)  # the page opened scrolled to a unit
    heading = find(browser, entry.get_attribute("hash"))
    WebDriverWait(browser, WAIT).until(lambda d: below_the_header(d, heading))
    find(browser, ".matchbar a[href='#m-1']").click()
    first = find(browser, "#m-1")
    WebDriverWait(browser, WAIT).until(lambda d: below_the_header(d, first))
    nav = find(browser, "#m-1 + .mnav")
    assert nav.is_displayed() and not find(browser, "#m-2 + .mnav").is_displayed()
    nav.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    assert browser.current_url.endswith("#m-2")
    second = find(browser, "#m-2")
    WebDriverWait(browser, WAIT).until(lambda d: below_the_header(d, second))
    for _ in range(6):  # a few more steps, the last one far down the page
        find(browser, "mark:target + .mnav a[rel=next]").click()
    target = find(browser, "mark:target")
    assert target.get_attribute("id") == "m-8" and below_the_header(browser, target)
    browser.save_screenshot(str(OUT / "13-document-match-8-desktop.png"))
    find(browser, "mark:target + .mnav a[rel=prev]").click()
    assert browser.current_url.endswith("#m-7")


def test_document_on_a_phone_folds_the_outline_and_keeps_the_target_visible(browser, doc_server):
    browser.set_window_size(*PHONE)
    browser.get(doc_server + "doc/reg/电梯安全条例.txt?q=电梯安全#m-5")
    wait_for(browser, ".doc-body")
    assert find(browser, "details.outline").get_attribute("open") is None
    target = find(browser, "#m-5")
    WebDriverWait(browser, WAIT).until(lambda d: below_the_header(d, target))
    assert no_horizontal_scroll(browser)
    browser.save_screenshot(str(OUT / "14-document-match-phone.png"))
    browser.execute_script("window.scrollTo(0, 0)")
    find(browser, "details.outline > summary").click()
    shot(browser, "14-document-outline-open-phone", PHONE)


def test_export_links_give_the_whole_result_set(browser, server):
    browser.set_window_size(*DESKTOP)
    browser.get(server + "?q=扶贫车间&region=贵州省&lang=zh")
    link = find(browser, ".export a[href*='export.csv']")
    assert "导出" in find(browser, ".export").text
    text = browser.execute_async_script(
        "fetch(arguments[0]).then(r => r.text()).then(arguments[1]);", link.get_attribute("href"))
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("rank,title,year") and len(lines) == 1 + 25
    data = browser.execute_async_script(
        "fetch(arguments[0]).then(r => r.json()).then(arguments[1]);",
        find(browser, ".export a[href*='export.json']").get_attribute("href"))
    assert data["total"] == 25 and len(data["hits"]) == 25


def test_citation_is_visible_text_and_the_skip_link_reaches_the_results(browser, server):
    browser.set_window_size(*DESKTOP)
    browser.get(server + "?q=8256.88&lang=zh")
    cite = find(browser, ".hit details.cite")
    cite.find_element(By.CSS_SELECTOR, "summary").click()
    text = cite.find_element(By.CSS_SELECTOR, ".cite-text").text
    assert text.startswith("《") and "#u-0" in text
    shot(browser, "15-citation-open-desktop")
    browser.get(server + "?q=扶贫车间&lang=zh")
    body = find(browser, "body")
    body.send_keys(Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.get_attribute("class") == "skip" and skip.is_displayed()
    skip.send_keys(Keys.ENTER)
    first_result = find(browser, ".hit-title a")
    for _ in range(5):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element == first_result:
            break
    assert browser.switch_to.active_element == first_result


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_one_per_document_sort_type_issuer_and_the_year_chart(browser, seeds_server, size):
    """A report's many paragraphs become one result with a link to the rest; newest first;
    the type and issuer facets and a bar of the year chart narrow the results."""
    def open_filters():  # folded on a phone: a user taps "Filters" first
        if not find(browser, ".facet-panel").get_attribute("open"):
            find(browser, ".facet-panel summary").click()

    browser.set_window_size(*size)
    browser.get(seeds_server + "?q=扶贫&lang=en")
    open_filters()
    units = total(browser)
    switch = browser.find_element(By.XPATH, "//p[@class='order']//a[text()='one per document']")
    click_and_wait(browser, switch)
    documents = total(browser)
    assert documents < units
    titles = [h.get_attribute("pathname") for h in find_all(browser, ".hit-title a")]
    assert len(titles) == len(set(titles)) == documents
    more = find(browser, ".hit .more a")
    assert "more in this document" in more.text
    shot(browser, f"20-one-per-document-{'phone' if size == PHONE else 'desktop'}", size)
    open_filters()
    newest = browser.find_element(By.XPATH, "//p[@class='order']//a[text()='newest']")
    click_and_wait(browser, newest)
    years = [int(y.text[:4]) for y in find_all(browser, ".hit .label.year")]
    assert years == sorted(years, reverse=True)
    click_and_wait(browser, find(browser, ".hit .more a"))  # that document's other results
    assert len({h.get_attribute("pathname") for h in find_all(browser, ".hit-title a")}) == 1
    browser.get(seeds_server + "?q=扶贫&lang=en")
    open_filters()
    issuer = find(browser, ".facet-issuer a")
    issuer_count = int(issuer.find_element(By.CSS_SELECTOR, ".count").text.replace(",", ""))
    click_and_wait(browser, issuer)
    assert total(browser) == issuer_count
    open_filters()
    kind = find(browser, ".facet-type a")
    kind_count = int(kind.find_element(By.CSS_SELECTOR, ".count").text.replace(",", ""))
    click_and_wait(browser, kind)
    assert total(browser) == kind_count
    browser.get(seeds_server + "?q=扶贫&lang=en")
    open_filters()
    bars = find_all(browser, ".year-chart a")
    assert len(bars) >= 2
    label = bars[0].get_attribute("title")  # "2014: 14"
    click_and_wait(browser, bars[0])
    assert total(browser) == int(label.split(":")[1].replace(",", ""))
    shot(browser, f"21-year-chart-{'phone' if size == PHONE else 'desktop'}", size)
