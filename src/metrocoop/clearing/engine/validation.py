"""Validation of one cross-city claim against the period's rules: the hot path of clearing ingest.

Pure engine: a `ClaimIn` and a `ValidationContext` in, ``None`` (post it) or a `RejectReason` out. The context
holds everything the rules need (member cities, open periods, authorisations, catalogues), built once per
batch by the service; membership is data with dates, so the caller passes the members of the period
(docs/references.md, "Membership"). The national hospital interface treats settle, cancel and
reversal as separate operations (docs/references.md, "Ledgers and clearing"); here a claim is only accepted or
rejected, and corrections are reversals in the ledger.

Order of checks (the first failure is the reason; the order is part of the contract):

1. ``unknown_city``: the insured or the service city is not a member.
2. ``same_city``: insured city = service city (not a cross-city claim).
3. ``period_not_open``: (year, month) of the service date is not an open period.
4. ``unknown_scheme``: the scheme is not one of the context's schemes. Checked here, where the scheme is
   first needed (authorisation and catalogue are per scheme), after the claim's place and time.
5. ``authorisation_missing``: the scheme needs prior authorisation (备案) and no window of the person for
   (insured city, service city, scheme) contains the service date (windows are inclusive; no end = open).
6. ``item_not_in_catalogue``: an item's code is not in the insured city's catalogue for the scheme, or the
   service date is outside that entry's validity (inclusive; no end = still valid).
7. ``amounts_inconsistent``: no items; an amount, quantity or price that is not an ``int`` (bools refused);
   a quantity ≤ 0 or a negative price; an item amount ≠ quantity × unit price; items not summing to the
   total; or a fund-payable amount outside 0 … total.

Speed: `validate_claim` allocates nothing but one (year, month) key and one authorisation key; keep it so
(the clearing target is 1,000,000 claims ingested, validated, posted and netted in ≤ 10 s on 2 cores,
docs/design.md "Targets"). `explain_claim` repeats the checks slowly with details, for rejected
claims only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "AUTHORISATION_SCHEMES",
    "SCHEMES",
    "ClaimIn",
    "ClaimItem",
    "ClaimVerdict",
    "RejectReason",
    "Scheme",
    "ValidationContext",
    "explain_claim",
    "validate_claim",
]


class Scheme(StrEnum):
    """The public services cleared across cities."""

    MEDICAL_INPATIENT = "medical_inpatient"
    MEDICAL_OUTPATIENT = "medical_outpatient"
    ELDERLY_CARE = "elderly_care"


SCHEMES: frozenset[str] = frozenset(Scheme)
#: Schemes that by default need prior authorisation (异地就医备案 for inpatient care, placement for elderly care).
AUTHORISATION_SCHEMES: frozenset[str] = frozenset({Scheme.MEDICAL_INPATIENT, Scheme.ELDERLY_CARE})

_MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_city": ("参保地或服务地不是成员城市", "The insured city or the service city is not a member city"),
    "same_city": ("参保地与服务地相同，不属于跨城结算", "The insured city and the service city are the same"),
    "period_not_open": ("服务日期不在开放的结算期内", "The service date is not in an open period"),
    "unknown_scheme": ("未知的结算类别", "Unknown scheme"),
    "authorisation_missing": (
        "缺少服务日期有效的异地备案（授权）",
        "No prior authorisation covers the service date",
    ),
    "item_not_in_catalogue": (
        "项目不在参保地目录内或不在有效期内",
        "An item is not in the insured city's catalogue on the service date",
    ),
    "amounts_inconsistent": (
        "金额不一致（明细与合计不符、基金支付超过合计或出现负数）",
        "Amounts are inconsistent (items and total differ, fund payable exceeds the total, or a value is negative)",
    ),
}


class RejectReason(StrEnum):
    """Why a claim was rejected; ``zh`` and ``en`` are the messages shown to people."""

    UNKNOWN_CITY = "unknown_city"
    SAME_CITY = "same_city"
    PERIOD_NOT_OPEN = "period_not_open"
    UNKNOWN_SCHEME = "unknown_scheme"
    AUTHORISATION_MISSING = "authorisation_missing"
    ITEM_NOT_IN_CATALOGUE = "item_not_in_catalogue"
    AMOUNTS_INCONSISTENT = "amounts_inconsistent"

    @property
    def zh(self) -> str:
        return _MESSAGES[self.value][0]

    @property
    def en(self) -> str:
        return _MESSAGES[self.value][1]

    def message(self, language: str) -> str:
        """The message in ``language`` (``zh``/``zh-hans`` → Chinese, anything else → English)."""
        return self.zh if language.lower().startswith("zh") else self.en


@dataclass(frozen=True, slots=True)
class ClaimItem:
    """One line of a claim: ``amount_fen`` must equal ``quantity × unit_price_fen``."""

    code: str
    quantity: int
    unit_price_fen: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class ClaimIn:
    """A claim as submitted. ``claim_id`` is the idempotency key; ``person_ref`` is a keyed hash (see pseudonym)."""

    claim_id: str
    scheme: str
    insured_city: str
    service_city: str
    provider: str
    person_ref: str
    service_date: date
    items: tuple[ClaimItem, ...]
    total_fen: int
    fund_payable_fen: int


Window = tuple[date, date | None]
AuthorisationKey = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """Everything the checks read, fixed for a batch.

    ``authorisations`` maps (person_ref, insured city, service city, scheme) to validity windows
    ``(valid_from, valid_until or None)``; ``catalogues`` maps (city, scheme) to {item code: window}.
    Collections are frozen on construction (so a context can be shared by threads and reused).
    """

    member_cities: frozenset[str]
    open_periods: frozenset[tuple[int, int]]
    authorisations: Mapping[AuthorisationKey, tuple[Window, ...]]
    catalogues: Mapping[tuple[str, str], Mapping[str, Window]]
    authorisation_schemes: frozenset[str] = AUTHORISATION_SCHEMES
    schemes: frozenset[str] = SCHEMES

    def __post_init__(self) -> None:
        def freeze(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        freeze("member_cities", frozenset(self.member_cities))
        freeze("open_periods", frozenset((int(y), int(m)) for y, m in self.open_periods))
        freeze("authorisation_schemes", frozenset(self.authorisation_schemes))
        freeze("schemes", frozenset(self.schemes))
        freeze("authorisations", {key: tuple(windows) for key, windows in self.authorisations.items()})
        freeze("catalogues", {key: dict(entries) for key, entries in self.catalogues.items()})


_EMPTY_CATALOGUE: Mapping[str, Window] = {}

_UNKNOWN_CITY = RejectReason.UNKNOWN_CITY
_SAME_CITY = RejectReason.SAME_CITY
_PERIOD_NOT_OPEN = RejectReason.PERIOD_NOT_OPEN
_UNKNOWN_SCHEME = RejectReason.UNKNOWN_SCHEME
_AUTHORISATION_MISSING = RejectReason.AUTHORISATION_MISSING
_ITEM_NOT_IN_CATALOGUE = RejectReason.ITEM_NOT_IN_CATALOGUE
_AMOUNTS_INCONSISTENT = RejectReason.AMOUNTS_INCONSISTENT


def validate_claim(claim: ClaimIn, ctx: ValidationContext) -> RejectReason | None:
    """``None`` if the claim may be posted, else the first failing check's reason (order in the module docstring)."""
    insured = claim.insured_city
    service = claim.service_city
    members = ctx.member_cities
    if insured not in members or service not in members:
        return _UNKNOWN_CITY
    if insured == service:
        return _SAME_CITY
    day = claim.service_date
    if (day.year, day.month) not in ctx.open_periods:
        return _PERIOD_NOT_OPEN
    scheme = claim.scheme
    if scheme not in ctx.schemes:
        return _UNKNOWN_SCHEME
    if scheme in ctx.authorisation_schemes:
        for start, end in ctx.authorisations.get((claim.person_ref, insured, service, scheme), ()):
            if start <= day and (end is None or day <= end):
                break
        else:
            return _AUTHORISATION_MISSING
    catalogue = ctx.catalogues.get((insured, scheme), _EMPTY_CATALOGUE)
    items = claim.items
    total = 0
    consistent = True
    for item in items:
        window = catalogue.get(item.code)
        if window is None or day < window[0] or (window[1] is not None and day > window[1]):
            return _ITEM_NOT_IN_CATALOGUE
        quantity = item.quantity
        price = item.unit_price_fen
        amount = item.amount_fen
        if (
            type(quantity) is not int
            or type(price) is not int
            or type(amount) is not int
            or quantity <= 0
            or price < 0
            or amount != quantity * price
        ):
            consistent = False
        else:
            total += amount
    claim_total = claim.total_fen
    payable = claim.fund_payable_fen
    if (
        not consistent
        or not items
        or type(claim_total) is not int
        or type(payable) is not int
        or total != claim_total
        or payable < 0
        or payable > claim_total
    ):
        return _AMOUNTS_INCONSISTENT
    return None


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    """A rejected claim's reason with a detail naming what failed, in Chinese and English."""

    reason: RejectReason
    detail_zh: str
    detail_en: str


