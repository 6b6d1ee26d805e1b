"""Demo accounts: one per role, password `metrocoop-demo` (refused by the server outside demo mode)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from metrocoop.core.choices import Domain, Role
from metrocoop.core.models import City, Organisation, RoleAssignment, User

DEMO_PASSWORD = "metrocoop-demo"
EXPERTS = "expert-committee"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    scope: str


def demo_account_specs() -> list[tuple[str, str, list[dict]]]:
    """(username, display name, role assignments) for every demo account; one liaison and one
    medical-insurance officer per member city, whatever the member list is."""
    specs: list[tuple[str, str, list[dict]]] = [
        ("office", "理事会办公室 Council Office", [{"role": Role.OFFICE, "organisation": "office"}]),
        ("auditor", "审计 Auditor", [{"role": Role.AUDITOR}]),
        ("expert", "专家 Expert", [{"role": Role.EXPERT, "organisation": "expert-committee"}]),
        # experts with a home city: they may not review projects their city applies for
        ("expert-sh", "上海专家 Expert (Shanghai)", [{"role": Role.EXPERT, "organisation": EXPERTS, "city": "SH"}]),
        ("expert-nb", "宁波专家 Expert (Ningbo)", [{"role": Role.EXPERT, "organisation": EXPERTS, "city": "NB"}]),
        ("researcher", "研究员 Researcher", [{"role": Role.RESEARCHER, "organisation": "research-society"}]),
        ("public", "公众 Public", [{"role": Role.PUBLIC}]),
    ]
    for city in City.objects.order_by("sort_order", "code"):
        code = city.code.lower()
        specs.append(
            (
                f"liaison-{code}",
                f"{city.name_zh}联络员 {city.name_en} liaison",
                [{"role": Role.LIAISON, "city": city.code, "organisation": f"gov-{code}"}],
            )
        )
        specs.append(
            (
                f"medical-{code}",
                f"{city.name_zh}医保局 {city.name_en} medical insurance",
                [
                    {
                        "role": Role.DEPARTMENT,
                        "city": city.code,
                        "domain": Domain.MEDICAL_INSURANCE,
                        "organisation": f"medical-insurance-{code}",
                    }
                ],
            )
        )
    return specs


@transaction.atomic
def load_demo_accounts() -> list[DemoAccount]:
    """Create (or reset) the demo accounts. Idempotent: a second run leaves the same accounts and roles."""
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 per account would take seconds
    cities = {c.code: c for c in City.objects.all()}
    orgs = {o.code: o for o in Organisation.objects.all()}
    accounts = []
    for username, display_name, assignments in demo_account_specs():
        user, _ = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
        user.display_name = display_name
        user.password = password_hash
        user.has_demo_password = True
        user.is_active = True
        user.save()
        wanted = set()
        for a in assignments:
            ra, _ = RoleAssignment.objects.get_or_create(
                user=user,
                role=a["role"],
                city=cities.get(a.get("city", "")),
                organisation=orgs.get(a.get("organisation", "")),
                domain=a.get("domain", ""),
            )
            wanted.add(ra.pk)
            scope = a.get("city") or a.get("organisation") or "region"
            accounts.append(DemoAccount(username, display_name, str(Role(a["role"]).label), scope))
        user.role_assignments.exclude(pk__in=wanted).delete()
    return accounts
