"""Places: the gazetteer of administrative divisions, and which places a text is about.

The gazetteer (``data/divisions.txt``, see ``tools/make_divisions.py``) has the provinces,
prefectures and counties of China with their codes. Every place is known by its full name and by
the usual short forms (``黔南布依族苗族自治州`` → ``黔南州``, ``黔南``; ``三都水族自治县`` →
``三都县``, ``三都``; ``河北省`` → ``河北``). Names are matched against a unit's jieba words
(the names are in jieba's dictionary, so they come out whole) after folding, so Traditional text
(``獨山縣``) is recognised like Simplified.

A name is only trusted as far as it is unambiguous:

- province names, unique full names (``独山县``) and unique prefecture short forms (``定西``)
  are *sure*;
- a name several places share (``鼓楼区``: 南京, 福州, 开封, 徐州) and a two-character full
  name (``城区``) resolve only where the unit or, failing that, the document mentions the
  place's prefecture or province, a county-level short form (``独山``; ``惠农``, ``路桥`` are
  also everyday words) only where it mentions the prefecture right above; otherwise they are
  left out;
- short forms that are everyday words (jieba knows them as frequent words: ``和平``, ``新兴``,
  ``中山``) are not names at all;
- one-character province abbreviations (``粤``, ``黔``, ``闽``) count only in a run of two or
  more that is used as a name, as in ``粤黔协作`` or ``京津冀协同发展``.

A name is a mention only where a reader sees it (``is_mention``): where jieba, without the place
names forced into its dictionary, cuts the sentence at both its ends (not 重庆 in 隆重庆祝), and
not as a street's or river's name (中山西路, 苏州河); a county-level name made of an everyday
word (古城区, 城区) needs its city in context like a shared name.

A unit's ``regions`` are the full paths (``贵州省/黔南布依族苗族自治州/独山县``) of the most
specific places it mentions; a unit that mentions none inherits its document's (what the title,
subtitle and header name or, failing those, what the opening names more than once; nothing for a
head that names the country).
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

from indexer.analysis import HAN_RE, compact

PROVINCE, PREFECTURE, COUNTY = 1, 2, 3
COMMON_WORD_FREQ = 1000  # jieba frequency from which a short form is an everyday word
# A county's short form is held to more: jieba's tags are loose (福清 nr, 从江 nr), but a
# county stem jieba has seen this often outside place names is a word (富民, 惠民, 水城).
COUNTY_WORD_FREQ = 100
OPENING_UNITS = 3  # paragraphs that say what a document is about when its title does not…
OPENING_CHARS = 1000  # …or as many more as it takes to read this much (a speech's salutation)
OPENING_MENTIONS = 2  # an opening names what the document is about more than once
NATIONAL_PROVINCES = 3  # an opening naming more provinces than this is about the whole country

ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
).split()
_ETHNIC_RE = re.compile("(?:" + "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True)) + ")族")
_AUTONOMOUS_RE = re.compile(r"^(.{2,}?)((?:" + _ETHNIC_RE.pattern + r")+)自治(州|县|旗)$")

PROVINCE_ABBREVIATIONS = {
    "京": "北京市", "津": "天津市", "冀": "河北省", "晋": "山西省", "蒙": "内蒙古自治区",
    "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省", "沪": "上海市", "苏": "江苏省",
    "浙": "浙江省", "皖": "安徽省", "闽": "福建省", "赣": "江西省", "鲁": "山东省",
    "豫": "河南省", "鄂": "湖北省", "湘": "湖南省", "粤": "广东省", "桂": "广西壮族自治区",
    "琼": "海南省", "渝": "重庆市", "川": "四川省", "蜀": "四川省", "黔": "贵州省",
    "贵": "贵州省", "滇": "云南省", "云": "云南省", "藏": "西藏自治区", "陕": "陕西省",
    "秦": "陕西省", "甘": "甘肃省", "陇": "甘肃省", "青": "青海省", "宁": "宁夏回族自治区",
    "新": "新疆维吾尔自治区", "港": "香港特别行政区", "澳": "澳门特别行政区", "台": "台湾省",
}
# What follows a run of abbreviations that names provinces: 粤黔协作, 京津冀协同, 粤港澳大湾区.
_ABBREVIATION_RUN_RE = re.compile(
    "([" + "".join(PROVINCE_ABBREVIATIONS) + "]{2,5})"
    "(?=协作|合作|扶贫|帮扶|对口|协同|两省|两地|两市|三省|三地|四省|大湾区|地区|一体化|携手|共建|"
    "交流|劳务|结对)"
)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: int
    path: str  # full names from the province down, joined by "/"

    @property
    def ancestors(self) -> list[str]:
        """The paths of the places above this one, the province first."""
        parts = self.path.split("/")
        return ["/".join(parts[:i]) for i in range(1, len(parts))]


# ---- short forms (pure) -------------------------------------------------------------------


def short_forms(name: str, level: int) -> list[str]:
    """The usual shorter names of a division, most specific first.

    >>> short_forms("黔南布依族苗族自治州", 2)
    ['黔南州', '黔南']
    >>> short_forms("广西壮族自治区", 1)
    ['广西']
    """
    m = _AUTONOMOUS_RE.match(name)
    if m:
        stem, kind = m.group(1), m.group(3)
        return [stem + kind, stem]
    if level == PROVINCE:
        stem = re.sub(r"(?:(?:" + _ETHNIC_RE.pattern + r")*自治区|特别行政区|省|市)$", "", name)
    elif level == PREFECTURE:
        stem = re.sub(r"(?:市|地区|盟|自治州)$", "", name)
    else:
        stem = re.sub(r"(?:市|县|区|旗|自治县|自治旗|特区|林区)$", "", name)
    return [stem] if len(stem) >= 2 and stem != name else []


# ---- the gazetteer ------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    place: Place
    full: bool  # the alias is the place's full name, not a short form
    # A county-level full name made of an everyday word or a lone character and its suffix
    # (古城区 "old-town district", 城区, 郊区): a common noun unless its city is in context.
    generic: bool = False


class Gazetteer:
    def __init__(self, rows: Iterable[tuple[str, str]], is_common: Callable[[str, int], bool]):
        self.places: dict[str, Place] = {}
        self.by_path: dict[str, Place] = {}
        self.by_name: dict[str, Place] = {}  # provinces by full name (abbreviations map here)
        for code, name in sorted(rows):
            level = {2: PROVINCE, 4: PREFECTURE, 6: COUNTY}[len(code)]
            parent = self.places.get(code[:4]) if level == COUNTY else None
            parent = parent or (self.places.get(code[:2]) if level > PROVINCE else None)
            if parent and parent.name == name:  # 中山市 listed again as its own county
                self.places[code] = parent
                continue
            path = f"{parent.path}/{name}" if parent else name
            place = Place(code, name, level if parent or level == PROVINCE else PROVINCE, path)
            self.places[code] = place
            self.by_path[path] = place
            if place.level == PROVINCE:
                self.by_name[name] = place
        self.aliases: dict[str, list[Candidate]] = {}
        self.segmenter: PlainSegmenter | None = None  # set by ``gazetteer()``
        for place in self.by_path.values():
            shorts = short_forms(place.name, place.level)
            common = [s for s in shorts if place.level != PROVINCE and is_common(s, place.level)]
            generic = place.level == COUNTY and (len(place.name) <= 2 or bool(common))
            self._add(place.name, Candidate(place, True, generic))
            for short in shorts:
                if short not in common:
                    self._add(short, Candidate(place, False))

    def _add(self, alias: str, cand: Candidate) -> None:
        self.aliases.setdefault(alias, []).append(cand)

    def place(self, path: str) -> Place | None:
        return self.by_path.get(path)

    def dictionary_words(self) -> list[str]:
        """Every alias, for jieba's dictionary."""
        return list(self.aliases)

    def candidates(self, alias: str) -> list[Candidate]:
        """The places a name may mean: a province if it names one, else its full-name
        holders, else the places it is a short form of."""
        cands = self.aliases.get(alias, [])
        provinces = [c for c in cands if c.place.level == PROVINCE]
        if provinces:
            return provinces[:1]
        full = [c for c in cands if c.full]
        return full or cands

    def abbreviation_runs(self, folded: str) -> list[Place]:
        """Provinces named by runs of one-character abbreviations (``粤黔协作``)."""
        out = []
        for m in _ABBREVIATION_RUN_RE.finditer(folded):
            run = m.group(1)
            if any(run[i:i + 2] in self.aliases for i in range(len(run) - 1)):
                continue  # 辽宁, 吉林: a name, not two abbreviations
            for ch in run:
                place = self.by_name.get(PROVINCE_ABBREVIATIONS[ch])
                if place and place not in out:
                    out.append(place)
        return out


