"""PostgreSQL writes the claims the columnar screen passed as one COPY text payload built in Arrow: values holding
what COPY's text format escapes (backslash, tab, carriage return, newline, a literal \\N) are stored exactly as
sent, the same as through the per-claim path."""

from __future__ import annotations

import pytest

from metrocoop.clearing.reader import read_claims_file, write_claims_file

pytestmark = pytest.mark.django_db

SPECIALS = ["诊所\\一部", "tab\there", "\\N", "cr\rx", "line\nbreak", "a\\tb"]


def test_values_with_copy_text_escapes_are_stored_as_sent(world, tmp_path):
    from metrocoop.clearing.models import Claim, ClaimStatus
    from metrocoop.clearing.services import do_ingest_claims, verify_clearing

    rows = [list(r) for r in world.rows if not str(r[0]).startswith("bad")][: len(SPECIALS) * 2]
    for i, row in enumerate(rows):
        row[4] = SPECIALS[i % len(SPECIALS)] + row[4]  # the provider
    path = tmp_path / "claims.csv"
    write_claims_file(path, rows)
    source = read_claims_file(path)
    assert source.part(0, len(rows)).column(4).to_pylist() == [r[4] for r in rows]  # the file keeps them

    before = dict(Claim.objects.values_list("claim_id", "status"))
    result = do_ingest_claims(source, actor=world.office)
    stored = {
        cid: (provider, status)
        for cid, provider, status in Claim.objects.filter(batch_id=result.batch_id).values_list(
            "claim_id", "provider", "status"
        )
    }
    assert {cid: p for cid, (p, _s) in stored.items()} == {r[0]: r[4] for r in rows if r[0] not in before}
    posted = [cid for cid, (_p, s) in stored.items() if s == ClaimStatus.POSTED]
    assert len(posted) >= len(SPECIALS)  # the screen passed them: the Arrow payload wrote them
    assert verify_clearing().ok
