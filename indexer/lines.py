"""What a cleaned line is: web chrome, a metadata line, a heading, or text.

Every rule reads the folded line (Simplified, half-width, lower case) so one vocabulary covers
both scripts; values are cut from the line as written (folding keeps offsets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis import fold

# ---- dates --------------------------------------------------------------------------------

_DATE_RE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "o": 0, "○": 0}
_CN_DATE_RE = re.compile(r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                         r"([一二三四五六七八九十]{1,3})日")


def _cn_small(s: str) -> int:
    """一 -> 1, 十二 -> 12, 二十七 -> 27, 三十一 -> 31."""
    if "十" not in s:
        return _CN_DIGITS[s]
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _valid(y: int, m: int, d: int) -> str | None:
    if 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``.

    >>> parse_date("發布時間:2021-04-27 |")
    '2021-04-27'
    >>> parse_date("——二〇二六年一月二十七日在甘肃省十四届人大")
    '2026-01-27'
    """
    m = _DATE_RE.search(text)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _CN_DATE_RE.search(text)
    if m:
        year = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
        return _valid(year, _cn_small(m.group(2)), _cn_small(m.group(3)))
    return None


def all_dates(text: str) -> list[str]:
    """Every Arabic-numeral date in ``text``, ISO formatted, in order."""
    out = []
    for m in _DATE_RE.finditer(text):
        d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            out.append(d)
    return out


# ---- metadata lines -----------------------------------------------------------------------

# label (folded) -> field. A line made only of ``label: value`` pairs is a metadata line.
META_LABELS = {
    "published": "发布时间 发表时间 发布日期 发文日期 成文日期 更新时间 时间 日期 发布于",
    "source": "来源 信息来源 稿件来源 文章来源 新闻来源 本文来源 稿源 出处",
    "author": "作者 撰稿 撰文 供稿 文字",
    "editor": "责任编辑 编辑 责编 校对 审核 审校 终审 初审 复审 编审 值班编辑",
    "counter": "点击 点击数 点击量 点击率 浏览 浏览量 浏览次数 访问量 访问次数 信息访问量 "
               "阅读 阅读量 阅读数 阅读次数 人气",
    "keywords": "关键词 关键字 标签",
}
_LABEL_FIELD = {lab: field for field, labs in META_LABELS.items() for lab in labs.split()}
_LABEL_ALT = "|".join(sorted(_LABEL_FIELD, key=len, reverse=True))
_LABEL_RE = re.compile(rf"(?:^|(?<=[\s|｜]))({_LABEL_ALT})\s*[:：]")
_BULLET_RE = re.compile(r"^(?:[-*·•]\s*)")


@dataclass(frozen=True)
class MetaLine:
    fields: dict[str, str]  # field -> value as written ('' when the value is on the next line)


def parse_meta_line(line: str) -> MetaLine | None:
    """``發布日期:2016-12-25 信息來源:河北老促會 信息訪問量:?`` -> three fields, or None.

    >>> parse_meta_line("- 來源:甘肅日報").fields
    {'source': '甘肅日報'}
    >>> parse_meta_line("来源于群众的意见") is None
    True
    """
    body = _BULLET_RE.sub("", line.strip())
    folded = fold(body)
    matches = list(_LABEL_RE.finditer(folded))
    if not matches or matches[0].start() != 0:
        return None
    fields: dict[str, str] = {}
    for m, nxt in zip(matches, matches[1:] + [None], strict=True):
        field = _LABEL_FIELD[m.group(1)]
        value = body[m.end() : nxt.start() if nxt else len(body)].strip(" |｜\t")
        if not _plausible(field, value):
            return None
        fields.setdefault(field, value)
    return MetaLine(fields)


def _plausible(field: str, value: str) -> bool:
    if field == "published":
        return value == "" or parse_date(value) is not None
    if field == "counter":
        return bool(re.fullmatch(r"[\d,?？]*\s*(?:次|人次)?", value))
    if field == "keywords":
        return len(value) <= 80
    return len(value) <= 40 and "。" not in value


# ---- web chrome ---------------------------------------------------------------------------

