"""The clearing house's access decisions taken outside the policy registry's filters: who submits for which city
(`submitter_scope`) and who sees person references (`can_see_person`), both in clearing/policies.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from metrocoop.clearing import policies, services
from metrocoop.clearing.policies import can_see_person, submitter_scope
from metrocoop.clearing.setup import ensure_schemes


def _fresh(user):
    """The same account as a new request would load it."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_bureau_sees_the_person_references_of_its_own_insured_city_only(demo_users, reference):
    sz = reference["SZ"]
    bureau = demo_users["medical-sz"]
    assert can_see_person(bureau, sz.code)
    assert not can_see_person(bureau, reference["WX"].code)
    # the office aggregates; it sees no person, and neither does an anonymous caller
    assert not can_see_person(demo_users["office"], sz.code)
    assert not can_see_person(None, sz.code)


@pytest.mark.django_db
def test_can_see_person_reads_once_per_request_and_keeps_nothing_between_requests(
    demo_users, reference, django_assert_num_queries
):
    sz = reference["SZ"]
    bureau = _fresh(demo_users["medical-sz"])
    assert can_see_person(bureau, sz.code)
    # a page of rows costs no further query for the same request's user
    with django_assert_num_queries(0):
        assert all(can_see_person(bureau, sz.code) for _ in range(50))
    # nothing is kept in the process: no module-level cache of city codes is left in services or policies
    assert not hasattr(services, "_CODE_CACHE") and not hasattr(policies, "_CODE_CACHE")
    # a city whose code changed is seen under its new code by the next request (an unbounded process-wide cache
    # of id → code answered the old code for ever)
    type(sz).objects.filter(pk=sz.pk).update(code="SZX")
    next_request = _fresh(demo_users["medical-sz"])
    assert can_see_person(next_request, "SZX")
    assert not can_see_person(next_request, sz.code)


@pytest.mark.django_db
def test_submitter_scope_is_the_office_region_wide_or_a_bureau_for_its_own_city(demo_users, reference):
    ensure_schemes()
    office = submitter_scope(demo_users["office"])
    assert office.city is None and office.schemes is None
    bureau = submitter_scope(demo_users["medical-sz"])
    assert bureau.city_code == reference["SZ"].code
    assert bureau.schemes == {"medical_inpatient", "medical_outpatient"}
    for name in ("liaison-sz", "auditor", "public"):
        with pytest.raises(PermissionDenied):
            submitter_scope(demo_users[name])
