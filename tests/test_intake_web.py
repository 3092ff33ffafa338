"""Documents read from published formats on the page, in the API and as a download."""

from __future__ import annotations

import pytest

from indexer.build import build_index
from search_app import create_app
from search_app.search import search
from tests.conftest import english
from tests.test_intake_formats import GOV_PAGE


@pytest.fixture(scope="module")
def gov(tmp_path_factory):
    base = tmp_path_factory.mktemp("gov")
    corpus = base / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "国发4号.html").write_bytes(GOV_PAGE.encode("gb18030"))
    (corpus / "note.txt").write_text("测试报告\n\n东西部协作推动林盘蚕房项目，带动贫困户增收。\n", "utf-8")
    (base / "secret.txt").write_text("outside the corpus", "utf-8")
    index = base / "index"
    build_index(corpus, index, jobs=1)
    app = create_app({"INDEX_DIR": str(index), "CORPUS": str(corpus), "TESTING": True})
    return index, english(app.test_client())  # the test reads the English labels


def test_document_number_query_finds_the_document_and_hit_carries_fields(gov):
    index, _ = gov
    hit = search(index, "国发〔2019〕4号").hits[0]
    assert hit.doc_id == "sub/国发4号.html"
    assert (hit.issuer, hit.doc_number, hit.source_format) == ("国务院", "国发〔2019〕4号", "html")
    d = hit.to_dict()
    assert d["doc_number"] == "国发〔2019〕4号" and d["source_format"] == "html"


def test_page_hit_and_document_view_show_issuer_number_and_format(gov):
    _, client = gov
    page = client.get("/?q=易地扶贫搬迁").get_data(as_text=True)
    assert "国务院 · 国发〔2019〕4号" in page and ">HTML</span>" in page
    view = client.get("/doc/sub/国发4号.html").get_data(as_text=True)
    assert "Document number" in view and "国发〔2019〕4号" in view and "Issuer" in view
    assert 'href="/doc/sub/%E5%9B%BD%E5%8F%914%E5%8F%B7.html/original"' in view
    api = client.get("/api/doc/sub/国发4号.html").get_json()
    assert api["issuer"] == "国务院" and api["source_format"] == "html"


def test_original_is_served_as_a_download_with_its_content_type(gov):
    _, client = gov
    resp = client.get("/doc/sub/国发4号.html/original")
    data = resp.data
    resp.close()  # a file response holds the file open until closed
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert data == GOV_PAGE.encode("gb18030")
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "%E5%9B%BD%E5%8F%914%E5%8F%B7.html" in disposition
    txt = client.get("/doc/note.txt/original")
    txt.close()
    assert txt.status_code == 200 and txt.mimetype == "text/plain"


@pytest.mark.parametrize("url", ["/doc/../secret.txt/original", "/doc/%2E%2E/secret.txt/original",
                                 "/doc/nope.html/original", "/doc/sub/../../secret.txt/original"])
def test_original_never_leaves_the_corpus(gov, url):
    _, client = gov
    resp = client.get(url)
    assert resp.status_code == 404 and b"outside the corpus" not in resp.data
