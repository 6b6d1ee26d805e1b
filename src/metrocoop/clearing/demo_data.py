"""Demo data of the clearing house: catalogues for every member city, authorisations, three months of claims
(20,000, with a share of bad ones) and the oldest month closed. Idempotent: a second run adds nothing."""

from __future__ import annotations

from datetime import date

DEMO_CLAIMS = 20_000
DEMO_SOURCE = "demo-claims"


def _months(today: date, count: int = 3) -> list[tuple[int, int]]:
    index = today.year * 12 + today.month - 1 - count
    return [((index + k) // 12, (index + k) % 12 + 1) for k in range(count)]


def load() -> str:
    from metrocoop.clearing.engine.synthetic import synthetic_catalogue, synthetic_claims
    from metrocoop.clearing.models import Claim, IngestBatch, Period
    from metrocoop.clearing.reader import ClaimSource, pseudonym_key
    from metrocoop.clearing.services import do_close_period, do_ingest_claims, do_open_period
    from metrocoop.clearing.setup import load_authorisations, load_catalogue
    from metrocoop.core.demo import load_demo_accounts
    from metrocoop.core.models import City, User

    if IngestBatch.objects.filter(source=DEMO_SOURCE).exists():
        return f"{Claim.objects.count()} claims (already loaded)"
    office = User.objects.filter(username="office").first()
    if office is None:
        load_demo_accounts()
        office = User.objects.get(username="office")
    months = _months(date.today())
    cities = sorted(City.objects.members_on(date(*months[0], 1)).values_list("code", flat=True))
    catalogue = synthetic_catalogue(cities, seed=2020)
    stream = synthetic_claims(DEMO_CLAIMS, cities, months, catalogue, key=pseudonym_key(), seed=2020)
    entries = load_catalogue(catalogue, actor=office)
    authorisations = load_authorisations(stream.authorisations, actor=office)
    for y, m in months:
        do_open_period(y, m, actor=office)
    result = do_ingest_claims(ClaimSource(name=DEMO_SOURCE, rows=stream.rows), actor=office)
    oldest = Period.objects.get(year=months[0][0], month=months[0][1])
    if oldest.status == "open":
        do_close_period(oldest, actor=office)
    return (
        f"{entries} catalogue entries, {authorisations} authorisations, {result.posted} claims posted, "
        f"{result.rejected} rejected, period {oldest.code} closed"
    )