def _is_sure(cands: Sequence[Candidate], alias: str) -> bool:
    if len(cands) != 1:
        return False
    c = cands[0]
    if c.place.level == PROVINCE:
        return True
    if c.generic:
        return False
    if c.full:
        return len(alias) > 2
    return c.place.level == PREFECTURE


def _support(place: Place, context: set[str]) -> int:
    """How closely the context backs a place: its prefecture (2), its province (1), neither."""
    best = 0
    for depth, path in enumerate(place.ancestors, start=1):
        if path in context:
            best = max(best, depth)
    return best


def _backing(cand: Candidate, context: set[str]) -> int:
    """A full name needs its province or prefecture in the context; a short form (独山, 惠农,
    路桥: often everyday words too) and a generic name (古城区, 城区) need the place right above
    it."""
    support = _support(cand.place, context)
    needed = 1 if cand.full and not cand.generic else len(cand.place.ancestors)
    return support if support >= needed else 0


def _pick(cands: Sequence[Candidate], contexts: Sequence[set[str]]) -> Place | None:
    """The one candidate the nearest context backs best; None when none or several are."""
    for context in contexts:
        scored = [(_backing(c, context), c.place) for c in cands]
        top = max(s for s, _ in scored)
        if top == 0:
            continue
        best = [p for s, p in scored if s == top]
        return best[0] if len(best) == 1 else None
    return None


