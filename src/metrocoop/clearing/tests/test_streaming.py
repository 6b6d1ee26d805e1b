"""Large CSV files are read in a stream (memory bounded by the chunk): the same claims, the same outcome, and a
file that cannot be read is still refused whole before anything is written."""

from __future__ import annotations

import pytest

from metrocoop.clearing import reader
from metrocoop.clearing.reader import StreamedClaimSource, read_claims_file, write_claims_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def stream_everything(monkeypatch):
    monkeypatch.setattr(reader, "STREAM_ABOVE_BYTES", 0)


def test_a_streamed_file_gives_the_chunks_of_the_whole_file(world, tmp_path, monkeypatch):
    path = tmp_path / "claims.csv"
    write_claims_file(path, world.rows)
    whole = read_claims_file(path)
    monkeypatch.setattr(reader, "STREAM_ABOVE_BYTES", 0)
    streamed = read_claims_file(path)
    assert isinstance(streamed, StreamedClaimSource) and not isinstance(whole, StreamedClaimSource)
    assert (len(streamed), streamed.sha256) == (len(whole), whole.sha256)
    assert [p.to_pylist() for p in streamed.parts(37)] == [p.to_pylist() for p in whole.parts(37)]
    # out of order (a chunk validated again, a forked process's odd chunks) reads the same rows
    assert streamed.part(2, 37).to_pylist() == whole.part(2, 37).to_pylist()
    assert streamed.part(0, 37).to_pylist() == whole.part(0, 37).to_pylist()


def test_a_streamed_ingest_is_the_whole_file_ingest(world, tmp_path, monkeypatch):
    from metrocoop.clearing.models import Claim
    from metrocoop.clearing.services import do_ingest_claims, verify_clearing

    whole_path, streamed_path = tmp_path / "whole.csv", tmp_path / "streamed.csv"
    write_claims_file(whole_path, world.rows)
    write_claims_file(streamed_path, [[f"s-{r[0]}", *r[1:]] for r in world.rows])
    keep = ("received", "received_fen", "posted", "posted_fen", "rejected", "rejected_fen", "duplicates", "reasons")
    whole = do_ingest_claims(read_claims_file(whole_path), actor=world.office, chunk_size=40)
    monkeypatch.setattr(reader, "STREAM_ABOVE_BYTES", 0)
    streamed = do_ingest_claims(read_claims_file(streamed_path), actor=world.office, chunk_size=40)
    assert {k: getattr(streamed, k) for k in keep} == {k: getattr(whole, k) for k in keep}

    def outcome(batch_id, prefix=""):
        rows = Claim.objects.filter(batch_id=batch_id).values_list("claim_id", "content_hash", "status", "chunk_no")
        return sorted((c.removeprefix(prefix), h, s, n) for c, h, s, n in rows)

    # the content hash covers the claim id, so compare everything but it
    assert [r[:1] + r[2:] for r in outcome(streamed.batch_id, "s-")] == [r[:1] + r[2:] for r in outcome(whole.batch_id)]
    assert verify_clearing().ok


def test_a_large_file_that_cannot_be_read_is_still_refused_whole(world, tmp_path, stream_everything):
    from metrocoop.clearing.models import Claim

    path = tmp_path / "claims.csv"
    write_claims_file(path, world.rows)
    data = path.read_bytes()
    cut = data.index(b"\n", len(data) // 2)
    path.write_bytes(data[:cut] + b"\n\xff\xfe,broken\n" + data[cut + 1 :])  # not UTF-8, half-way down
    with pytest.raises(reader.FileRefused):
        read_claims_file(path)
    assert not Claim.objects.exists()
