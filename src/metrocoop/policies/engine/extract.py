"""Metadata of a plain policy text as downloaded from a city portal (pure; no ORM): the title on the first
non-empty line, the 发文字号 near the top, the issuer and the date from the signature block at the end.

    沪府办发〔2021〕5号                       ← a line holding only the number (also [2021], (2021), （2021）, 【2021】)
    上海市人民政府办公厅关于印发……的通知       ← the title: the first non-empty line that is not only a number
    ……正文……
    本办法自2021年4月1日起施行。               ← the effective date ("自…起施行 / 实施 / 执行")
    上海市人民政府办公厅                       ← the signature block: one or more issuing bodies,
    2021年3月5日                               ←   then the date (二〇二一年三月五日, 二○二一年十二月三十一日 too)

A `成文日期：` / `发布日期：` line anywhere gives the date; a `发文机关：` line the issuer. Without a signature block
the issuer comes from the number's prefix when it names one body only (`ISSUER_BY_PREFIX`: 沪府办发 is the
Shanghai government's general office, 苏政办发 Jiangsu's, 苏府 Suzhou's; a prefix not in the table gives nothing).
What cannot be found stays empty and is listed in `missing`; `steps` say where each value came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

# 发文字号: an organ's abbreviation, the year in brackets, the serial number, 号 (第 optional)
_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,15})\s*[〔\[（(［【]\s*((?:19|20)\d{2})\s*[〕\]）)］】]\s*第?\s*(\d{1,5})\s*号"
)
_NUMERALS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_NUMERALS.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_CN = "〇○零ＯO一二两三四五六七八九十"
_DATE_ARABIC = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"((?:19|20)\d{2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})")
_DATE_CHINESE = re.compile(rf"([{_CN}]{{4}})\s*年\s*([{_CN}]{{1,3}})\s*月\s*([{_CN}]{{1,3}})\s*日")
_LABELLED = re.compile(r"^\s*(成文日期|发布日期|印发日期|发文日期|发文机关|发布机关|发文字号|文号)\s*[：:]\s*(.*?)\s*$")
_EFFECTIVE = re.compile(r"自\s*(\S{6,16}?日)\s*起\s*(?:施行|实施|执行|生效)")
# a line of the signature block naming a body: short, no sentence punctuation, ends like an organisation
_ORG_END = re.compile(
    r"(人民政府|人民代表大会常务委员会|办公厅|办公室|委员会|管理委员会|执行委员会|局|厅|部|委|署|院|会|中心|小组|"
    r"总局|总署|银行|集团|协会|联合会)$"
)
_SENTENCE = re.compile(r"[。，；：:、！？!?,;《》“”\"]")

# Number prefixes that name one issuing body. Ambiguous abbreviations are left out (苏 alone is both Jiangsu and
# Suzhou: 苏政… is the province, 苏府… the city).
ISSUER_BY_PREFIX: dict[str, str] = {
    "国发": "国务院",
    "国办发": "国务院办公厅",
    "国办函": "国务院办公厅",
    "沪府发": "上海市人民政府",
    "沪府规": "上海市人民政府",
    "沪府令": "上海市人民政府",
    "沪府办发": "上海市人民政府办公厅",
    "沪府办规": "上海市人民政府办公厅",
    "沪府办": "上海市人民政府办公厅",
    "苏政发": "江苏省人民政府",
    "苏政规": "江苏省人民政府",
    "苏政办发": "江苏省人民政府办公厅",
    "苏政办规": "江苏省人民政府办公厅",
    "苏府": "苏州市人民政府",
    "苏府规": "苏州市人民政府",
    "苏府办": "苏州市人民政府办公室",
    "浙政发": "浙江省人民政府",
    "浙政办发": "浙江省人民政府办公厅",
    "锡政发": "无锡市人民政府",
    "锡政办发": "无锡市人民政府办公室",
    "常政发": "常州市人民政府",
    "常政办发": "常州市人民政府办公室",
    "通政发": "南通市人民政府",
    "通政办发": "南通市人民政府办公室",
    "甬政发": "宁波市人民政府",
    "甬政办发": "宁波市人民政府办公厅",
    "嘉政发": "嘉兴市人民政府",
    "嘉政办发": "嘉兴市人民政府办公室",
    "湖政发": "湖州市人民政府",
    "湖政办发": "湖州市人民政府办公室",
    "舟政发": "舟山市人民政府",
    "舟政办发": "舟山市人民政府办公室",
}


@dataclass(frozen=True)
class Extracted:
    """What a plain text says about itself. Empty strings / None where nothing was found (listed in `missing`)."""

    title: str
    doc_number: str
    issuer: str
    issued_on: date | None
    effective_on: date | None
    body: str
    missing: tuple[str, ...]
    steps: tuple[str, ...] = field(default_factory=tuple)


def chinese_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 三十一 → 31; None when `text` is not such a number (up to 99)."""
    if not text or any(c not in _NUMERALS and c != "十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_NUMERALS[c]) for c in text)) if len(text) <= 2 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The first date in `text`: 2021年3月5日, 2021-03-05, 2021.3.5, 二〇二一年三月五日, 二○二一年十二月三十一日."""
    text = unicodedata.normalize("NFKC", text or "")
    found: list[tuple[int, date]] = []
    for pattern in (_DATE_ARABIC, _DATE_ISO):
        m = pattern.search(text)
        if m and (day := _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
            found.append((m.start(), day))
    m = _DATE_CHINESE.search(text)
    if m:
        year = "".join(str(_NUMERALS.get(c, "")) for c in m.group(1))
        month, day_n = chinese_number(m.group(2)), chinese_number(m.group(3))
        if len(year) == 4 and month and day_n and (day := _valid(int(year), month, day_n)):
            found.append((m.start(), day))
    return min(found)[1] if found else None


def find_doc_number(text: str) -> str:
    """The first 发文字号 in `text`, as written (spaces removed), or ''."""
    m = _NUMBER.search(text or "")
    return re.sub(r"\s+", "", m.group(0)) if m else ""


def issuer_from_number(number: str) -> str:
    """The body a number's prefix names (沪府办发〔2021〕5号 → 上海市人民政府办公厅), '' when unknown or ambiguous."""
    m = _NUMBER.match(number or "")
    return ISSUER_BY_PREFIX.get(m.group(1), "") if m else ""


def _is_org(line: str) -> bool:
    """A line of a signature block naming one or more bodies (several separated by spaces)."""
    parts = line.split()
    return (
        bool(parts)
        and len(line.strip()) <= 60
        and not _SENTENCE.search(line)
        and all(2 < len(p) <= 30 and _ORG_END.search(p) for p in parts)
    )


def _only_number(line: str) -> bool:
    m = _NUMBER.search(line)
    return bool(m) and not re.sub(r"[\s　]", "", line.replace(m.group(0), ""))


def extract_metadata(text: str) -> Extracted:
    """Title, number, issuer and dates of a plain policy text (module docstring); the body is the text after the
    title line."""
    lines = [ln.rstrip() for ln in unicodedata.normalize("NFC", text or "").splitlines()]
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    steps: list[str] = []
    labelled: dict[str, str] = {}
    for ln in lines:
        m = _LABELLED.match(ln)
        if m and m.group(2):
            labelled.setdefault(m.group(1), m.group(2))
    # the number: a labelled line, else a line near the top holding only a number
    number = find_doc_number(labelled.get("发文字号", "") or labelled.get("文号", ""))
    if number:
        steps.append(f"发文字号 {number}: labelled line")
    else:
        for i in filled[:6]:
            if _only_number(lines[i]):
                number = find_doc_number(lines[i])
                steps.append(f"发文字号 {number}: line {i + 1}")
                break
    # the title: the first non-empty line that is not only a number or a labelled line
    title, title_at = "", -1
    for i in filled:
        if not _only_number(lines[i]) and not _LABELLED.match(lines[i]):
            title, title_at = lines[i].strip(), i
            break
    # the signature block: the last date line near the end, the organisation lines just above it
    issuer, signed = "", None
    tail = [i for i in filled if i > title_at][-8:]
    for pos in range(len(tail) - 1, -1, -1):
        line = lines[tail[pos]].strip().strip("（）()")
        day = parse_date(line)
        if day and len(re.sub(r"\s", "", line)) <= 16:
            signed = day
            bodies = []
            for j in range(pos - 1, -1, -1):
                if _is_org(lines[tail[j]]):
                    bodies.insert(0, re.sub(r"\s+", " ", lines[tail[j]].strip()))
                else:
                    break
            issuer = " ".join(bodies)
            steps.append(f"signature block, line {tail[pos] + 1}: {issuer or '(no body)'} {day.isoformat()}")
            break
    issued_on = None
    for label in ("成文日期", "印发日期", "发文日期", "发布日期"):
        if labelled.get(label) and (issued_on := parse_date(labelled[label])):
            steps.append(f"{label} {issued_on.isoformat()}: labelled line")
            break
    issued_on = issued_on or signed
    for label in ("发文机关", "发布机关"):
        if not issuer and labelled.get(label):
            issuer = labelled[label]
            steps.append(f"{label} {issuer}: labelled line")
    if not issuer and number and (issuer := issuer_from_number(number)):
        steps.append(f"issuer {issuer}: prefix of {number}")
    effective_on = None
    body_text = "\n".join(lines[title_at + 1 :]).strip() if title_at >= 0 else ""
    m = _EFFECTIVE.search(body_text)
    if m and (effective_on := parse_date(m.group(1))):
        if issued_on and effective_on < issued_on:
            effective_on = None
        else:
            steps.append(f"effective {effective_on.isoformat()}: {m.group(0)}")
    values = {"title": title, "doc_number": number, "issuer": issuer, "issued_on": issued_on}
    missing = tuple(name for name, value in values.items() if not value)
    return Extracted(title, number, issuer, issued_on, effective_on, body_text, missing, tuple(steps))
