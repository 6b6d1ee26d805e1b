"""Reminders to the people responsible for the board's rows (`metrocoop council remind`, safe to run daily).

Each (kind, row, person) is notified once: a person who has ever had that reminder is not sent it again, so a
daily run adds only what is new. Mail goes out as one digest per person through `metrocoop notifications digest`.
"""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from metrocoop.core.models import Notification
from metrocoop.core.notifications import liaisons_of, notify
from metrocoop.council.models import ProgressReport, WorkItem
from metrocoop.council.selectors import board_rows


def send_reminders(as_of: date | None = None) -> dict[str, int]:
    """Notify the lead city's liaisons of overdue items and missing reports, and the reporting city's liaisons of
    returned reports. Returns how many notifications of each kind were created."""
    as_of = as_of or timezone.localdate()
    created = {"overdue_item": 0, "late_report": 0, "returned_report": 0}
    item_ct = ContentType.objects.get_for_model(WorkItem)
    report_ct = ContentType.objects.get_for_model(ProgressReport)
    # what everybody was ever sent, read once (a daily run then costs one query, not one per row)
    sent = set(
        Notification.objects.filter(kind__startswith="council.", content_type__in=[item_ct, report_ct]).values_list(
            "kind", "content_type_id", "object_id", "recipient_id"
        )
    )
    people_of: dict[int, list] = {}
    with transaction.atomic():
        for row in board_rows(as_of):
            if row.kind == "overdue_item":
                obj, ct, kind = row.item, item_ct, "council.item_overdue"
                subject = f"工作事项已逾期 / Work item overdue: {row.item.title}（{row.item.deadline}）"
                city_id = row.item.lead_city_id
            elif row.kind == "late_report":
                if row.report is not None:
                    continue  # submitted late: nothing left to ask of anyone
                obj, ct, kind = row.item, item_ct, f"council.report_missing.{row.item.plan.year}Q{row.quarter}"
                period = f"{row.item.plan.year} Q{row.quarter}"
                subject = f"季度进展报告未报送 / Quarterly report missing: {row.item.title}（{period}）"
                city_id = row.item.lead_city_id
            else:
                obj, ct, kind = row.report, report_ct, "council.report_returned"
                subject = f"进展报告被退回 / Progress report returned: {row.item.title}（Q{row.quarter}）"
                city_id = row.report.city_id
            if city_id not in people_of:
                people_of[city_id] = liaisons_of([city_id], as_of)
            people = [u for u in people_of[city_id] if (kind, ct.pk, str(obj.pk), u.pk) not in sent]
            if people:
                made = notify(
                    people, kind=kind, subject=subject, body=row.detail, url=row.item.get_absolute_url(), obj=obj
                )
                created[row.kind] += len(made)
                sent.update((kind, ct.pk, str(obj.pk), n.recipient_id) for n in made)
    return created
