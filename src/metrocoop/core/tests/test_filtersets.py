"""The apps' list filters (each app's filtersets.py) answer a value that is not one with a 400 naming the parameter,
never a 500 and never a silently unfiltered list."""

import csv
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

# One row a list filter: the list, the parameter and a value that is not one of it.
with (Path(__file__).parent / "bad_filter_values.csv").open(encoding="utf-8") as fh:
    BAD_VALUES = [(row["url"], row["parameter"], row["value"]) for row in csv.DictReader(fh)]


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
