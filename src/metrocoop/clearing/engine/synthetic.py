"""A realistic synthetic claims stream for demos, tests and the benchmark (pure: no ORM, deterministic by seed).

Shape, not real data: people insured in one member city are treated in another, most often in Shanghai (the
paper's §二(三): medical resources concentrate in the core city); outpatient claims are the most frequent,
inpatient and elderly-care claims need a prior authorisation; amounts follow the insured city's catalogue
(item prices × quantity, fund-payable = total × the item's reimbursement ratio, rounded down to the fen).
A share of claims is made bad on purpose, one reason each, so the rejection paths are exercised.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from metrocoop.clearing.engine.pseudonym import person_ref

SCHEME_WEIGHTS = (("medical_outpatient", 70), ("medical_inpatient", 20), ("elderly_care", 10))
AUTHORISED = frozenset({"medical_inpatient", "elderly_care"})
PREFIX = {"medical_outpatient": "OP", "medical_inpatient": "IP", "elderly_care": "EC"}
ITEMS_PER_SCHEME = 40
BAD_KINDS = (
    "same_city", "unknown_city", "period_not_open", "authorisation_missing", "item_not_in_catalogue",
    "amounts_inconsistent",
)  # fmt: skip

ITEM_NAMES = {
    "OP": ("门诊诊查费", "Outpatient consultation"),
    "IP": ("住院床位与诊疗", "Inpatient bed and treatment"),
    "EC": ("机构养老护理", "Residential elderly care"),
}


@dataclass(frozen=True)
class CatalogueItem:
    city: str
    scheme: str
    item_code: str
    name_zh: str
    name_en: str
    unit_price_fen: int
    ratio_permille: int  # reimbursement ratio × 1000


@dataclass(frozen=True)
class SyntheticAuthorisation:
    person_ref: str
    insured_city: str
    service_city: str
    scheme: str
    valid_from: date
    valid_until: date


def synthetic_catalogue(cities: list[str], seed: int = 0) -> list[CatalogueItem]:
    """Per city and scheme 40 items, of which each city lacks a few (catalogue gaps) and prices differ by city."""
    rng = random.Random(f"catalogue:{seed}")
    base = {
        (scheme, n): (rng.randint(800, 60_000), rng.choice((500, 600, 700, 800, 850, 900)))
        for scheme in PREFIX
        for n in range(1, ITEMS_PER_SCHEME + 1)
    }
    items = []
    for city in sorted(cities):
        city_rng = random.Random(f"catalogue:{seed}:{city}")
        factor = city_rng.uniform(0.85, 1.25) if city != "SH" else 1.3
        for scheme, prefix in PREFIX.items():
            for n in range(1, ITEMS_PER_SCHEME + 1):
                if n > 30 and city_rng.random() < 0.25:
                    continue  # a catalogue gap: the item is not reimbursed in this city
                price, ratio = base[scheme, n]
                ratio = max(300, min(950, ratio + city_rng.choice((-100, -50, 0, 0, 0, 50))))
                zh, en = ITEM_NAMES[prefix]
                items.append(
                    CatalogueItem(
                        city, scheme, f"{prefix}-{n:03d}", f"{zh}{n:03d}", f"{en} {n:03d}", int(price * factor), ratio
                    )
                )
    return items


def _identity_number(rng: random.Random) -> str:
    """A synthetic 18-digit resident ID with a valid check character (region 310101 etc., born 1940–2005)."""
    from metrocoop.clearing.engine.pseudonym import resident_id_check_character

    region = rng.choice(("310101", "320501", "320201", "320401", "320601", "330201", "330401", "330501", "330901"))
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
    first = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first + resident_id_check_character(first)


@dataclass
class SyntheticStream:
    rows: list[tuple]
    authorisations: list[SyntheticAuthorisation]
    bad: dict[str, int]


def synthetic_claims(
    n: int,
    cities: list[str],
    months: list[tuple[int, int]],
    catalogue: list[CatalogueItem],
    *,
    key: bytes,
    seed: int = 0,
    bad_share: float = 0.03,
    persons: int | None = None,
    prefix: str = "C",
) -> SyntheticStream:
    """``n`` claims (rows in reader.COLUMNS order) over ``months``, with the authorisations they rely on."""
    rng = random.Random(f"claims:{seed}")
    cities = sorted(cities)
    weights = [6 if c == "SH" else (3 if c in ("SZ", "NB") else 2) for c in cities]
    service_weights = [12 if c == "SH" else (3 if c in ("SZ", "NB", "WX") else 1) for c in cities]
    persons = persons or max(50, n // 5)
    people = []
    for _ in range(persons):
        insured = rng.choices(cities, weights)[0]
        people.append((person_ref(_identity_number(rng), key), insured))
    by_city_scheme: dict[tuple[str, str], list[CatalogueItem]] = {}
    for item in catalogue:
        by_city_scheme.setdefault((item.city, item.scheme), []).append(item)
    first_day = date(*months[0], 1)
    last_month = months[-1]
    last_day = date(last_month[0] + (last_month[1] == 12), last_month[1] % 12 + 1, 1) - timedelta(days=1)
    span = (last_day - first_day).days + 1
    days = [(first_day + timedelta(days=i)).isoformat() for i in range(span)]
    outside = (first_day - timedelta(days=40)).isoformat()
    schemes = [s for s, _ in SCHEME_WEIGHTS]
    scheme_w = [w for _, w in SCHEME_WEIGHTS]
    authorisations: dict[tuple, SyntheticAuthorisation] = {}
    bad: dict[str, int] = {}
    rows = []
    randrange, random_ = rng.randrange, rng.random
    for i in range(n):
        person, insured = people[randrange(persons)]
        service = rng.choices(cities, service_weights)[0]
        if service == insured:
            service = cities[(cities.index(insured) + 1 + randrange(len(cities) - 1)) % len(cities)]
        scheme = rng.choices(schemes, scheme_w)[0]
        day = days[randrange(span)]
        options = by_city_scheme.get((insured, scheme), ())
        items, total, payable = [], 0, 0
        for _ in range(1 + randrange(3 if scheme == "medical_outpatient" else 4)):
            item = options[randrange(len(options))]
            qty = 1 + randrange(3)
            amount = qty * item.unit_price_fen
            items.append(f"{item.item_code}:{qty}:{item.unit_price_fen}:{amount}")
            total += amount
            payable += amount * item.ratio_permille // 1000
        kind = rng.choice(BAD_KINDS) if random_() < bad_share else ""
        if scheme in AUTHORISED and kind != "authorisation_missing":
            key_ = (person, insured, service, scheme)
            if key_ not in authorisations:
                authorisations[key_] = SyntheticAuthorisation(person, insured, service, scheme, first_day, last_day)
        if kind == "authorisation_missing" and scheme not in AUTHORISED:
            kind = "item_not_in_catalogue"
        if kind == "authorisation_missing" and (person, insured, service, scheme) in authorisations:
            kind = "amounts_inconsistent"
        if kind == "same_city":
            service = insured
        elif kind == "unknown_city":
            insured = "XX"
        elif kind == "period_not_open":
            day = outside
        elif kind == "item_not_in_catalogue":
            items.append("ZZ-999:1:100:100")
            total += 100
        elif kind == "amounts_inconsistent":
            total += 1
        if kind:
            bad[kind] = bad.get(kind, 0) + 1
        rows.append(
            (f"{prefix}{seed}-{i:08d}", scheme, insured, service, f"H{service}{randrange(40):03d}", person, day,
             ";".join(items), total, min(payable, total))
        )  # fmt: skip
    return SyntheticStream(rows=rows, authorisations=list(authorisations.values()), bad=bad)
