"""The forum's pages: public reading without signing in, markup shown as text, the form, the steps, the queue."""

from datetime import date

import pytest
from django.core.management import call_command

from metrocoop.forum import services
from metrocoop.forum.models import Suggestion

pytestmark = pytest.mark.django_db

XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def test_anonymous_visitors_read_the_forum_and_a_suggestion(browser_client, submit):
    s = submit()
    anonymous = browser_client(None)
    for url in ("/forum/", "/forum/suggestions/", f"/forum/suggestions/{s.pk}/"):
        response = anonymous.get(url)
        assert response.status_code == 200, url
    page = anonymous.get(f"/forum/suggestions/{s.pk}/").content.decode()
    assert s.title in page and 'data-testid="due-on"' in page
    assert 'data-testid="vote"' not in page  # nobody votes without signing in
    assert anonymous.get("/forum/suggestions/new/").status_code == 302  # to the login page


def test_user_markup_is_escaped_on_every_page(browser_client, submit):
    s = submit(title=f"<b>粗体</b>{XSS}", text=f"建议{XSS}")
    assert Suggestion.objects.get(pk=s.pk).text == f"建议{XSS}"  # stored as written
    for url in (f"/forum/suggestions/{s.pk}/", "/forum/suggestions/", "/forum/"):
        html = browser_client(None).get(url).content.decode()
        assert "<script>window.__pwned" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html, url


def test_the_form_submits_and_shows_likely_duplicates(browser_client, submit):
    first = submit()
    response = browser_client("liaison-sz").post(
        "/forum/suggestions/new/",
        {
            "title": "建议开通苏州至上海虹桥夜间公交",
            "text": "十点以后没有回苏州的公交，希望开通夜间公交线路。",
            "category": "transport",
            "cities": ["SZ"],
        },
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="duplicates"' in html and f"/forum/suggestions/{first.pk}/" in html


def test_form_errors_are_shown_beside_the_field(browser_client):
    response = browser_client("public").post("/forum/suggestions/new/", {"title": "", "text": "x", "category": "other"})
    assert response.status_code == 200
    assert Suggestion.objects.count() == 0
    html = response.content.decode()
    title = html.split('for="id_title"', 1)[1].split('<div class="mb-3', 1)[0]
    assert "invalid-feedback" in title  # the error beside the title field


def test_the_office_moves_a_suggestion_from_its_page(browser_client, submit):
    s = submit()
    office = browser_client("office")
    assert 'data-testid="office-steps"' in office.get(f"/forum/suggestions/{s.pk}/").content.decode()
    office.post(f"/forum/suggestions/{s.pk}/accept/")
    office.post(f"/forum/suggestions/{s.pk}/assign/", {"assign-city": "SZ", "assign-domain": "medical_insurance"})
    s.refresh_from_db()
    assert s.status == "assigned" and s.assigned_city.code == "SZ"
    # the assigned bureau sees the answer form; another city's does not, and its request changes nothing
    assert (
        'data-testid="answer-form"' in browser_client("medical-sz").get(f"/forum/suggestions/{s.pk}/").content.decode()
    )
    other = browser_client("medical-wx")
    assert 'data-testid="answer-form"' not in other.get(f"/forum/suggestions/{s.pk}/").content.decode()
    other.post(f"/forum/suggestions/{s.pk}/answer/", {"answer-answer": "越权答复"})
    s.refresh_from_db()
    assert s.status == "assigned" and s.answer == ""
    browser_client("medical-sz").post(f"/forum/suggestions/{s.pk}/answer/", {"answer-answer": "已研究。"})
    s.refresh_from_db()
    assert s.status == "answered"


def test_the_public_cannot_reach_the_moderator_queue(browser_client, submit, settings):
    settings.FORUM_REPORTS_TO_HIDE = 1
    quiet = submit(title="无人举报的建议", text="关于港口的普通建议。")
    s = submit()
    browser_client("liaison-sz").post(f"/forum/suggestions/{s.pk}/report/", {"report-reason": "spam"})
    assert browser_client(None).get(f"/forum/suggestions/{s.pk}/").status_code == 404  # hidden pending review
    assert browser_client("public").get(f"/forum/suggestions/{s.pk}/").status_code == 200  # its author still sees it
    assert browser_client("public").get("/forum/moderation/").status_code == 403
    queue = browser_client("office").get("/forum/moderation/").content.decode()
    reported = queue.split('data-testid="reported"')[1].split("</table>")[0]
    assert s.title in reported and quiet.title not in reported


def test_the_deadlines_command_is_idempotent(submit, clock, demo_users):
    clock.set(date(2026, 9, 30))
    submit()
    call_command("forum", "deadlines", "--today", "2026-10-14")
    call_command("forum", "deadlines", "--today", "2026-10-14")
    from metrocoop.core.models import Notification

    assert Notification.objects.filter(kind="forum.suggestion_overdue", recipient=demo_users["office"]).count() == 1


def test_the_weekly_digest_waits_for_its_day(submit, demo_users, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = demo_users["office"]
    office.email = "office@example.invalid"
    office.save()
    services.do_set_digest_frequency("weekly", actor=office)
    submit()  # notifies the office
    assert services.send_digests("daily")["people"] == 0
    assert services.send_digests("weekly")["people"] == 1
    assert services.send_digests("weekly")["people"] == 0


def test_list_pages_have_bounded_queries(browser_client, submit, django_assert_max_num_queries):
    for i in range(5):
        submit(title=f"第{i}条建议", text=f"内容{i}" * (i + 1))
    client = browser_client(None)
    client.get("/forum/")
    with django_assert_max_num_queries(20):
        assert client.get("/forum/suggestions/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/forum/").status_code == 200


def test_a_suggestion_carries_an_attachment_readers_can_open(browser_client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("线路图.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    response = browser_client("public").post(
        "/forum/suggestions/new/",
        {"title": "夜间公交线路图", "text": "附线路图。", "category": "transport", "attachment": upload},
    )
    assert response.status_code == 302
    page = browser_client(None).get(response["Location"]).content.decode()
    assert "线路图.pdf" in page
    from metrocoop.core.models import Attachment

    attachment = Attachment.objects.get(name="线路图.pdf")
    download = browser_client(None).get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200
