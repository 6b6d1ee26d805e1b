"""Background import of large spreadsheets, with progress on the Job row the import page polls."""

from __future__ import annotations

from pathlib import Path

from metrocoop.core.jobs import Progress, job_handler
from metrocoop.core.models import Job, User
from metrocoop.core.spreadsheets import cap_error_report
from metrocoop.indicators import services


@job_handler("indicators.import")
def import_observations(job: Job, progress: Progress) -> dict:
    """Validate and import the uploaded file; a rejected file leaves the full report in the result."""
    params = job.params
    actor = User.objects.get(pk=job.created_by_id)
    content = Path(params["path"]).read_bytes()
    progress.total(1, "validating 校验中")

    def report(done: int, total: int) -> None:
        if progress.job.total != total:
            progress.total(total, "writing 写入中")
            progress.job.total = total
        progress.advance(done, "writing 写入中")

    try:
        result = services.do_import_observations(
            params["name"],
            content,
            layout=params.get("layout"),
            year=params.get("year"),
            replace=bool(params.get("replace")),
            actor=actor,
            progress=report,
        )
    except services.ImportRejected as exc:
        progress.advance(0, f"rejected 已拒绝: {len(exc.report.errors)} bad cells", force=True)
        return cap_error_report(exc.report.summary())
    return result.summary()
