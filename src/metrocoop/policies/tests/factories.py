"""Test helpers: documents made through the services, as the office."""

from __future__ import annotations

import itertools

from metrocoop.core.models import User
from metrocoop.policies import services

_serial = itertools.count(1)


def office() -> User:
    return User.objects.get(username="office")


def make_document(city: str | None = "SZ", *, actor=None, domains=("talent",), **fields):
    n = next(_serial)
    data = {
        "key": f"t-{(city or 'region').lower()}-{n}",
        "title": f"测试文件{n}",
        "doc_number": f"测规〔2024〕{n}号",
        "issuer": "测试机关",
        "level": "municipal" if city else "regional",
        "city": city,
        "kind": "normative",
        "issued_on": "2024-01-10",
        "effective_on": "2024-02-01",
        "text": "第一条　为规范高层次人才认定工作，制定本办法。",
    }
    data.update(fields)
    return services.do_create_document(data, domains=list(domains), actor=actor or office())
