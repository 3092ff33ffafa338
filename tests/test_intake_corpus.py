"""The 23 published files of ../shared/corpus-raw (HTML, PDF, DOCX) indexed as they are.

Skipped when the shared folder is absent: the files are test material, never copied here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.reading import CorpusFile
from indexer.records import process_file
from search_app.search import search

RAW = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus-raw"
TWINS = RAW.parent / "corpus-real" / "provincial_gov_work_reports"

pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="../shared/corpus-raw is absent")

# file, two sentences of its body (each must be found as a quoted phrase)
BODY = [
    ("docx/2025_上海市_政府工作报告.docx", "基本民生保障持续强化", "完成第三轮清洁空气行动计划"),
    ("docx/2025_山东省_政府工作报告.docx", "部分企业生产经营遇到困难", "突出抓好蓝天碧水净土保卫战"),
    ("docx/2025_新疆_政府工作报告.docx", "召开历代中央政权治理新疆地区学术研讨会", "用情用力做好民生实事"),
    ("docx/2025_江苏省_政府工作报告.docx", "习近平总书记对江苏发展高度重视、寄予厚望", "深入贯彻习近平文化思想"),
    ("docx/2025_河南省_政府工作报告.docx", "也是进一步全面深化改革的重要一年", "加快打造殷墟甲骨文中华文化新地标"),
    ("docx/2025_浙江省_政府工作报告.docx", "居民可支配收入与经济增长基本同步", "平稳有序推进延迟退休工作"),
    ("docx/2025_湖南省_政府工作报告.docx", "外部环境仍然复杂严峻", "稳步提升社会保障水平"),
    ("docx/2025_甘肃省_政府工作报告.docx", "良好的生态环境是最普惠的民生福祉", "全面实施流失海外敦煌文物数字化复原项目"),
    ("html/cmse_kongjianzhan_beizhan.html", "中国运载火箭技术研究院负责长征", "此试验自去年九月份开始以来"),
    ("html/govcn_guobanfa2018_2019_jiejiari.html", "经国务院批准", "确保人民群众祥和平安度过节日假期"),
    ("html/govcn_guobanfa2019_wufei_chengshi.html", "发挥政府宏观指导作用", "推广回收新技术新模式"),
    ("html/govcn_guofa2019_shuangsuiji_yigongkai.html", "落实地方各级人民政府责任",
     "对抽查发现的违法违规行为依法加大惩处力度"),
    ("html/govcn_guofa2019_zhiye_jiaoyu_gaige.html", "使城乡新增劳动力更多接受高等教育",
     "支持技术技能人才凭技能提升待遇"),
    ("html/govcn_guohan2018_xiongan_guihua_pifu.html", "有序承接北京非首都功能疏解",
     "建设国际一流的创新型城市"),
    ("html/govcn_zhuanli_daili_tiaoli_2018.html", "并在一家专利代理机构从业", "涉及泄露国家秘密、侵犯商业秘密的"),
    ("html/kepu_gov_changsanjiao_zuotanhui.html", "习近平发表了重要讲话", "统筹龙头带动和各扬所长"),
    ("html/zj_fgw_deqing_touzi.html", "总体全县投资结构趋稳趋优", "三产占比与去年持平"),
    ("pdf/hk_policy_address_pa200502.pdf", "不仅需要特区政府努力", "我们会继续采取措施巩固这个关乎香港兴衰的地位"),
    ("pdf/hk_policy_address_pa2007.pdf", "包括用人民币支付从内地往香港的贸易进口", "不但能扩大我们的人才库"),
    ("pdf/hk_policy_address_pa2009.pdf", "我们必须检视香港高等教育的定位", "有赖全港市民全情投入"),
    ("pdf/hk_policy_address_pa2011.pdf", "政府亦会把政府写字楼搬往启德", "首幅土地最早可在二零一三年供市场竞投"),
    ("pdf/hk_policy_address_pa2013.pdf", "这个成功故事我们引以为荣", "我们就可以更好地推广亲水文化"),
    ("pdf/hk_policy_address_pa2015.pdf", "為內地與海外人士提供中介服務", "並於今年年底在銅鑼灣、中環及旺角設立低排放區"),
]
# Page furniture of these files: none of it may be found.
FURNITURE = ["扫一扫在手机打开当前页", "京ICP备", "浙ICP备", "网站标识码", "版权所有", "MERGEFORMAT",
             "联系我们", "网站地图", "[打印]", "当前位置"]


@pytest.fixture(scope="module")
def raw_index(tmp_path_factory):
    index = tmp_path_factory.mktemp("raw") / "index"
    report = build_index(RAW, index, jobs=2)
    return index, report


def test_every_file_is_indexed_without_a_skip(raw_index):
    _, report = raw_index
    assert report.skipped == []
    files = sorted(p for p in RAW.rglob("*") if p.suffix in (".html", ".pdf", ".docx"))
    assert len(files) == 23 and {f for f, *_ in BODY} == {p.relative_to(RAW).as_posix()
                                                          for p in files}


@pytest.mark.parametrize("doc_id,first,second", BODY, ids=[b[0] for b in BODY])
def test_two_body_sentences_are_found_as_phrases(raw_index, doc_id, first, second):
    index, _ = raw_index
    for sentence in (first, second):
        hits = search(index, f'"{sentence}"', per_page=50).hits
        assert doc_id in {h.doc_id for h in hits}, sentence


@pytest.mark.parametrize("words", FURNITURE)
def test_page_furniture_is_not_found(raw_index, words):
    index, _ = raw_index
    hits = search(index, f'"{words}"', per_page=50).hits
    assert [h.doc_id for h in hits if not h.doc_id.endswith(".md")] == []


def _units(rel: str):
    path = RAW / rel
    st = path.stat()
    result, _ = process_file(CorpusFile(path, rel, st.st_size, st.st_mtime_ns))
    assert not result.skipped, result.skipped
    return result


@pytest.mark.parametrize("rel", [b[0] for b in BODY if b[0].startswith("pdf/")])
def test_pdf_has_no_page_numbers_or_running_headers(rel):
    texts = [u["text"] for u in _units(rel).unit_rows]
    assert not [t for t in texts if re.fullmatch(r"[\d\s\-—–]+", t)]
    assert len(texts) > 80  # paragraphs, not one unit per line or per page
    assert max(len(t) for t in texts) < 3000  # and not one unit per document


def test_govcn_fields_become_issuer_number_and_dates():
    result = _units("html/govcn_guofa2019_shuangsuiji_yigongkai.html")
    row = result.doc_row
    meta = __import__("json").loads(row["meta"])
    assert row["title"] == "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见"
    assert meta["issuer"] == "国务院" and meta["doc_number"] == "国发〔2019〕5号"
    assert meta["subject"].startswith("市场监管") and meta["format"] == "html"
    assert row["published"] == "2019-02-15" and row["year"] == 2019


def test_document_number_finds_its_document(raw_index):
    index, _ = raw_index
    for q in ("国发〔2019〕5号", '"国办发明电〔2018〕15号"'):
        hits = search(index, q).hits
        assert hits and hits[0].doc_id.startswith("html/govcn_"), q


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def docx_match_share() -> tuple[int, int]:
    """(paragraphs of the DOCX reports found verbatim in their .txt twins, paragraphs)."""
    matched = total = 0
    for path in sorted((RAW / "docx").glob("*.docx")):
        twin = TWINS / (path.stem + ".txt")
        if not twin.exists():
            continue
        lines = {_norm(x) for x in twin.read_text("utf-8").splitlines() if x.strip()}
        for row in _units(f"docx/{path.name}").unit_rows:
            total += 1
            matched += _norm(row["text"]) in lines
    return matched, total


@pytest.mark.skipif(not TWINS.is_dir(), reason="../shared/corpus-real is absent")
def test_docx_paragraphs_match_their_text_twins():
    matched, total = docx_match_share()
    assert total > 400 and matched / total >= 0.95, (matched, total)


def test_intake_speed_is_measured_per_format():
    from bench.intake import intake_speed

    speed = intake_speed(RAW, rounds=1)
    assert {fmt: row["files"] for fmt, row in speed.items()} == {"html": 9, "pdf": 6, "docx": 8}
    assert all(row["mb_per_s"] > 0 for row in speed.values())
