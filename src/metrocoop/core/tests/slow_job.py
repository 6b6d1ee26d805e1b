"""A job handler for test_speed's worker-kill test: it writes its one effect in a transaction and, on its first
attempt only (a marker file), sleeps inside that transaction so that the test can SIGKILL the worker mid-way."""

import time
from pathlib import Path

from django.db import transaction

from metrocoop.core.jobs import job_handler
from metrocoop.core.models import Notification


@job_handler("test.slow_once")
def slow_once(job, progress) -> dict:
    marker = Path(job.params["marker"])
    with transaction.atomic():
        Notification.objects.create(recipient_id=job.created_by_id, kind="test.slow", subject=job.params["subject"])
        if not marker.exists():
            marker.write_text("started")
            time.sleep(120)  # the test kills the worker here, before the transaction commits
    return {"notified": 1}