def _prefecture_default(cands: Sequence[Candidate]) -> Place | None:
    """With no context, a name shared by one prefecture and county-level places is the
    prefecture (大同: 大同市 rather than 大庆's 大同区)."""
    top = [c.place for c in cands if c.place.level == PREFECTURE]
    return top[0] if len(top) == 1 else None


def most_specific(paths: Iterable[str]) -> list[str]:
    """Drop a path when a deeper one below it is also there; sorted."""
    unique = set(paths)
    return sorted(p for p in unique if not any(q.startswith(p + "/") for q in unique))


def _with_ancestors(places: Iterable[Place]) -> set[str]:
    out: set[str] = set()
    for p in places:
        out.add(p.path)
        out.update(p.ancestors)
    return out


class Recognizer:
    """Resolves the place names of one document's units against the gazetteer."""

    def __init__(self, gazetteer: Gazetteer):
        self.gaz = gazetteer

    def names(self, words: Iterable[str]) -> list[str]:
        """The place names among a query's words, without the ones that are only part of a
        longer name found too (for a region filter value, which is nothing but names)."""
        found = {w for w in words if w in self.gaz.aliases}
        return sorted(a for a in found if not any(a != b and a in b for b in found))

    def mentions(self, words: Iterable[str], folded: str) -> Counter[str]:
        """How often each place name stands in a text as a name of the place.

        The candidates are the text's words that are names (jieba's search mode also yields
        ``独山`` inside ``独山县`` and ``重庆`` inside ``隆重庆祝``); each occurrence must pass
        ``is_mention``, and one inside a longer accepted name (``独山`` in ``独山县``) is that
        name's, not its own."""
        text = compact(folded).text
        spans = []
        for alias in {w for w in words if w in self.gaz.aliases}:
            start = text.find(alias)
            while start >= 0:
                end = start + len(alias)
                if is_mention(text, start, end, self.gaz.segmenter):
                    spans.append((start, end, alias))
                start = text.find(alias, start + 1)
        kept: list[tuple[int, int, str]] = []
        for start, end, alias in sorted(spans, key=lambda t: (t[0] - t[1], t[0])):
            if not any(s <= start and end <= e for s, e, _ in kept):
                kept.append((start, end, alias))
        return Counter(alias for _, _, alias in kept)

    def document(self, unit_words: Sequence[Sequence[str]], unit_folded: Sequence[str],
                 head_words: Sequence[str] = (), head_folded: str = "") -> tuple[list[list[str]],
                                                                                 list[str]]:
        """Regions of each unit (own mentions only) and of the document.

        ``head_*`` is the title, subtitle and header (issuer, source); the document is about
        what they name or, when they name nothing, what its opening names more than once
        (``opening_regions``) — unless they name the country (``names_the_nation``)."""
        gaz = self.gaz
        texts = [(list(w), f) for w, f in zip(unit_words, unit_folded, strict=True)]
        head = (list(head_words), head_folded)
        found = []  # per text: (sure places, [(candidates, count)] still to resolve)
        for words, folded in [head, *texts]:
            sure: Counter[Place] = Counter(gaz.abbreviation_runs(folded))
            open_ = []
            for alias, count in self.mentions(words, folded).items():
                cands = gaz.candidates(alias)
                if _is_sure(cands, alias):
                    sure[cands[0].place] += count
                else:
                    open_.append((cands, count))
            found.append((sure, open_))
        doc_context = set().union(*(_with_ancestors(s) for s, _ in found))
        resolved: list[Counter[Place]] = []
        for sure, open_ in found:
            places = Counter(sure)
            own = _with_ancestors(sure)
            for cands, count in open_:
                place = _pick(cands, [own, doc_context]) or _prefecture_default(cands)
                if place:
                    places[place] += count
            resolved.append(places)
        unit_regions = [most_specific(p.path for p in r) for r in resolved[1:]]
        doc_regions = most_specific(p.path for p in resolved[0])
        if not doc_regions and not names_the_nation(head_folded):
            doc_regions = opening_regions(resolved[1:], [len(f) for f in unit_folded])
        return unit_regions, doc_regions


