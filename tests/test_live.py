"""A real `policy-search serve` on loopback: it keeps answering while rebuilds run and swap,
serves the new content without a restart, and is safe against hostile corpus text and paths."""

import http.client
import re
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bench.workload import query_mix
from indexer.build import build_index
from search_app.search import search
from tests import live

UNITS = 300
NEW_WORD = "猕猴桃产业园"  # only in the file a rebuild adds
# The cleaner strips tags but decodes entities, so the second paragraph is stored with a literal
# <script>, <img onerror> and <svg onload>: only escaping on the way out keeps them text.
HOSTILE = (
    "安全测试报告<script>alert('corpus')</script>\n"
    "发布时间:2020-01-01\n"
    '猕猴桃合作社"><img src=x onerror=alert(1)>在苗寨建成投产。\n'
    "苗寨文本&lt;script&gt;alert(2)&lt;/script&gt;与&lt;img src=x onerror=alert(3)&gt;结束,"
    '另有 "><svg/onload=alert(5)> 收尾。\n'
)
PAYLOAD = '<script>alert(2)</script>与<img src=x onerror=alert(3)>结束,另有 "><svg/onload=alert(5)>'


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("live")
    corpus = live.make_corpus(base / "corpus", UNITS)
    (corpus / "hostile.txt").write_text(HOSTILE, "utf-8")
    index = base / "index"
    build_index(corpus, index, jobs=2)
    with live.Server(index) as server:
        yield server, corpus, index


def test_serving_through_two_rebuilds_without_errors_or_empty_results(served):
    server, corpus, index = served
    queries = [q for q in dict.fromkeys(q.q for q in query_mix(60)) if search(index, q).total]
    assert len(queries) >= 20
    failures: list[str] = []
    served_requests = [0]
    stop = threading.Event()

    def hammer(offset: int) -> None:
        i = offset
        while not stop.is_set():
            q = queries[i % len(queries)]
            i += 1
            try:
                resp = server.get("/api/search", q=q)
                if resp.status != 200:
                    failures.append(f"{resp.status} for {q!r}: {resp.text[:200]}")
                elif resp.json()["total"] == 0:
                    failures.append(f"no results for {q!r}")
            except OSError as err:
                failures.append(f"{type(err).__name__} for {q!r}: {err}")
            served_requests[0] += 1
            stop.wait(0.02)  # steady traffic, leaving the rebuild some of the two cores

    threads = [threading.Thread(target=hammer, args=(k * 7,)) for k in range(6)]
    for t in threads:
        t.start()
    try:
        generations = [server.get("/api/health").json()["generation"]]
        # a full rebuild, then an update, whose swap prunes the generation the server began on
        for extra in (["--full"], []):
            (corpus / "new.txt").write_text(f"新增报告{len(extra)}\n{NEW_WORD}带动农户增收。\n",
                                            "utf-8")
            proc = live.cli("index", str(corpus), "--index-dir", str(index), "--jobs", "2",
                            *extra)
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            time.sleep(1.5)  # the server looks at CURRENT every second
            generations.append(server.get("/api/health").json()["generation"])
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert failures == []
    assert served_requests[0] > 50
    assert len(set(generations)) == 3  # each rebuild was picked up without a restart
    found = server.get("/api/search", q=NEW_WORD).json()
    assert found["hits"][0]["doc_id"] == "new.txt"
    assert found["hits"][0]["title"] == "新增报告0"  # the update's text, not the full build's


def no_markup_but_ours(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert [s.get("src") for s in soup.find_all("script")] == ["/static/app.js"]
    assert soup.find(["img", "svg", "b"]) is None
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def test_corpus_markup_is_text_on_every_page(served):
    server = served[0]
    page = server.get("/", q="苗寨文本")
    doc = server.get("/doc/hostile.txt", q="苗寨")
    for resp in (page, doc):
        assert resp.status == 200
        no_markup_but_ours(resp.text)
        assert PAYLOAD in BeautifulSoup(resp.text, "html.parser").get_text()  # shown as written
    snippet = BeautifulSoup(page.text, "html.parser").select_one(".snippet")
    assert [t.name for t in snippet.find_all(True)] == ["mark"]
    hit = server.get("/api/search", q="苗寨文本").json()["hits"][0]
    assert PAYLOAD in hit["text"]  # JSON carries the text; its snippet is escaped HTML
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]


def test_a_typed_query_is_text(served):
    server = served[0]
    typed = '"><script>alert(1)</script><img src=x onerror=alert(2)>苗寨'
    for path in ("/", "/doc/hostile.txt"):
        resp = server.get(path, q=typed)
        assert resp.status in (200, 400)
        no_markup_but_ours(resp.text)


ESCAPES = ["/doc/../../etc/passwd", "/doc/%2e%2e/%2e%2e/etc/passwd", "/doc/..%2F..%2Fetc%2Fpasswd",
           "/doc//etc/passwd", "/doc/%2Fetc%2Fpasswd", "/doc/..\\..\\etc\\passwd",
           "/doc/..%5C..%5Cetc%5Cpasswd", "/doc/C:%5CWindows%5Cwin.ini",
           "/api/doc/../../etc/passwd", "/api/doc/%2Fetc%2Fpasswd", "/api/doc/..%2F..%2Fsetup.cfg",
           "/static/../../setup.cfg", "/static/..%2F..%2Fsetup.cfg", "/static/%2Fetc%2Fpasswd",
           "/doc/hostile.txt/../../../etc/passwd"]


def raw_get(port: int, path: str) -> tuple[int, str, str]:
    """GET ``path`` sent as written (no client-side normalisation): status, Location, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Location") or "", resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.mark.parametrize("path", ESCAPES)
def test_paths_cannot_leave_the_index(served, path):
    port = served[0].port
    status, location, body = raw_get(port, path)
    if status == 308:  # '//' is merged into '/' by a redirect on the same server
        target = urllib.parse.urlsplit(location)
        assert target.netloc in ("", f"127.0.0.1:{port}") and "//" not in target.path
        status, location, body = raw_get(port, target.path)
    assert status == 404, (path, status)
    assert "root:" not in body and "[metadata]" not in body


@pytest.mark.parametrize("path", ["/", "/?q=苗寨", "/?q=!!!", "/doc/hostile.txt", "/doc/nope.txt",
                                  "/api/search?q=苗寨", "/api/search?per_page=0",
                                  "/api/health", "/static/app.js", "/static/style.css",
                                  "/no/such/page"])
def test_every_response_carries_the_security_headers(served, path):
    resp = live.fetch(served[0].base + urllib.parse.quote(path, safe="/?=&!"))
    assert resp.status in (200, 400, 404)
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_the_server_listens_on_loopback_only(served):
    server = served[0]
    log = Path(server.log).read_text()
    assert re.search(rf"Serving on http://127\.0\.0\.1:{server.port}/", log)
    port_hex = f"{server.port:04X}"
    listening = [line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 if line.split()[1].endswith(f":{port_hex}") and line.split()[3] == "0A"]
    assert listening == [f"0100007F:{port_hex}"]  # 127.0.0.1, not 0.0.0.0
