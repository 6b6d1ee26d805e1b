"""Large imports run as a background job with progress; the page polls it and shows the report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from metrocoop.core.choices import JobStatus
from metrocoop.core.models import Job
from metrocoop.indicators import views
from metrocoop.indicators.models import Observation
from metrocoop.indicators.tests.helpers import csv_bytes


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections, as in production
def test_a_large_import_runs_in_the_worker_with_progress(browser_client, reference, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views, "SYNC_IMPORT_LIMIT", 10)  # anything bigger than 10 bytes goes to the worker
    rows = [["city", "year", "indicator", "value"]] + [["NT", y, "gdp", 1000 + y] for y in range(2020, 2030)]
    client = browser_client("liaison-nt")
    response = client.post("/indicators/import/", {"file": SimpleUploadedFile("nt.csv", csv_bytes(rows))})
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html
    job = Job.objects.get(kind="indicators.import")
    assert job.status == JobStatus.QUEUED

    call_command("worker", "--batch")

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["created"] == 10 and job.percent == 100
    assert Observation.objects.filter(city__code="NT", year__gte=2020).count() == 10
    report = client.get(f"/indicators/import/jobs/{job.pk}/").content.decode()
    assert "10" in report


@pytest.mark.django_db(transaction=True)
def test_a_rejected_background_import_keeps_the_full_report(browser_client, reference, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views, "SYNC_IMPORT_LIMIT", 10)
    rows = [["city", "year", "indicator", "value"], ["NT", 2020, "gdp", "x"], ["SZ", 2020, "gdp", 1]]
    client = browser_client("liaison-nt")
    client.post("/indicators/import/", {"file": SimpleUploadedFile("nt.csv", csv_bytes(rows))})
    call_command("worker", "--batch")
    job = Job.objects.get(kind="indicators.import")
    assert job.result["ok"] is False and job.result["error_count"] == 2
    report = client.get(f"/indicators/import/jobs/{job.pk}/").content.decode()
    assert "不是数字" in report and "You may not change the observations of SZ" in report
    assert not Observation.objects.filter(year=2020).exists()
