"""The industry catalogue page picks one industry through policies/filtersets.py: a code as people type it."""

import pytest
from django.urls import reverse

from metrocoop.policies.choices import CatalogueStance
from metrocoop.policies.models import IndustryCatalogueEntry

pytestmark = pytest.mark.django_db


def test_the_catalogue_page_shows_the_industry_typed_in_lower_case_with_spaces_across_the_cities(
    browser_client, reference
):
    IndustryCatalogueEntry.objects.create(
        industry_code="C3973", industry_name="集成电路", city=reference["SZ"], stance=CatalogueStance.ENCOURAGED
    )
    IndustryCatalogueEntry.objects.create(
        industry_code="C2720", industry_name="化学药品", city=reference["NT"], stance=CatalogueStance.RESTRICTED
    )
    page = browser_client(None).get(reverse("policies:catalogue"), {"industry": " c3973 "}).content.decode()
    across = page[page.index('data-testid="industry-across-cities"') : page.index('data-testid="catalogue-overview"')]
    assert 'value="C3973"' in page
    assert "鼓励" in across and "限制" not in across  # SZ's stance on C3973, not NT's on C2720
    plain = browser_client(None).get(reverse("policies:catalogue")).content.decode()
    assert 'data-testid="industry-across-cities"' not in plain and "C2720" in plain