# Words that only ever appear on a line of their own as page furniture: toolbars, pagers,
# share buttons, navigation. A line made only of these (and page numbers) is chrome.
CHROME_WORDS = set(
    """
    下载 打印 全屏 收藏 字号 字体 加大 还原 减小 默认 放大 缩小 大 中 小 大字 中字 小字 标准
    分享 分享到 关闭 关闭窗口 打印本页 打印此页 打印本文 打印文章 保存 收藏本页 加入收藏 返回
    返回顶部 回到顶部 顶部 返回首页 返回列表 扫一扫 扫码 手机看 手机扫码 微信 微信扫一扫 微博 新浪微博
    腾讯微博 qq qq空间 朋友圈 复制链接 链接 上一篇 下一篇 上一页 下一页 上一条 下一条 首页 尾页 末页
    前页 后页 第 页 共 条 纠错 我要纠错 视力保护色 无障碍 适老化 长者模式 简体 繁体 简 繁 登录 注册
    搜索 网站地图 联系我们 关于我们 a a+ a- 点赞 评论 转发 跳转 字号大 字号中 字号小 浏览字号
    相关链接 相关阅读 相关新闻 相关报道 相关文档 相关文件 相关附件 推荐阅读 热点推荐 责任编辑 打印页面
    关闭页面 文章 正文 空间 在 手机 打开 当前页 当前 本页 页面 此页 到 和 或 用 查看 原文 阅读原文
    """.split()
)
_CHROME_MAXLEN = max(map(len, CHROME_WORDS))


def _segments_into_chrome(run: str) -> bool:
    """Whether a Han run splits wholly into chrome words (``扫一扫在手机打开当前页``)."""
    ok = [True] + [False] * len(run)
    for end in range(1, len(run) + 1):
        for size in range(1, min(_CHROME_MAXLEN, end) + 1):
            if ok[end - size] and run[end - size : end] in CHROME_WORDS:
                ok[end] = True
                break
    return ok[-1]
_CHROME_TOKEN_RE = re.compile(r"[a-z]+[+-]?|\d+|[^\W\d_a-z]+")
_FOOTER_RE = re.compile(
    r"icp[备证]|公网安备|版权所有|copyright|©|(?:新闻)?信息服务许可证\s*\d|网站标识码|技术支持[:：]"
    r"|主办单位|承办单位|仿冒必究|转载请注明|未经授权|建议使用.{0,20}浏览器|分辨率|public domain"
)
# "政府工作报告。 贵州日报天眼新闻记者 李森 摄": a photo credit
_PHOTO_RE = re.compile(r"(?:记者|摄影|通讯员|图/|图：|图:).{0,16}摄\s*$|^图片来源[:：]")
_BREADCRUMB_START_RE = re.compile(r"^(?:您的|您当前的|当前|你的|你当前的|所在)?(?:位置|当前位置)\s*[:：]")
_CRUMB_SEP_RE = re.compile(r"\s*(?:>>?|»|›|→|\\)\s*")
_ARTICLE_RE = re.compile(r"^第[一二三四五六七八九十百千零〇\d]+条")


def chrome_kind(line: str) -> str | None:
    """'toolbar', 'footer' or 'breadcrumb' for page furniture; None for anything else.

    >>> chrome_kind("上一页   1   2   3   4   5   下一页")
    'toolbar'
    >>> chrome_kind("京公网安备 11010802021749号 京ICP备14010675号-1")
    'footer'
    """
    folded = fold(line.strip())
    if not folded:
        return None
    if _BREADCRUMB_START_RE.match(folded) or (
        _CRUMB_SEP_RE.search(folded) and "首页" in folded and len(folded) <= 80
    ):
        return "breadcrumb"
    if len(folded) <= 80 and "。" not in folded and not _ARTICLE_RE.match(folded):
        if _FOOTER_RE.search(folded):
            return "footer"
    if len(folded) <= 80 and _PHOTO_RE.search(folded):
        return "photo"
    if len(folded) <= 60:
        tokens = _CHROME_TOKEN_RE.findall(folded)
        words = [t for t in tokens if not t.isdigit()]
        if words and all(t in CHROME_WORDS or _segments_into_chrome(t) for t in words):
            return "toolbar"
    return None


def breadcrumb_crumbs(line: str) -> list[str]:
    """The names in a breadcrumb line, as written: ``您當前的位置 > 首頁> 紅色河北`` -> 2 names."""
    body = re.sub(r"^[^>»›:：]*?位置\s*[:：]?", "", line.strip())
    return [c.strip() for c in _CRUMB_SEP_RE.split(body) if c.strip()]


