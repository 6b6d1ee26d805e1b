"""Notifications reach the person at once in the platform and by mail in one digest; attachments follow their row."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from metrocoop.core.attachments import attachments_of, do_attach
from metrocoop.core.models import Attachment, Notification
from metrocoop.core.notifications import notify, send_digests

pytestmark = pytest.mark.django_db


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_person_sees_their_notifications_and_nobody_elses(browser_client, demo_users, reference):
    notify(
        [demo_users["liaison-sz"]],
        kind="test.overdue",
        subject="进度报告逾期：苏州",
        url="/cities/SZ/",
        obj=reference["SZ"],
    )
    page = browser_client("liaison-sz").get("/").content.decode()
    assert 'data-testid="notifications"' in page and "badge" in page
    assert "进度报告逾期：苏州" in browser_client("liaison-sz").get("/notifications/").content.decode()
    for other in ["liaison-wx", "office", "auditor"]:
        assert "进度报告逾期：苏州" not in browser_client(other).get("/notifications/").content.decode()
    n = Notification.objects.get()
    assert browser_client("liaison-wx").post(f"/notifications/{n.pk}/read/").status_code == 404
    response = browser_client("liaison-sz").post(f"/notifications/{n.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/cities/SZ/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_the_same_unread_notice_is_not_repeated(demo_users, reference):
    for _ in range(3):
        notify([demo_users["liaison-sz"]], kind="test.overdue", subject="逾期", obj=reference["SZ"])
    assert Notification.objects.count() == 1


def test_one_digest_mail_per_person_and_none_twice(demo_users, reference, locmem):
    sz = demo_users["liaison-sz"]
    sz.email = "sz@example.cn"
    sz.save()
    for i in range(3):
        notify([sz], kind=f"test.{i}", subject=f"事项 {i}")
    notify([demo_users["liaison-wx"]], kind="test.x", subject="无邮箱的人")  # no e-mail address: in-app only
    assert send_digests() == {"people": 1, "notifications": 3}
    assert len(mail.outbox) == 1 and "事项 2" in mail.outbox[0].body and "3" in mail.outbox[0].subject
    call_command("notifications", "digest")
    assert len(mail.outbox) == 1


def test_attachments_follow_the_scope_of_their_row(demo_users, reference, browser_client, settings, tmp_path):
    from django.core.exceptions import PermissionDenied

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("证明材料.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    with pytest.raises(PermissionDenied):
        do_attach(reference["WX"], upload, actor=demo_users["liaison-sz"])
    assert not Attachment.objects.exists()
    attachment = do_attach(reference["SZ"], upload, actor=demo_users["liaison-sz"])
    assert attachment.size == len(b"%PDF-1.4 evidence") and len(attachment.sha256) == 64
    assert list(attachments_of(reference["SZ"], demo_users["auditor"])) == [attachment]
    response = browser_client(None).get(f"/attachments/{attachment.pk}/")  # cities are public rows
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 evidence"


@pytest.mark.parametrize(
    "name, content",
    [
        ("evil.html", b"<html><script>alert(1)</script></html>"),
        ("report.pdf", b"<!doctype html><script>alert(1)</script>"),
        ("notes.txt", b"<svg onload=alert(1)>"),
        ("tool.exe", b"MZ\x90\x00"),
    ],
)
def test_an_attachment_whose_type_or_content_is_not_accepted_is_refused_and_nothing_is_stored(
    reference, demo_users, name, content
):
    from django.core.exceptions import ValidationError

    before = Attachment.objects.count()
    with pytest.raises(ValidationError) as refused:
        do_attach(reference["SZ"], SimpleUploadedFile(name, content), actor=demo_users["liaison-sz"])
    assert "file" in refused.value.message_dict
    assert Attachment.objects.count() == before
