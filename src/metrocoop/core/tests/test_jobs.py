"""Background jobs: run by the real task worker from the database queue, progress visible, result downloadable."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from metrocoop.core import services
from metrocoop.core.choices import JobStatus
from metrocoop.core.models import Job

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections, as in production
def test_the_audit_export_runs_in_the_worker_and_the_page_follows_it(
    browser_client, demo_users, reference, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    services.do_update_city_profile(reference["NT"], {"contact": "南通 0513"}, actor=demo_users["liaison-nt"])
    client = browser_client("auditor")
    response = client.post("/audit/export/?model=core.city")
    assert response.status_code == 200
    job = Job.objects.get(created_by=demo_users["auditor"])
    assert job.status == JobStatus.QUEUED
    assert 'hx-trigger="every 1s"' in response.content.decode()  # the page polls while the job runs

    call_command("worker", "--batch")

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.percent == 100 and job.result["rows"] >= 1
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-status="succeeded"' in page and "every 1s" not in page
    download = client.get(f"/jobs/{job.pk}/download/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "操作人 Actor"
    assert any(r[1] == "liaison-nt" and "南通 0513" in r[6] for r in rows[1:])
    # somebody else's job is not theirs to see
    assert browser_client("liaison-sz").get(f"/jobs/{job.pk}/").status_code == 404


def test_a_failing_job_is_recorded_not_raised(demo_users):
    from metrocoop.core.jobs import _HANDLERS, execute_job, job_handler

    @job_handler("test.fails")
    def fails(job, progress):
        progress.total(10)
        progress.advance(3, force=True)
        raise ValueError("第3行：数值无效 / row 3: not a number")

    try:
        job = Job.objects.create(kind="test.fails", title="t", created_by=demo_users["office"])
        job = execute_job(str(job.pk))
        assert job.status == JobStatus.FAILED and "row 3" in job.message and job.done == 3
        # running it again does no harm
        assert execute_job(str(job.pk)).status == JobStatus.FAILED
    finally:
        _HANDLERS.pop("test.fails")


def test_only_audit_readers_may_export(browser_client, reference):
    assert browser_client("liaison-sz").post("/audit/export/").status_code == 403
    assert not Job.objects.exists()
