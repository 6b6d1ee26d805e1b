"""Reference data every installation holds: provinces, member cities and the bodies of the mechanism.

Loaded from the CSV files in core/data (membership is data with dates: a city that joins is a new row with its
`joined_on`). Loading is idempotent: running it again changes nothing that is already right, and it never
overwrites a profile a city has edited.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from metrocoop.core.choices import Domain, OrganisationKind
from metrocoop.core.models import City, Organisation, Province

DATA = Path(__file__).resolve().parent / "data"

DEPARTMENTS = (
    (Domain.DEVELOPMENT, "发展和改革委员会", "Development and Reform Commission"),
    (Domain.MEDICAL_INSURANCE, "医疗保障局", "Medical Insurance Bureau"),
    (Domain.CIVIL_AFFAIRS, "民政局", "Civil Affairs Bureau"),
    (Domain.ECOLOGY, "生态环境局", "Ecology and Environment Bureau"),
)

MECHANISM_BODIES = (
    (
        "council",
        OrganisationKind.COUNCIL,
        "上海大都市圈发展理事会",
        "Shanghai Metropolitan Area Development Council",
        None,
    ),
    ("office", OrganisationKind.OFFICE, "理事会办公室", "Council Office", "council"),
    (
        "expert-committee",
        OrganisationKind.EXPERT_COMMITTEE,
        "上海大都市圈专家咨询委员会",
        "Expert Advisory Committee",
        "council",
    ),
    (
        "research-society",
        OrganisationKind.RESEARCH_SOCIETY,
        "上海大都市圈合作研究会",
        "Shanghai Metropolitan Area Cooperation Research Society",
        None,
    ),
)


@dataclass(frozen=True)
class LoadReport:
    provinces: int
    cities: int
    organisations: int


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


@transaction.atomic
def load_reference_data() -> LoadReport:
    provinces = {}
    for row in _read("provinces.csv"):
        provinces[row["code"]], _ = Province.objects.update_or_create(
            code=row["code"],
            defaults={"name_zh": row["name_zh"], "name_en": row["name_en"], "sort_order": int(row["sort_order"])},
        )
    cities = []
    for row in _read("cities.csv"):
        city, created = City.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "province": provinces[row["province"]],
                "latitude": Decimal(row["latitude"]),
                "longitude": Decimal(row["longitude"]),
                "joined_on": _date(row["joined_on"]),
                "left_on": _date(row["left_on"]),
                "sort_order": int(row["sort_order"]),
            },
        )
        if created or not city.positioning:
            City.objects.filter(pk=city.pk, positioning="").update(positioning=row["positioning"])
        cities.append(city)
    orgs = {}
    for code, kind, name_zh, name_en, parent in MECHANISM_BODIES:
        orgs[code], _ = Organisation.objects.update_or_create(
            code=code,
            defaults={"kind": kind, "name_zh": name_zh, "name_en": name_en, "parent": orgs.get(parent)},
        )
    for city in cities:
        gov, _ = Organisation.objects.update_or_create(
            code=f"gov-{city.code.lower()}",
            defaults={
                "kind": OrganisationKind.CITY_GOVERNMENT,
                "city": city,
                "name_zh": f"{city.name_zh}市人民政府",
                "name_en": f"{city.name_en} Municipal Government",
            },
        )
        for domain, name_zh, name_en in DEPARTMENTS:
            Organisation.objects.update_or_create(
                code=f"{domain.replace('_', '-')}-{city.code.lower()}",
                defaults={
                    "kind": OrganisationKind.DEPARTMENT,
                    "city": city,
                    "parent": gov,
                    "domain": domain,
                    "name_zh": f"{city.name_zh}市{name_zh}",
                    "name_en": f"{city.name_en} {name_en}",
                },
            )
    return LoadReport(Province.objects.count(), City.objects.count(), Organisation.objects.count())
