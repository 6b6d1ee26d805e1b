"""Facet counts over the candidate window (every match when there are at most WINDOW, else the WINDOW most recently
added): city, level, issuer, domain, validity and year."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

from django.db import connection

from metrocoop.core.models import City
from metrocoop.policies.choices import Level, PolicyDomain, Validity
from metrocoop.policies.search.common import Row


def facet_counts(rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    """Counts per city, level, issuer, domain, validity and year over `rows` (the candidate window: every match when
    there are at most WINDOW, else the WINDOW most recently added), counted here; domains in one grouped
    query over the rows' ids."""
    ids = [r[0] for r in rows]
    counted: dict[str, Counter] = {
        "city": Counter(r[1] for r in rows),
        "level": Counter(r[2] for r in rows),
        "issuer": Counter(r[3] for r in rows),
        "validity": Counter(r[4] for r in rows),
        "year": Counter(str(_year(r[5])) if r[5] else "" for r in rows),
        "domain": Counter(),
    }
    if ids:
        # one parameter for the ids (an array, a JSON list), not one placeholder each
        match = (
            "document_id = ANY(%s)"
            if connection.vendor == "postgresql"
            else "document_id IN (SELECT value FROM json_each(%s))"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT domain, COUNT(*) FROM policies_policydomaintag WHERE {match} GROUP BY domain",
                [ids if connection.vendor == "postgresql" else json.dumps(ids)],
            )
            counted["domain"] = Counter(dict(cursor.fetchall()))
    cities = {c.pk: c for c in City.objects.all()}
    labels = {"level": dict(Level.choices), "validity": dict(Validity.choices), "domain": dict(PolicyDomain.choices)}
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ("city", "level", "issuer", "domain", "validity", "year")}
    for city_id, count in counted.pop("city").items():
        city = cities.get(city_id) if city_id is not None else None
        out["city"].append(
            {
                "value": city.code if city else "",
                "label": city.name_zh if city else "—",
                "count": count,
                "order": city.sort_order if city else 999,
            }
        )
    for facet, counts in counted.items():
        for value, count in counts.items():
            value = "" if value is None else str(value)
            label = str(labels.get(facet, {}).get(value, value)) or "—"  # an imported document not yet completed
            out[facet].append({"value": value, "label": label, "count": count})
    out["city"].sort(key=lambda r: (r.pop("order"), r["value"]))
    for facet in ("level", "issuer", "domain", "validity"):
        out[facet].sort(key=lambda r: (-r["count"], r["value"]))
    out["issuer"] = out["issuer"][:20]
    out["year"].sort(key=lambda r: r["value"], reverse=True)
    return out


def _year(value: Any) -> int:
    return value.year if isinstance(value, date) else int(str(value)[:4])