def _in_window(day: date, window: Window) -> bool:
    start, end = window
    return start <= day and (end is None or day <= end)


def _amount_problems(claim: ClaimIn) -> Iterable[tuple[str, str]]:
    if not claim.items:
        yield "没有明细", "the claim has no items"
    for n, item in enumerate(claim.items, start=1):
        fields = (("quantity", item.quantity), ("unit_price_fen", item.unit_price_fen), ("amount_fen", item.amount_fen))
        wrong_type = [name for name, value in fields if type(value) is not int]
        if wrong_type:
            names = ", ".join(wrong_type)
            yield f"第{n}项（{item.code}）{names} 不是整数", f"item {n} ({item.code}): {names} not an integer"
            continue
        if item.quantity <= 0:
            yield f"第{n}项（{item.code}）数量须大于零", f"item {n} ({item.code}): quantity must be positive"
        if item.unit_price_fen < 0:
            yield f"第{n}项（{item.code}）单价为负", f"item {n} ({item.code}): negative unit price"
        if item.amount_fen != item.quantity * item.unit_price_fen:
            yield (
                f"第{n}项（{item.code}）金额 {item.amount_fen} ≠ {item.quantity} × {item.unit_price_fen}",
                f"item {n} ({item.code}): amount {item.amount_fen} ≠ {item.quantity} × {item.unit_price_fen}",
            )
    for name, value in (("total_fen", claim.total_fen), ("fund_payable_fen", claim.fund_payable_fen)):
        if type(value) is not int:
            yield f"{name} 不是整数", f"{name} is not an integer"
    if type(claim.total_fen) is not int or type(claim.fund_payable_fen) is not int:
        return
    items_total = sum(item.amount_fen for item in claim.items if type(item.amount_fen) is int)
    if items_total != claim.total_fen:
        yield (
            f"明细合计 {items_total} ≠ 合计 {claim.total_fen}",
            f"items sum to {items_total}, total is {claim.total_fen}",
        )
    if claim.fund_payable_fen < 0:
        yield "基金支付额为负", "fund-payable amount is negative"
    if claim.fund_payable_fen > claim.total_fen:
        yield (
            f"基金支付 {claim.fund_payable_fen} 超过合计 {claim.total_fen}",
            f"fund payable {claim.fund_payable_fen} exceeds the total {claim.total_fen}",
        )


