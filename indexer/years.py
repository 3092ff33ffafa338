"""The year of a document, and the years a text mentions.

A document's year is found in this order, and how it was found is kept (``year_source``):

1. ``published``: a stated date in the header: for a regulation, the latest of the adoption and
   amendment dates in its history lines (``2001年4月28日…通过``, ``2009年8月27日…修正``), else
   publication (``發布時間:2021-04-27``) or meeting (``——2025年1月14日在…人民代表大会上``);
2. ``title``: a year in the title (``2025年政府工作报告``);
3. ``filename``: a year at the start of the file name (``2019_…``);
4. ``inferred``: the latest year the text reports as done (``2023年…投入``), skipping
   targets and plans (``到2035年``, ``2025年目标``, ``力争…``) and never later than today.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

MIN_YEAR = 1900
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}
_CN_YEAR = "[〇零○一二三四五六七八九]{4}"
_YEAR_RE = re.compile(rf"(?<![0-9])((?:19|20)[0-9]{{2}}|{_CN_YEAR})(?:\s*年)")
# 2016—2020年, 2016-2020年: both ends are mentioned
_RANGE_RE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s*[-—–~至到]\s*((?:19|20)[0-9]{2})\s*年")
_FILENAME_RE = re.compile(r"^((?:19|20)[0-9]{2})(?![0-9])")
_VERSION_RE = re.compile(
    rf"((?:19|20)[0-9]{{2}}|{_CN_YEAR})\s*年[^，。；;）)]{{0,80}}?(?:通过|修正|修订|公布|批准)"
)
# A regulation's history line starts with its date: 2002年3月29日 …会议修正, (2001年4月28日…通过
_VERSION_LINE_RE = re.compile(
    rf"^[（(]?\s*(?:(?:19|20)[0-9]{{2}}|{_CN_YEAR})\s*年\s*[0-9一二三四五六七八九十]{{1,3}}\s*月"
    r"\s*[0-9一二三四五六七八九十]{1,3}\s*日"
)
HISTORY_LINES = 30  # at most this many history lines are read at the top of a document
# Words that make a clause about the future: the year in it is a target, not a record.
_PLAN_BEFORE = re.compile(r"(?:到|至|力争|争取|预计|计划|确保|截至)\s*$")
_PLAN_AFTER = re.compile(r"^\s*年?(?:目标|前|以前|底前|远景|规划|计划|要|将|力争|争取|预计|基本实现)")
_PLAN_CLAUSE = re.compile(r"目标|规划|计划|力争|争取|预计|将要|展望|远景|纲要|实现.{0,6}目标")
_CLAUSE_SPLIT = re.compile(r"[。；;！？!?\n]")


def _year_value(raw: str) -> int:
    if raw[0] in _CN_DIGITS:
        return int("".join(str(_CN_DIGITS[c]) for c in raw))
    return int(raw)


def _plausible(year: int, today: int) -> bool:
    return MIN_YEAR <= year <= today


def mentioned_years(text: str, today: int | None = None) -> list[int]:
    """Every year a text mentions (``2016年``, both ends of ``2016—2020年``), sorted."""
    today = today or 9999
    years = {_year_value(m.group(1)) for m in _YEAR_RE.finditer(text)}
    for m in _RANGE_RE.finditer(text):
        years.update((int(m.group(1)), int(m.group(2))))
    return sorted(y for y in years if MIN_YEAR <= y <= today + 50)


def reported_years(text: str, today: int) -> list[int]:
    """Years a text reports as done: mentions outside clauses about targets and plans."""
    out = []
    for clause in _CLAUSE_SPLIT.split(text):
        if _PLAN_CLAUSE.search(clause):
            continue
        for m in _YEAR_RE.finditer(clause):
            before = clause[max(0, m.start() - 4) : m.start()]
            after = clause[m.end() - 1 : m.end() + 4]
            if _PLAN_BEFORE.search(before) or _PLAN_AFTER.search(after):
                continue
            if "十四五" in clause or "十五五" in clause:
                continue
            year = _year_value(m.group(1))
            if _plausible(year, today):
                out.append(year)
    return out


def version_year(texts: Iterable[str]) -> int | None:
    """The latest adoption or amendment year of a regulation, from the history lines at the
    top of the document (those that start with a date: ``2002年3月29日 …会议修正``); an
    effective date (``施行``) is no version."""
    years = []
    for i, text in enumerate(texts):
        if i >= HISTORY_LINES or not _VERSION_LINE_RE.match(text.strip()):
            break
        years += [_year_value(m.group(1)) for m in _VERSION_RE.finditer(text)]
    return max(years) if years else None


def document_year(
    *,
    published: str | None,
    meeting_date: str | None,
    title: str,
    doc_id: str,
    opening: Sequence[str],
    body: Iterable[str],
    today: datetime.date | None = None,
) -> tuple[int | None, str | None]:
    """(year, how it was found) for a document; (None, None) when nothing tells."""
    now = (today or datetime.date.today()).year
    version = version_year(opening)
    if version and _plausible(version, now):
        return version, "published"
    for date in (published, meeting_date):
        if date and _plausible(int(date[:4]), now):
            return int(date[:4]), "published"
    m = _YEAR_RE.search(title)
    if m and _plausible(_year_value(m.group(1)), now):
        return _year_value(m.group(1)), "title"
    m = _FILENAME_RE.match(PurePosixPath(doc_id).name)
    if m and _plausible(int(m.group(1)), now):
        return int(m.group(1)), "filename"
    done = [y for text in body for y in reported_years(text, now)]
    if done:
        return max(done), "inferred"
    return None, None
