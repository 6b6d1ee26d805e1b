"""Consultations: a city circulates a draft, others comment per clause, the author answers, the outcome closes it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from metrocoop.core.models import Notification
from metrocoop.core.testing import ModelAPITestCases, snapshot
from metrocoop.policies import services
from metrocoop.policies.models import Consultation, ConsultationComment

pytestmark = pytest.mark.django_db


def _open(reference, demo_users, days=10):
    return services.do_open_consultation(
        "苏州市人才互认细则（征求意见稿）",
        reference["SZ"],
        ["第一条内容", "第二条内容"],
        timezone.localdate() + timedelta(days=days),
        domain="talent",
        actor=demo_users["liaison-sz"],
    )


def test_the_consultation_cycle(reference, demo_users, django_capture_on_commit_callbacks):
    # given 苏州 circulates a draft (the other cities' liaisons and the experts are notified)
    with django_capture_on_commit_callbacks(execute=True):
        c = _open(reference, demo_users)
    notified = set(
        Notification.objects.filter(kind="policies.consultation").values_list("recipient__username", flat=True)
    )
    assert "liaison-sh" in notified and "expert" in notified and "liaison-sz" not in notified
    clause1, clause2 = c.clauses.all()
    # when 上海 and an expert comment on clauses
    a = services.do_comment_clause(clause1, "建议放宽", actor=demo_users["liaison-sh"])
    b = services.do_comment_clause(clause2, "建议细化", actor=demo_users["expert"])
    assert a.author_city.code == "SH" and b.author_city is None
    # then only 苏州 answers; closing waits for every answer
    with pytest.raises(PermissionDenied):
        services.do_answer_comment(a, "adopted", "", actor=demo_users["liaison-sh"])
    services.do_answer_comment(a, "adopted", "已采纳", actor=demo_users["liaison-sz"])
    with pytest.raises(ValidationError):
        services.do_close_consultation(c, "修改了第一条", actor=demo_users["liaison-sz"])
    with pytest.raises(ValidationError):  # declining needs a reason
        services.do_answer_comment(b, "declined", "", actor=demo_users["liaison-sz"])
    services.do_answer_comment(b, "declined", "与上位法不一致", actor=demo_users["liaison-sz"])
    c = services.do_close_consultation(c, "采纳1条，不采纳1条", actor=demo_users["liaison-sz"])
    assert c.status == "closed"
    with pytest.raises(ValidationError):  # closed: no more comments
        services.do_comment_clause(clause1, "迟到的意见", actor=demo_users["liaison-wx"])


def test_comments_after_the_deadline_are_refused(reference, demo_users):
    c = _open(reference, demo_users, days=0)
    Consultation.objects.filter(pk=c.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    c.refresh_from_db()
    before = snapshot(ConsultationComment)
    with pytest.raises(ValidationError):
        services.do_comment_clause(c.clauses.first(), "意见", actor=demo_users["liaison-sh"])
    assert snapshot(ConsultationComment) == before


def test_a_liaison_circulates_only_its_own_citys_drafts(reference, demo_users):
    before = snapshot(Consultation)
    with pytest.raises(PermissionDenied):
        services.do_open_consultation("x", reference["WX"], ["a"], timezone.localdate(), actor=demo_users["liaison-sz"])
    assert snapshot(Consultation) == before


def test_consultation_pages(reference, demo_users, browser_client):
    c = _open(reference, demo_users)
    sh = browser_client("liaison-sh")
    sh.post(reverse("policies:consultation_comment", args=[c.pk, 1]), {"text": "页面意见"})
    comment = ConsultationComment.objects.get()
    sz = browser_client("liaison-sz")
    sz.post(
        reverse("policies:consultation_answer", args=[c.pk, comment.pk]), {"response": "partly", "text": "部分采纳"}
    )
    sz.post(reverse("policies:consultation_close", args=[c.pk]), {"outcome": "完成"})
    page = browser_client(None).get(c.get_absolute_url()).content.decode()
    assert "页面意见" in page and "部分采纳" in page and "完成" in page
    assert browser_client(None).get(reverse("policies:consultations")).status_code == 200


class TestConsultationAPI(ModelAPITestCases):
    basename = "policies-consultation"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        from metrocoop.core.models import User

        return _open(reference, {"liaison-sz": User.objects.get(username="liaison-sz")})