def explain_claim(claim: ClaimIn, ctx: ValidationContext) -> ClaimVerdict | None:
    """The same checks as `validate_claim`, in the same order, with details; ``None`` if the claim is valid.

    Slow on purpose (builds strings): call it for rejected claims only. Always agrees with `validate_claim`.
    """
    reason = RejectReason
    insured, service, day, scheme = claim.insured_city, claim.service_city, claim.service_date, claim.scheme
    unknown = [city for city in (insured, service) if city not in ctx.member_cities]
    if unknown:
        cities = ", ".join(dict.fromkeys(unknown))
        return ClaimVerdict(reason.UNKNOWN_CITY, f"非成员城市：{cities}", f"not a member city: {cities}")
    if insured == service:
        return ClaimVerdict(reason.SAME_CITY, f"参保地与服务地均为 {insured}", f"both cities are {insured}")
    if (day.year, day.month) not in ctx.open_periods:
        return ClaimVerdict(
            reason.PERIOD_NOT_OPEN,
            f"{day.year}年{day.month}月 结算期未开放",
            f"period {day.year}-{day.month:02d} is not open",
        )
    if scheme not in ctx.schemes:
        return ClaimVerdict(reason.UNKNOWN_SCHEME, f"未知类别：{scheme}", f"unknown scheme: {scheme}")
    if scheme in ctx.authorisation_schemes:
        windows = ctx.authorisations.get((claim.person_ref, insured, service, scheme), ())
        if not any(_in_window(day, window) for window in windows):
            found = "有备案但不覆盖服务日期" if windows else "无备案"
            found_en = "authorisations exist but none covers the service date" if windows else "no authorisation"
            return ClaimVerdict(
                reason.AUTHORISATION_MISSING,
                f"{insured}→{service} {scheme}：{found}",
                f"{insured}→{service} {scheme}: {found_en}",
            )
    catalogue = ctx.catalogues.get((insured, scheme), _EMPTY_CATALOGUE)
    for n, item in enumerate(claim.items, start=1):
        window = catalogue.get(item.code)
        if window is None:
            return ClaimVerdict(
                reason.ITEM_NOT_IN_CATALOGUE,
                f"第{n}项 {item.code} 不在 {insured} 的 {scheme} 目录内",
                f"item {n} {item.code} is not in {insured}'s {scheme} catalogue",
            )
        if not _in_window(day, window):
            return ClaimVerdict(
                reason.ITEM_NOT_IN_CATALOGUE,
                f"第{n}项 {item.code} 在服务日期 {day.isoformat()} 不在目录有效期内",
                f"item {n} {item.code} is not valid in the catalogue on {day.isoformat()}",
            )
    problems = list(_amount_problems(claim))
    if problems:
        return ClaimVerdict(
            reason.AMOUNTS_INCONSISTENT, "；".join(zh for zh, _ in problems), "; ".join(en for _, en in problems)
        )
    return None