# Words of a title or header that put a document at the national level: its issuer is the State
# Council, the National People's Congress or the Party centre, or it speaks for the country.
NATIONAL_MARKERS = ("中华人民共和国", "中国", "全国", "国务院", "中共中央", "党中央")


def names_the_nation(head_folded: str) -> bool:
    """Whether a head without places is the country's (``2013年中华人民共和国国务院政府工作
    报告``, ``在中国共产党第十次全国代表大会上的报告``). Such a document is about the whole
    country, however often its opening names one place (玉树's earthquake, 上海's Expo)."""
    return any(m in head_folded for m in NATIONAL_MARKERS)


def opening_regions(units: Sequence[Counter[Place]], lengths: Sequence[int]) -> list[str]:
    """What a document with no place in its title or header is about: the places its opening
    (the first ``OPENING_UNITS`` units, or ``OPENING_CHARS`` characters if more) names more
    than once, unless they span the country.

    A place named once is in passing (a national report recalling 香港回归, a 台州 regulation
    citing a 杭州 rule); the subject of a speech is named again and again (香港 in a Hong Kong
    policy address whose title says only 施政报告)."""
    counts: Counter[Place] = Counter()
    chars = 0
    for i, (places, length) in enumerate(zip(units, lengths, strict=True)):
        if i >= OPENING_UNITS and chars >= OPENING_CHARS:
            break
        counts.update(places)
        chars += length
    opening = most_specific(p.path for p, n in counts.items() if n >= OPENING_MENTIONS)
    if len({p.split("/")[0] for p in opening}) > NATIONAL_PROVINCES:
        return []
    return opening


# ---- jieba's own segmentation: is a name in the text a word of it? ------------------------

# What makes a place name part of a street's or a river's (中山西路, 北京东路, 苏州河,
# 深圳大道, 中山街道): a direction or ordinal, then the kind of way or water.
_FEATURE_RE = re.compile(
    "[东西南北中]?[一二三四五六七八九十]?(?:大街|大道|街道|马路|路|街|巷|胡同|里|河|运河|涌|渠)")

_DIVISION_ENDS = "省市县区州盟旗"


def is_mention(text: str, start: int, end: int, seg: PlainSegmenter | None) -> bool:
    """Whether ``text[start:end]``, a place name, stands there as the place.

    Without the place names forced into its dictionary, jieba cuts the sentence as a reader
    does; a name whose start falls inside one of its words (隆重|庆祝 holds 重庆, 以上|城区
    holds 上城区) or whose end does (长治久安 holds 长治) is only letters of other words,
    unless that word is an institution named after the place (北京市委, 中山大学: jieba tags
    them ``nt``). A name followed by the kind of a street or river (中山|西路, 苏州|河) names
    the street or river, which is not the place and often not even in it."""
    run_start, run_end = _han_run(text, start, end)
    run = text[run_start:run_end]
    cuts = seg.bounds(run) if seg else None
    s, e = start - run_start, end - run_start
    if cuts is not None and s not in cuts:
        return False
    if cuts is not None and e not in cuts:
        word_end = min(c for c in cuts if c > s)
        return run[s:word_end] in seg.institutions
    if text[end - 1] in _DIVISION_ENDS:
        return True  # 重庆市|河长制: a street or river takes the bare name (中山路, 苏州河)
    feature = _FEATURE_RE.match(run, e)
    return not (feature and (cuts is None or feature.end() in cuts))


