"""One way to render every form (django-bootstrap5 through core.forms) and dates entered as ISO dates; the policy
library's pages read their posts through Django forms that validate."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from metrocoop.core.forms import IsoDateInput, error_text
from metrocoop.council.forms import MeetingForm
from metrocoop.policies.models import Consultation, ConsultationComment, CurationProposal

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    """The messages the page shows after the redirect (post with follow=True)."""
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_form_renders_labels_above_fields_help_text_and_required_marks():
    # given the council's new-meeting form, drawn as the pages draw it
    with translation.override("en"):
        html = str(MeetingForm())
    # then each field has its label above it (a <label> for its id, then the input), in a marked wrapper if required
    assert re.search(r'<div class="mb-3 mc-required"><label class="form-label" for="id_title">', html)
    assert '<div class="mb-3"><label class="form-label" for="id_location">' in html  # optional: no mark
    assert 'class="form-text"' in html and "One per line" in html  # help text under the agenda
    # and the date is an ISO text input, never the browser's US-ordered date picker
    held_on = re.search(r"<input[^>]*name=\"held_on\"[^>]*>", html).group(0)
    assert 'type="text"' in held_on and 'pattern="\\d{4}-\\d{2}-\\d{2}"' in held_on and 'type="date"' not in html


def test_errors_show_beside_the_field():
    form = MeetingForm({"kind": "plenary", "title": "", "held_on": "06/05/2026"})
    html = str(form)
    title = html.split('for="id_title"', 1)[1].split("</div>", 2)
    assert "is-invalid" in html and "invalid-feedback" in "".join(title)
    assert "held_on" in form.errors and "title" in form.errors


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dates_are_entered_and_shown_as_the_language_expects(language):
    # given a form holding 2026-06-05 in either language
    with translation.override(language):
        widget = IsoDateInput().render("d", date(2026, 6, 5))
        form = MeetingForm({"kind": "plenary", "title": "t", "held_on": "2026-06-05"})
        # then the input shows and reads the ISO date in both
        assert 'value="2026-06-05"' in widget
        assert form.is_valid() and form.cleaned_data["held_on"] == date(2026, 6, 5)
        # and a page shows it as the language writes dates
        from django.template import Context, Template

        shown = Template("{{ d|date }}").render(Context({"d": date(2026, 6, 5)}))
    assert shown == ("2026年6月5日" if language == "zh-hans" else "June 5, 2026")


def test_every_date_field_of_every_form_is_an_iso_text_input():
    # given every form class of our apps
    import importlib

    from django import forms as dj

    from metrocoop.core.forms import HouseFormMixin

    found = []
    for app in ("council", "funds", "forum", "investment", "policies", "spatial", "standards", "web"):
        try:
            module = importlib.import_module(f"metrocoop.{app}.forms")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, dj.BaseForm) and obj.__module__ == module.__name__:
                for name, field in obj.base_fields.items():
                    if isinstance(field, dj.DateField) and not isinstance(field, dj.DateTimeField):
                        iso = isinstance(field.widget, IsoDateInput) or issubclass(obj, HouseFormMixin)
                        found.append((obj.__name__, name, iso))
    assert found and all(iso for *_, iso in found), [f for f in found if not f[2]]


def test_opening_a_consultation_through_the_page_validates_its_form(reference, demo_users, browser_client):
    sz = browser_client("liaison-sz")
    url = reverse("policies:consultation_open")
    deadline = timezone.localdate() + timedelta(days=10)
    # when the date is in the browser's US order or the city is unknown: nothing is opened, the page says why
    for bad in ({"deadline": deadline.strftime("%m/%d/%Y")}, {"city": "XX"}, {"clauses": ""}):
        data = {"title": "苏州细则", "city": "SZ", "domain": "talent", "deadline": deadline.isoformat()}
        response = sz.post(url, {**data, "clauses": "第一条", **bad}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("policies:consultations")
        assert Consultation.objects.count() == 0
        assert any("：" in m or ":" in m for m in _messages(response)), bad  # which field, and why
    # when it is complete (a city code in any case): the consultation opens with its clauses
    data = {"title": "苏州细则", "city": "sz", "domain": "talent", "deadline": deadline.isoformat()}
    response = sz.post(url, {**data, "clauses": "一\n\n二"})
    c = Consultation.objects.get()
    assert response["Location"] == c.get_absolute_url() and c.deadline == deadline and c.clauses.count() == 2
    # and the page offering it draws the city as a named choice and the deadline as an ISO date input
    page = sz.get(reverse("policies:consultations")).content.decode()
    assert re.search(r'<option value="SZ"[^>]*>苏州', page) and 'name="deadline"' in page and 'type="date"' not in page

    # comments and answers go through their forms too: an empty comment or an unknown answer changes nothing
    sh = browser_client("liaison-sh")
    assert _messages(sh.post(reverse("policies:consultation_comment", args=[c.pk, 1]), {"text": ""}, follow=True))
    assert ConsultationComment.objects.count() == 0
    sh.post(reverse("policies:consultation_comment", args=[c.pk, 1]), {"text": "意见"})
    comment = ConsultationComment.objects.get()
    sz.post(reverse("policies:consultation_answer", args=[c.pk, comment.pk]), {"response": "maybe", "text": ""})
    comment.refresh_from_db()
    assert comment.response == "pending"


def test_proposals_and_decisions_through_their_forms(reference, demo_users, browser_client):
    liaison = browser_client("liaison-sh")
    liaison.post(reverse("policies:propose"), {"title": "上海市新政策", "issuer": "上海市人民政府", "note": "请收录"})
    proposal = CurationProposal.objects.get()
    assert proposal.payload == {"title": "上海市新政策", "issuer": "上海市人民政府"}
    expert = browser_client("expert")
    # a decision that is neither accept nor decline is refused by the form
    response = expert.post(reverse("policies:decide", args=[proposal.pk]), {"accept": "yes"}, follow=True)
    proposal.refresh_from_db()
    assert proposal.status == "open" and _messages(response)
    expert.post(reverse("policies:decide", args=[proposal.pk]), {"accept": "0", "note": "重复"})
    proposal.refresh_from_db()
    assert proposal.status != "open"


def test_a_forms_errors_read_as_one_message_with_each_fields_label():
    # given the meeting form posted without a title, and an error of the whole form
    with translation.override("en"):
        form = MeetingForm(data={"location": "Suzhou"})
        assert not form.is_valid()
        form.add_error(None, "The agenda and the date disagree.")
        text, label = error_text(form), str(form.fields["title"].label)
    # then the field's error follows its label and the whole form's error stands without a label (no "__all__")
    assert f"{label}: This field is required." in text
    assert "The agenda and the date disagree." in text and "__all__" not in text
