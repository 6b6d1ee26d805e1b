"""Relations and validity rules, scope of writes, curation."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrocoop.core.testing import snapshot
from metrocoop.policies import services
from metrocoop.policies.models import CurationProposal, PolicyDocument, PolicyRelation, ValidityChange
from metrocoop.policies.tests.factories import make_document, office

pytestmark = pytest.mark.django_db


def test_recording_a_repeal_makes_the_target_repealed_from_that_date(reference):
    # given an old and a new rule
    old = make_document("SZ", title="苏州市人才认定办法（试行）")
    new = make_document("SZ", title="苏州市人才认定办法")
    # when the new one repeals the old one
    services.do_record_relation(new, old, "repeals", effective_on=date(2024, 3, 1), actor=office())
    # then the old one is 已废止 since that date, no longer in force afterwards, with its history
    old.refresh_from_db()
    assert old.validity == "repealed"
    assert old.validity_since == date(2024, 3, 1) and old.valid_until == date(2024, 3, 1)
    assert old.in_force_on(date(2024, 2, 29)) and not old.in_force_on(date(2024, 3, 1))
    assert list(PolicyDocument.objects.in_force_on(date(2024, 3, 2)).filter(pk__in=[old.pk, new.pk])) == [new]
    assert list(old.validity_changes.values_list("validity", flat=True)) == ["in_force", "repealed"]
    assert ValidityChange.objects.get(document=old, validity="repealed").relation.kind == "repeals"


def test_relation_is_seen_from_both_ends(reference):
    a, b = make_document("SZ"), make_document("SZ")
    services.do_record_relation(a, b, "implements", actor=office())
    assert [r.target for r in a.outgoing_relations.all()] == [b]
    assert [r.source for r in b.incoming_relations.all()] == [a]


def test_the_same_relation_twice_does_no_harm(reference):
    a, b = make_document("SZ"), make_document("SZ")
    first = services.do_record_relation(a, b, "cites", actor=office())
    assert services.do_record_relation(a, b, "cites", actor=office()) == first
    assert PolicyRelation.objects.filter(source=a, target=b).count() == 1


def test_amendment_is_recorded_and_marks_the_target_amended(reference):
    a, b = make_document("SZ"), make_document("SZ")
    services.do_record_relation(a, b, "amends", effective_on=date(2024, 5, 1), actor=office())
    b.refresh_from_db()
    assert b.validity == "amended" and b.valid_until is None


def test_a_cycle_of_amendments_is_refused_and_nothing_changes(reference):
    # given a amends b amends c
    a, b, c = make_document("SZ"), make_document("SZ"), make_document("SZ")
    services.do_record_relation(a, b, "amends", actor=office())
    services.do_record_relation(b, c, "amends", actor=office())
    before_rel, before_doc = snapshot(PolicyRelation), snapshot(PolicyDocument)
    # when c is said to amend a
    with pytest.raises(ValidationError) as err:
        services.do_record_relation(c, a, "amends", actor=office())
    # then the error names the cycle and nothing changed
    assert "→" in str(err.value)
    assert snapshot(PolicyRelation) == before_rel and snapshot(PolicyDocument) == before_doc


def test_a_document_cannot_relate_to_itself(reference):
    a = make_document("SZ")
    with pytest.raises(ValidationError):
        services.do_record_relation(a, a, "cites", actor=office())


def test_liaison_adds_only_its_own_citys_documents(reference, demo_users):
    sz = demo_users["liaison-sz"]
    doc = make_document("SZ", actor=sz)
    assert doc.created_by == sz
    before = snapshot(PolicyDocument)
    with pytest.raises(PermissionDenied):
        make_document("WX", actor=sz)
    with pytest.raises(PermissionDenied):
        make_document(None, actor=sz)  # regional documents are the office's
    assert snapshot(PolicyDocument) == before


def test_liaison_cannot_move_a_document_into_another_city(reference, demo_users):
    doc = make_document("SZ")
    before = snapshot(PolicyDocument)
    with pytest.raises(PermissionDenied):
        services.do_update_document(doc, {"city": "WX"}, actor=demo_users["liaison-sz"])
    with pytest.raises(PermissionDenied):
        services.do_update_document(doc, {"title": "改"}, actor=demo_users["liaison-wx"])
    assert snapshot(PolicyDocument) == before


def test_liaison_cannot_repeal_another_citys_document(reference, demo_users):
    mine, theirs = make_document("SZ"), make_document("WX")
    before = snapshot(PolicyDocument)
    with pytest.raises(PermissionDenied):
        services.do_record_relation(mine, theirs, "repeals", actor=demo_users["liaison-sz"])
    assert snapshot(PolicyDocument) == before and not PolicyRelation.objects.filter(source=mine).exists()


def test_bad_input_is_refused_with_the_field_named(reference):
    with pytest.raises(ValidationError) as err:
        make_document("SZ", issued_on="2024-05-01", effective_on="2024-01-01")
    assert err.value.message_dict
    with pytest.raises(ValidationError) as err:
        make_document("SZ", domains=["astrology"])
    assert "domains" in err.value.message_dict


def test_doc_number_is_normalised_for_lookup(reference):
    doc = make_document("SZ", doc_number="苏人社规[2024]7号")
    assert doc.doc_number_norm == "苏人社规(2024)7号"


def test_editing_text_updates_the_index_in_the_same_transaction(reference):
    from metrocoop.policies.search import search

    doc = make_document("SZ")
    assert search("排污许可", user=None).total == 0
    services.do_update_document(doc, {"text": "第一条　规范排污许可证核发。"}, actor=office())
    assert [h.document for h in search("排污许可", user=None).hits] == [doc]
    services.do_delete_document(doc, actor=office())
    assert search("排污许可", user=None).total == 0


def test_anyone_signed_in_proposes_and_an_expert_decides(reference, demo_users):
    doc = make_document("SZ")
    proposal = services.do_propose(
        "correction", document=doc, payload={"title": "更正后的标题"}, actor=demo_users["public"]
    )
    # a liaison or the proposer cannot decide
    for username in ("liaison-sz", "public", "researcher"):
        before = snapshot(CurationProposal)
        with pytest.raises(PermissionDenied):
            services.do_decide_proposal(proposal, True, actor=demo_users[username])
        assert snapshot(CurationProposal) == before
    services.do_decide_proposal(proposal, True, actor=demo_users["expert"])
    doc.refresh_from_db()
    assert doc.title == "更正后的标题"
    with pytest.raises(ValidationError):  # decided once
        services.do_decide_proposal(proposal, False, note="重复", actor=demo_users["expert"])


def test_declining_needs_a_reason(reference, demo_users):
    proposal = services.do_propose(
        "new_document",
        payload={"title": "新文件", "issuer": "某局", "level": "regional", "kind": "notice", "issued_on": "2024-01-01"},
        actor=demo_users["researcher"],
    )
    with pytest.raises(ValidationError):
        services.do_decide_proposal(proposal, False, actor=demo_users["expert"])
    services.do_decide_proposal(proposal, True, actor=demo_users["expert"])
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.document.title == "新文件"
