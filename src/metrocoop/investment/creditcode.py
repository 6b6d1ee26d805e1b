"""The unified social credit code (统一社会信用代码, GB 32100-2015): a pure validator.

18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (the digits and the upper-case letters without I, O, S, V,
Z), valued 0..30 in that order. Position 18 is the check character over positions 1–17 with weights
3^(i−1) mod 31 = 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28:
check value = (31 − Σ value·weight mod 31) mod 31, written with the same character set.

Positions 9–17 embed the organisation code (GB 11714: eight body characters and a mod-11 check, weights
3, 7, 9, 10, 5, 8, 4, 2; 10 written X, 11 written 0). Codes in circulation do not all satisfy it, so a failure is
only a warning, never a reason to refuse the code.

Checked against published codes, e.g. 91350100M000100Y43, 914403001922038216, 9144030071526726XG,
91330100799655058B (tests/test_creditcode.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class CreditCodeCheck:
    code: str
    valid: bool
    reason: str | None  # None when valid; English / Chinese
    warning: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (all from CHARSET)."""
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def organisation_check(body8: str) -> str | None:
    """The GB 11714 check character of an 8-character organisation-code body, or None if it has other characters."""
    total = 0
    for c, w in zip(body8, ORG_WEIGHTS, strict=True):
        if c.isdigit():
            v = int(c)
        elif "A" <= c <= "Z":
            v = ord(c) - ord("A") + 10
        else:
            return None
        total += v * w
    r = 11 - total % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def validate(code: str) -> CreditCodeCheck:
    """Check one code as given (surrounding spaces are ignored; lower case is not accepted as the standard's)."""
    raw = code if isinstance(code, str) else str(code)
    c = raw.strip()
    if len(c) != 18:
        return CreditCodeCheck(raw, False, f"length {len(c)}, must be 18 / 长度为 {len(c)}，应为 18 位")
    bad = sorted({ch for ch in c if ch not in VALUES})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        return CreditCodeCheck(
            raw, False, f"characters not in the code's set: {shown} / 含有代码字符集以外的字符：{shown}"
        )
    expected = check_character(c[:17])
    if c[17] != expected:
        return CreditCodeCheck(
            raw, False, f"check character {c[17]}, expected {expected} / 校验码为 {c[17]}，应为 {expected}"
        )
    warning = None
    org_expected = organisation_check(c[8:16])
    if org_expected != c[16]:
        warning = (
            f"embedded organisation code {c[8:17]} fails its GB 11714 check (expected {org_expected}) / "
            f"内含组织机构代码 {c[8:17]} 未通过 GB 11714 校验（应为 {org_expected}）"
        )
    return CreditCodeCheck(raw, True, None, warning)
