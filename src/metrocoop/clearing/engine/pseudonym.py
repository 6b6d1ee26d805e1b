"""Pseudonymisation of patients at the door, and the check digit of the 18-digit resident identity number.

Only a keyed hash of the identity number is stored, never the number (docs/design.md, "Data and
storage"). The hash is HMAC-SHA256 (RFC 2104) under a secret key kept outside the database: without the key
the 10¹⁷-odd possible numbers cannot be hashed one by one to find a person, which a plain SHA-256 would
allow. The same person gets the same reference in every city, so authorisations and claims can be matched.

The resident identity number (公民身份号码, GB 11643-1999) has 17 digits (6 region, 8 birth date YYYYMMDD,
3 sequence) and a check character computed with ISO 7064 MOD 11-2: weights Wᵢ = 2^(17−i) mod 11 for the
positions i = 1…17, S = Σ aᵢ·Wᵢ, check = (12 − S mod 11) mod 11, written "X" when it is 10.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from datetime import date

__all__ = [
    "MIN_KEY_BYTES",
    "PERSON_REF_LENGTH",
    "InvalidIdentityNumber",
    "is_valid_resident_id",
    "normalise_identity_number",
    "person_ref",
    "resident_id_check_character",
    "validate_resident_id",
]

#: Keys shorter than this are refused: a short key is guessable and then so is every reference.
MIN_KEY_BYTES = 16
#: Characters of a reference: base32 of the first 20 bytes (160 bits) of the HMAC, lower case.
PERSON_REF_LENGTH = 32

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
_CHECK_CHARACTERS = "10X98765432"  # indexed by S mod 11
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_WHITESPACE = re.compile(r"\s+")


class InvalidIdentityNumber(ValueError):
    """An identity number that is malformed; the message says what is wrong (never repeats the number)."""


def normalise_identity_number(identity_number: str) -> str:
    """The canonical text of an identity number: NFKC, whitespace removed, upper case.

    NFKC turns full-width digits and "Ｘ" (common in spreadsheets typed with a Chinese input method) into
    ASCII; upper-casing makes a final "x" of a resident ID an "X". Different spellings of one number must
    give one reference, or a person's authorisation would not match their claims.
    """
    if not isinstance(identity_number, str):
        raise TypeError(f"identity number must be a string, got {type(identity_number).__name__}")
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", identity_number)).upper()


def person_ref(identity_number: str, key: bytes) -> str:
    """Keyed pseudonym of a person: base32 (lower case, 32 characters) of HMAC-SHA256(key, normalised number).

    Raises ``ValueError`` for an empty number or a key shorter than `MIN_KEY_BYTES`. Validate the number
    with `validate_resident_id` first when it is meant to be a resident ID; other documents (passports,
    permits) are hashed as they are after normalisation.
    """
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the pseudonymisation key must be at least {MIN_KEY_BYTES} bytes")
    normalised = normalise_identity_number(identity_number)
    if not normalised:
        raise ValueError("identity number is empty")
    digest = hmac.new(bytes(key), normalised.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode("ascii").lower()


def resident_id_check_character(first_17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ("0"–"9" or "X") for the first 17 digits of a resident ID."""
    if len(first_17) != 17 or not first_17.isascii() or not first_17.isdigit():
        raise InvalidIdentityNumber("a resident ID needs exactly 17 digits before the check character")
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def validate_resident_id(identity_number: str, *, check_birth_date: bool = True) -> str:
    """Return the normalised 18-character resident ID or raise `InvalidIdentityNumber` saying why.

    Checks the shape (17 digits and a digit or X), the check character, and (unless turned off) that
    characters 7–14 are a real calendar date not before 1800-01-01.
    """
    number = normalise_identity_number(identity_number)
    if len(number) != 18:
        raise InvalidIdentityNumber(f"a resident ID has 18 characters, this one has {len(number)}")
    if not _RESIDENT_ID.fullmatch(number):
        raise InvalidIdentityNumber("a resident ID is 17 digits followed by a digit or X")
    expected = resident_id_check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdentityNumber("the check character does not match (ISO 7064 MOD 11-2)")
    if check_birth_date:
        try:
            born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            raise InvalidIdentityNumber("characters 7–14 are not a valid birth date") from None
        if born.year < 1800:
            raise InvalidIdentityNumber("the birth year is before 1800")
    return number


def is_valid_resident_id(identity_number: str, *, check_birth_date: bool = True) -> bool:
    """True if `validate_resident_id` accepts the number."""
    try:
        validate_resident_id(identity_number, check_birth_date=check_birth_date)
    except (InvalidIdentityNumber, TypeError):
        return False
    return True