# ---- headings -----------------------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十百零〇"
HEADING_PATTERNS = [
    # (pattern on the folded line, level)
    (re.compile(rf"^第[{_CN_NUM}\d]+[编編]"), 1),
    (re.compile(rf"^第[{_CN_NUM}\d]+章"), 2),
    (re.compile(rf"^第[{_CN_NUM}\d]+节"), 3),
    (re.compile(rf"^[{_CN_NUM}]+\s*[、.]"), 2),
    (re.compile(rf"^[(（]\s*[{_CN_NUM}]+\s*[)）]"), 3),
    (re.compile(rf"^[{_CN_NUM}]是"), 4),
    (re.compile(r"^\d{1,2}\s*[、.．](?!\d)"), 4),
    (re.compile(r"^[(（]\s*\d{1,2}\s*[)）]"), 5),
    (re.compile(r"^(?:专栏|专题)\s*\d+\s*[:：]"), 4),
]
PLAIN_HEADING_LEVEL = 6
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
_SENTENCE_PUNCT_RE = re.compile(r"[，。；！？：,;!?:]")
HEADING_MAX = 32


def markdown_heading(line: str) -> tuple[int, str] | None:
    """``## 第一章　总则`` -> (2, '第一章　总则')."""
    m = _MD_HEADING_RE.match(line)
    if not m or not m.group(2).strip():
        return None
    return len(m.group(1)), m.group(2).strip().strip("#").strip()


def enumerated_level(line: str) -> int | None:
    """The outline level of an enumerated line (一、 (一) 1. 第一章 …), or None."""
    folded = fold(line)
    for pattern, level in HEADING_PATTERNS:
        if pattern.match(folded):
            return level
    return None


def heading_level(line: str) -> int | None:
    """Level of a short enumerated heading such as ``(一)助力提前完成脫貧攻堅目標``.

    A long line that starts with an enumerator is a paragraph, not a heading.
    """
    text = line.strip()
    if len(text) > HEADING_MAX or _ARTICLE_RE.match(fold(text)):
        return None
    level = enumerated_level(text)
    if level is None:
        return None
    # an item of a list in a regulation, 「（三）其他未依法履行职责的。」 or 「（一）…种子；」:
    # a clause completing the sentence above it, not the name of a part
    if text.endswith(("的。", "的.", "；", ";")):
        return None
    body = text[:-1] if text[-1] in "。." else text
    # at most one clause: "一是黨委政府高度重視,在“準”字上下功夫。" still counts
    if "。" in body or len(_SENTENCE_PUNCT_RE.findall(body)) > 1:
        return None
    return level


def is_plain_heading(line: str) -> bool:
    """A short line with no sentence punctuation, such as ``推进“四个协作”`` or ``連江—隴西``."""
    text = line.strip()
    return 2 <= len(text) <= 25 and not _SENTENCE_PUNCT_RE.search(text) and "。" not in text


def is_article_start(line: str) -> str | None:
    """``第三条 …`` -> ``第三条`` (regulations); None otherwise."""
    m = _ARTICLE_RE.match(fold(line.strip()))
    return line.strip()[: m.end()] if m else None


# ---- header lines -------------------------------------------------------------------------

_MEETING_RE = re.compile(r"(?:\d{4}|[〇零○一二三四五六七八九]{4})年.{1,12}[日]?在.{2,40}(?:会议|大会|会)")
_CREDIT_RE = re.compile(
    r"^[(（](?:(?:来源|稿源|供稿|作者)\s*[:：]\s*)?(.{2,30}?)(?:供稿|来源|稿源|撰稿|整理|作者)?[)）]$"
)
_CREDIT_HINT_RE = re.compile(r"供稿|来源|稿源|撰稿|整理|作者")
_DATE_ONLY_RE = re.compile(
    r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}\s*[:时]\s*\d{1,2}"
    r"(?:\s*[:分]\s*\d{1,2})?\s*(?:分|秒)?)?$"
)


def is_subtitle(line: str) -> bool:
    """``——2026年2月3日在上海市第十六届人民代表大会第四次会议上`` and ``──保定市…``."""
    folded = fold(line.strip())
    return bool(re.match(r"^[—─―–]{1,2}", folded)) or bool(
        _MEETING_RE.match(folded.lstrip("(（")) and len(folded) <= 80
    )


def is_date_only(line: str) -> bool:
    """``2026-02-03 09:02:33`` or ``2026年02月10日 07时41分`` on a line of its own."""
    return bool(_DATE_ONLY_RE.match(fold(line.strip())))


def credit_source(line: str) -> str | None:
    """``(广东省粤黔协作工作队供稿)`` -> ``广东省粤黔协作工作队``."""
    folded = fold(line.strip())
    m = _CREDIT_RE.match(folded)
    if not m or not _CREDIT_HINT_RE.search(folded):
        return None
    return line.strip()[m.start(1) : m.end(1)]