def _han_run(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the run of Han characters around ``text[start:end]``."""
    while start > 0 and HAN_RE.match(text[start - 1]):
        start -= 1
    while end < len(text) and HAN_RE.match(text[end]):
        end += 1
    return start, end


class PlainSegmenter:
    """jieba's precise segmentation (its word graph and most probable route, HMM off, as in
    ``jieba.Tokenizer.cut``) with its dictionary as it was before the place names were added.

    The indexing tokenizer gives every place name a frequency that outweighs any split of
    itself (``analysis.PLACE_FREQ``), so it cuts 以/上城区 and yields 重庆 inside 隆重庆祝;
    this is the cut that tells whether the name is there at all. It shares jieba's frequency
    table and only overrides the place names with their earlier frequencies."""

    def __init__(self, freq: dict[str, int], before: dict[str, int], total: int,
                 institutions: frozenset[str]):
        self.freq, self.before, self.institutions = freq, before, institutions
        self.logtotal = math.log(total)
        self.bounds = functools.lru_cache(maxsize=8192)(self._bounds)

    def _freq(self, word: str) -> int | None:
        if word in self.before:
            return self.before[word]
        return self.freq.get(word)

    def _bounds(self, run: str) -> frozenset[int]:
        """Where jieba's words of a Han run start and end."""
        n = len(run)
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for i in range(n - 1, -1, -1):
            ends, j = [], i
            while j < n and self._freq(run[i:j + 1]) is not None:
                if self._freq(run[i:j + 1]):
                    ends.append(j)
                j += 1
            route[i] = max((math.log(self._freq(run[i:x + 1]) or 1) - self.logtotal
                            + route[x + 1][0], x) for x in ends or [i])
        cuts, i = {0, n}, 0
        while i < n:
            i = route[i][1] + 1
            cuts.add(i)
        return frozenset(cuts)


# ---- loading ------------------------------------------------------------------------------


def division_rows() -> list[tuple[str, str]]:
    text = resources.files("indexer").joinpath("data/divisions.txt").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            rows.append((code, name))
    return rows


@functools.cache
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per process. Everyday words are told by jieba's own
    dictionary, read here before ``analysis.tokenizer()`` adds the place names to it (it asks
    for the gazetteer first); the same reading gives ``PlainSegmenter`` the names' earlier
    frequencies."""
    from indexer.analysis import base_tokenizer

    tk = base_tokenizer()
    rows = division_rows()
    stems = {s for _, name in rows for lv in (2, 3) for s in short_forms(name, lv)}
    tags, institutions = {}, set()
    for word, tag in dictionary_tags(tk):
        if word in stems:
            tags[word] = tag
        if tag == "nt":
            institutions.add(word)
    gaz = Gazetteer(rows, lambda w, level: is_everyday_word(tk.FREQ.get(w, 0), tags.get(w, ""),
                                                           level))
    before = {a: tk.FREQ.get(a, 0) for a in gaz.aliases}
    gaz.segmenter = PlainSegmenter(tk.FREQ, before, tk.total, frozenset(institutions))
    return gaz


def is_everyday_word(freq: int, tag: str, level: int = PREFECTURE) -> bool:
    """A short form that is rather a word: frequent in jieba's dictionary and not tagged as a
    place (``ns``): 和平, 新兴; for a county also 富民, 惠民, and 中原 however tagged."""
    if level == COUNTY and (freq >= COMMON_WORD_FREQ or
                            (freq >= COUNTY_WORD_FREQ and not tag.startswith("ns"))):
        return True
    return freq >= COMMON_WORD_FREQ and not tag.startswith("ns")


def dictionary_tags(tk) -> Iterator[tuple[str, str]]:
    """jieba's words with their part-of-speech tags (third column of its dictionary)."""
    with tk.get_dict_file() as f:
        for raw in f:
            parts = raw.decode("utf-8").split()
            if len(parts) == 3:
                yield parts[0], parts[2]
