"""The apps' list filters (each app's filtersets.py) answer a value that is not one with a 400 naming the parameter,
never a 500 and never a silently unfiltered list."""

import pytest

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    ("/api/council/items/", "year", "next"),
    ("/api/council/plans/", "status", "finished"),
    ("/api/council/resolutions/", "meeting", "abc"),
    ("/api/council/reports/", "quarter", "first"),
    ("/api/council/meetings/", "kind", "party"),
    ("/api/council/plan-articles/", "document", "999999"),
    ("/api/funds/rules/", "year", "last"),
    ("/api/funds/calls/", "fund", "abc"),
    ("/api/funds/notices/", "call", "abc"),
    ("/api/funds/projects/", "status", "dreamt"),
    ("/api/funds/reviews/", "project", "abc"),
    ("/api/funds/tranches/", "project", "abc"),
    ("/api/funds/cycles/", "status", "dreamt"),
    ("/api/funds/results/", "cycle", "abc"),
    ("/api/indicators/indicators/", "value_kind", "guess"),
    ("/api/indicators/observations/", "year", "recent"),
    ("/api/indicators/sector-values/", "sector", "fourth"),
    ("/api/indicators/commuting-flows/", "zone", "moon"),
    ("/api/policies/documents/", "in_force_on", "tomorrow"),
    ("/api/policies/relations/", "kind", "likes"),
    ("/api/policies/catalogue/", "stance", "indifferent"),
    ("/api/policies/proposals/", "status", "dreamt"),
    ("/api/policies/consultations/", "status", "dreamt"),
]


@pytest.mark.parametrize(("url", "parameter", "value"), BAD_VALUES)
def test_a_filter_value_that_is_not_one_is_a_400_naming_the_parameter(api, url, parameter, value):
    response = api("office").get(url, {parameter: value})
    assert response.status_code == 400
    assert parameter in response.json()["fields"]


def test_a_relation_is_filtered_by_its_code(reference):
    # coded_filterset: `?city=SZ` keeps the rows of the city whose code is SZ, whatever its id
    from metrocoop.core.filtersets import OrganisationFilter
    from metrocoop.core.models import Organisation

    rows = Organisation.objects.select_related("city")
    assert {o.city.code for o in rows if o.city_id} >= {"SZ", "SH"}  # the reference data has both
    kept = OrganisationFilter({"city": "SZ"}, queryset=rows).qs
    assert kept.exists() and {o.city.code for o in kept} == {"SZ"}
    assert not OrganisationFilter({"city": str(reference["SZ"].pk)}, queryset=rows).qs.exists()
