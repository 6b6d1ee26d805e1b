"""Metadata of plain policy texts (engine.extract): 发文字号, signature blocks, Chinese-numeral dates, and texts that
give none of them. Pure: no database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.policies.engine.extract import (
    chinese_number,
    extract_metadata,
    find_doc_number,
    issuer_from_number,
    parse_date,
)

NOTICE = """沪府办发〔2021〕5号

上海市人民政府办公厅关于印发《上海市促进人才发展若干措施》的通知

各区人民政府，市政府各委、办、局：
　　《上海市促进人才发展若干措施》已经市政府同意，现印发给你们，请认真按照执行。

上海市人民政府办公厅
二〇二一年三月五日
（此件公开发布）
"""

JOINT = """关于做好2022年度高层次人才认定工作的通知
苏人社发[2022]15号

各市、县（区）人力资源社会保障局、财政局：
　　根据《苏州市高层次人才认定办法》（苏人社规〔2019〕3号），现就有关事项通知如下。
　　一、本通知自2022年7月1日起施行。

苏州市人力资源和社会保障局　　苏州市财政局
2022年6月20日
"""

LABELLED = """宁波市异地就医直接结算经办规程
发文机关：宁波市医疗保障局
成文日期：二○二一年十二月三十一日

第一条　为规范异地就医直接结算经办服务，制定本规程。
"""

NOTHING = """关于进一步做好元荡湖岸线保护的通知

各有关单位：
　　请结合实际，认真抓好落实。对照《国务院关于加强河湖管理的意见》（国发〔2019〕8号）执行。
"""


@pytest.mark.parametrize(
    "text, title, number, issuer, issued, effective, missing",
    [
        (
            NOTICE,
            "上海市人民政府办公厅关于印发《上海市促进人才发展若干措施》的通知",
            "沪府办发〔2021〕5号",
            "上海市人民政府办公厅",
            date(2021, 3, 5),
            None,
            (),
        ),
        (
            JOINT,
            "关于做好2022年度高层次人才认定工作的通知",
            "苏人社发[2022]15号",  # the first number, not the one cited in the text
            "苏州市人力资源和社会保障局 苏州市财政局",
            date(2022, 6, 20),
            date(2022, 7, 1),
            (),
        ),
        (LABELLED, "宁波市异地就医直接结算经办规程", "", "宁波市医疗保障局", date(2021, 12, 31), None, ("doc_number",)),
        # a number cited in the body is not the document's own; no signature block: nothing to go on
        (NOTHING, "关于进一步做好元荡湖岸线保护的通知", "", "", None, None, ("doc_number", "issuer", "issued_on")),
        ("", "", "", "", None, None, ("title", "doc_number", "issuer", "issued_on")),
    ],
)
def test_extract_metadata(text, title, number, issuer, issued, effective, missing):
    found = extract_metadata(text)
    assert (found.title, found.doc_number, found.issuer) == (title, number, issuer)
    assert (found.issued_on, found.effective_on, found.missing) == (issued, effective, missing)
    assert bool(found.steps) == (issued is not None)  # where the values came from


def test_the_body_is_the_text_after_the_title():
    found = extract_metadata(NOTICE)
    assert found.body.startswith("各区人民政府") and "沪府办发" not in found.body
    assert extract_metadata(JOINT).body.startswith("苏人社发[2022]15号")  # the text as it came


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2021年3月5日", date(2021, 3, 5)),
        ("2021 年 03 月 05 日", date(2021, 3, 5)),
        ("２０２１年３月５日", date(2021, 3, 5)),
        ("2021-03-05", date(2021, 3, 5)),
        ("2021.3.5", date(2021, 3, 5)),
        ("二〇二一年三月五日", date(2021, 3, 5)),
        ("二○二一年十二月三十一日", date(2021, 12, 31)),
        ("二〇二〇年二月二十九日", date(2020, 2, 29)),
        ("二〇二一年十月十日", date(2021, 10, 10)),
        ("二〇二一年二月三十日", None),  # no such day
        ("2021年13月1日", None),
        ("第三十一条", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_chinese_numeral_dates_read_back(day):
    digits = "〇一二三四五六七八九"

    def numeral(n: int) -> str:
        tens, units = divmod(n, 10)
        return (digits[tens] if tens > 1 else "") + ("十" if tens else "") + (digits[units] if units else "")

    written = "".join(digits[int(c)] for c in str(day.year)) + f"年{numeral(day.month)}月{numeral(day.day)}日"
    assert parse_date(f"印发日期：{written}") == day


@pytest.mark.parametrize(
    "text, number",
    [
        ("沪府办发〔2021〕5号", "沪府办发〔2021〕5号"),
        ("苏政办发[2021]12号", "苏政办发[2021]12号"),
        ("甬医保发（2022）15号", "甬医保发（2022）15号"),
        ("浙环发(2022)8号", "浙环发(2022)8号"),
        ("示范区执委发【2021】第5号", "示范区执委发【2021】第5号"),
        ("沪府规 〔2023〕 12 号", "沪府规〔2023〕12号"),
        ("二〇二一年三月五日", ""),
    ],
)
def test_find_doc_number(text, number):
    assert find_doc_number(text) == number


def test_issuer_from_an_unambiguous_number_prefix_only():
    assert issuer_from_number("沪府办发〔2021〕5号") == "上海市人民政府办公厅"
    assert issuer_from_number("苏政办发[2021]12号") == "江苏省人民政府办公厅"  # the province
    assert issuer_from_number("苏府规〔2021〕2号") == "苏州市人民政府"  # the city
    assert issuer_from_number("苏人社发[2022]15号") == ""  # 苏: Jiangsu or Suzhou — not guessed


def test_chinese_number():
    assert [chinese_number(x) for x in ("一", "十", "十二", "二十", "三十一", "廿")] == [1, 10, 12, 20, 31, None]
