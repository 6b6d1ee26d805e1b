"""GB 32100-2015 check characters on published codes, and every kind of invalid code."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.investment.creditcode import CHARSET, check_character, organisation_check, validate

PUBLISHED = [
    "91350100M000100Y43",  # the standard's own example
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000710926094P",  # 中国石油化工股份有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]


def test_the_weights_are_powers_of_three_mod_31():
    from metrocoop.investment.creditcode import WEIGHTS

    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert not set("IOSVZ") & set(CHARSET) and len(CHARSET) == 31


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    result = validate(code)
    assert result.valid and result.reason is None and result.warning is None


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("91350100M000100Y4", "length 17"),
        ("91350100M000100Y433", "length 19"),
        ("", "length 0"),
        ("91350100M000100Y44", "expected 3"),
        ("91350100I000100Y43", "'I'"),
        ("91350100O000100Y43", "'O'"),
        ("9135010SM000100Y43", "'S'"),
        ("91350100V000100Y43", "'V'"),
        ("91350100Z000100Y43", "'Z'"),
        ("91350100m000100y43", "'m'"),
        ("91350100M00010-Y43", "'-'"),
    ],
)
def test_invalid_codes_say_why(code, words):
    result = validate(code)
    assert not result.valid
    assert words in result.reason and "/" in result.reason  # English and Chinese


def test_a_failing_organisation_code_is_only_a_warning():
    body = "12345678"
    wrong = "0" if organisation_check(body) != "0" else "1"
    first17 = "91310000" + body + wrong
    code = first17 + check_character(first17)
    result = validate(code)
    assert result.valid and result.reason is None
    assert "GB 11714" in result.warning


@given(st.sampled_from(PUBLISHED), st.integers(0, 16), st.sampled_from(list(CHARSET)))
def test_every_single_character_change_is_caught(code, position, char):
    changed = code[:position] + char + code[position + 1 :]
    assert validate(changed).valid is (changed == code)
