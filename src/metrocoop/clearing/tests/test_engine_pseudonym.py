"""Tests of person references (HMAC-SHA256) and the resident-ID check character (ISO 7064 MOD 11-2)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.clearing.engine.pseudonym import (
    PERSON_REF_LENGTH,
    InvalidIdentityNumber,
    is_valid_resident_id,
    normalise_identity_number,
    person_ref,
    resident_id_check_character,
    validate_resident_id,
)

KEY = b"k" * 32
# The example numbers of GB 11643-1999.
EXAMPLES = ("11010519491231002X", "440524188001010014")


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    region = draw(st.integers(110000, 659999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)))
    sequence = draw(st.integers(0, 999))
    first_17 = f"{region:06d}{born:%Y%m%d}{sequence:03d}"
    return first_17 + resident_id_check_character(first_17)


@pytest.mark.parametrize("number", EXAMPLES)
def test_standard_examples_are_valid(number: str) -> None:
    assert validate_resident_id(number) == number
    assert is_valid_resident_id(number)


def test_check_character_follows_iso_7064_mod_11_2() -> None:
    # S = Σ aᵢ·Wᵢ = 167 for 11010519491231002; 167 mod 11 = 2 → "X"
    assert resident_id_check_character("11010519491231002") == "X"
    assert resident_id_check_character("44052418800101001") == "4"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("11010519491231002", "18 characters"),
        ("1101051949123100211", "18 characters"),
        ("11010519491231002Y", "digit or X"),
        ("X1010519491231002X", "digit or X"),
        ("110105194912310021", "check character"),
        ("110105194913310021", "birth date"),  # month 13, correct check character
    ],
)
def test_malformed_numbers_are_refused_with_a_reason(number: str, message: str) -> None:
    with pytest.raises(InvalidIdentityNumber, match=message) as raised:
        validate_resident_id(number)
    assert number not in str(raised.value)
    assert not is_valid_resident_id(number)


def test_birth_date_check_can_be_turned_off() -> None:
    first_17 = "11010519491331002"
    number = first_17 + resident_id_check_character(first_17)
    assert not is_valid_resident_id(number)
    assert is_valid_resident_id(number, check_birth_date=False)


@given(resident_ids(), st.data())
def test_any_single_digit_error_is_detected(number: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, 16))
    digit = data.draw(st.sampled_from([d for d in string.digits if d != number[position]]))
    changed = number[:position] + digit + number[position + 1 :]
    assert is_valid_resident_id(number)
    assert not is_valid_resident_id(changed, check_birth_date=False)


@given(resident_ids(), st.integers(0, 16))
def test_any_adjacent_transposition_is_detected(number: str, position: int) -> None:
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    if swapped != number:
        assert not is_valid_resident_id(swapped, check_birth_date=False)


@pytest.mark.parametrize(
    "spelling",
    ["11010519491231002x", " 11010519491231002X ", "110105 19491231 002X", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_spellings_of_one_number_normalise_to_one_reference(spelling: str) -> None:
    assert normalise_identity_number(spelling) == "11010519491231002X"
    assert validate_resident_id(spelling) == "11010519491231002X"
    assert person_ref(spelling, KEY) == person_ref("11010519491231002X", KEY)


def test_person_ref_is_truncated_base32_of_hmac_sha256() -> None:
    digest = hmac.new(KEY, b"11010519491231002X", hashlib.sha256).digest()
    expected = base64.b32encode(digest[:20]).decode().lower()
    ref = person_ref("11010519491231002X", KEY)
    assert ref == expected
    assert len(ref) == PERSON_REF_LENGTH == 32
    assert set(ref) <= set("abcdefghijklmnopqrstuvwxyz234567")


@given(resident_ids(), resident_ids())
def test_references_depend_on_number_and_key_and_never_contain_the_number(a: str, b: str) -> None:
    ref = person_ref(a, KEY)
    assert a not in ref
    assert ref != person_ref(a, b"other key, 16+ bytes long")
    assert (ref == person_ref(b, KEY)) == (a == b)


@pytest.mark.parametrize(("number", "key"), [("", KEY), ("   ", KEY), ("11010519491231002X", b"short")])
def test_empty_numbers_and_short_keys_are_refused(number: str, key: bytes) -> None:
    with pytest.raises(ValueError):
        person_ref(number, key)
