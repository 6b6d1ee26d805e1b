"""Running an ingest's chunks: one after another, or (the command line and the benchmark) two at a time — a forked
second process taking every other chunk on SQLite, writer threads with their own connections on PostgreSQL. Each
chunk is validated and written by one process in one transaction either way, so a kill leaves whole chunks."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import replace as dataclass_replace
from typing import Any

from django.db import connection

from metrocoop.clearing.errors import ClearingError
from metrocoop.clearing.ingest.write import Ingest, IngestResult, timed

_COUNTS = (
    "received", "received_fen", "posted", "posted_fen", "rejected", "rejected_fen", "duplicates", "duplicate_fen",
    "conflicts", "postings",
)  # fmt: skip


def _merge(result: IngestResult, other: IngestResult) -> None:
    for name in _COUNTS:
        setattr(result, name, getattr(result, name) + getattr(other, name))
    for reason, count in other.reasons.items():
        result.reasons[reason] = result.reasons.get(reason, 0) + count
    for name, seconds in other.timings.items():
        result.timings[name] = round(result.timings.get(name, 0.0) + seconds, 3)


def _die_with_parent() -> None:  # pragma: no cover  (runs in the forked child)
    """Ask Linux to kill this process when its parent dies (a killed ingest leaves no writer behind)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL


def _second_writer(ingest: Ingest, send: Any, turn: Any, parent: int) -> None:  # pragma: no cover  (the child)
    """The forked half: chunks 1, 3, 5 … validated and written by this process, in its own database connection
    (the inherited one belongs to the parent and is dropped unused)."""
    from django.db import connections

    _die_with_parent()
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    result = IngestResult(batch_id=ingest.batch.pk, source=ingest.batch.source)
    try:
        for chunk_no in range(1, ingest.chunks, 2):
            if os.getppid() != parent:
                os._exit(1)
            ingest.do_chunk(chunk_no, result, turn, lambda: os.getppid() == parent)
            send.send(("chunk", chunk_no))
        send.send(("result", result))
    except BaseException as exc:
        with contextlib.suppress(Exception):
            send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        with contextlib.suppress(Exception):
            connections.close_all()
        send.close()


def ingest_chunks(
    ingest: Ingest, result: IngestResult, progress: Callable[[int, int], None] | None, parallel: bool
) -> None:
    """Every chunk validated and written, each in its own transaction.

    With ``parallel`` (SQLite, at least two chunks) a forked second process takes the odd chunks: each process
    validates its next chunk while the other writes, and they take turns at the database (a lock between the
    two, so the turn passes at once; SQLite has one writer at a time anyway). Nothing crosses between them but
    "chunk k done" and the counts at the end: each chunk is validated and written by one process, in one
    transaction, as without ``parallel``; so a kill of either leaves whole chunks, and a rerun completes the
    file. Not for web requests."""
    chunks, size, total = ingest.chunks, ingest.chunk_size, len(ingest.source)
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(total, done * size), total)

    # One process inside a caller's transaction (a second connection could not see the batch). On PostgreSQL one
    # process (its server processes need the second core: measured, two client processes were slower than one),
    # with a writer thread: see `_ingest_chunks_pipelined`.
    if parallel and connection.vendor == "postgresql" and not connection.in_atomic_block and chunks >= 2:
        _ingest_chunks_pipelined(ingest, result, advance)
        return
    parallel = (
        parallel
        and connection.vendor == "sqlite"
        and not connection.in_atomic_block
        and "fork" in mp.get_all_start_methods()
    )
    if not parallel or chunks < 2:
        for chunk_no in range(chunks):
            ingest.do_chunk(chunk_no, result)
            advance()
        return
    ingest.checker.prepare(ingest.source)  # once, before the fork, for both processes
    ctx = mp.get_context("fork")
    turn = ctx.Lock()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_second_writer, args=(ingest, send, turn, os.getpid()), daemon=True)
    child.start()
    send.close()
    try:
        outcome = None

        def drain(block: bool) -> None:
            nonlocal outcome
            while outcome is None and (block or receive.poll()):
                try:
                    kind, value = receive.recv()
                except EOFError:
                    outcome = ("error", "the second ingest process ended without a result")
                    return
                if kind == "chunk":
                    advance()
                else:
                    outcome = (kind, value)

        for chunk_no in range(0, chunks, 2):
            ingest.do_chunk(chunk_no, result, turn, child.is_alive)
            advance()
            drain(block=False)
        drain(block=True)
        kind, value = outcome  # type: ignore[misc]
        if kind == "error":
            raise ClearingError(
                f"导入的第二个进程出错，已写入的分块保留，重新导入可补全：{value}",
                f"The second ingest process failed; chunks written stand and a rerun completes the file: {value}",
            )
        _merge(result, value)
        result.processes = 2
    finally:
        receive.close()
        child.join(timeout=30)
        if child.is_alive():
            child.kill()


#: Writer threads on PostgreSQL, each with its own connection (and so its own server process): the server's
#: `COPY` and index work is the longer half of an ingest, and two server processes keep both cores busy once the
#: main thread has validated the last chunk
WRITERS = 2


def _ingest_chunks_pipelined(ingest: Ingest, result: IngestResult, advance: Callable[[], None]) -> None:
    """PostgreSQL: this thread validates chunk k + 1 while writer threads (`WRITERS`, each with its own connection)
    write the chunks before it, each chunk in its own transaction, so the client's Python and the server's work
    overlap on two cores. At most one validated chunk waits for a writer (memory stays bounded). Each chunk is
    still one transaction written by one connection: a kill leaves whole chunks, and a rerun completes the file.
    Two writers never wait on each other's claims (a chunk's claim ids are its own; a re-sent id is the staging
    path's, which takes them in claim-id order) and lock the ledger's accounts and chain head in one order."""
    import queue
    import threading

    from django.db import connections

    handover: queue.Queue = queue.Queue(maxsize=1)
    failure: list[BaseException] = []
    counted = threading.Lock()
    results = [dataclass_replace(result, reasons={}, timings={}, **dict.fromkeys(_COUNTS, 0)) for _ in range(WRITERS)]

    def writer(own: IngestResult) -> None:
        try:
            while True:
                item = handover.get()
                if item is None:
                    return
                if failure:
                    continue  # drain: the main thread stops at its next hand-over
                chunk_no, work, checker = item
                ingest.write(chunk_no, work, own, checker=checker)
                with counted:
                    advance()
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)
            with contextlib.suppress(queue.Empty):
                while handover.get_nowait() is not None:
                    pass
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=writer, args=(own,), name=f"clearing-ingest-writer-{n}", daemon=True)
        for n, own in enumerate(results)
    ]
    for thread in threads:
        thread.start()
    try:
        for chunk_no in range(ingest.chunks):
            if failure:
                break
            checker, started = ingest.checker, time.perf_counter()
            work = checker.check(ingest.source, chunk_no, ingest.chunk_size)
            timed(result, "validate_s", started)
            started = time.perf_counter()
            while not failure:
                try:
                    handover.put((chunk_no, work, checker), timeout=0.2)
                    break
                except queue.Full:
                    continue
            timed(result, "wait_for_writer_s", started)
    finally:
        for thread in threads:  # one end mark each
            while thread.is_alive():
                try:
                    handover.put(None, timeout=0.2)
                    break
                except queue.Full:
                    continue
        for thread in threads:
            thread.join()
    for own in results:
        _merge(result, own)
    if failure:
        raise failure[0]
    result.processes = 1


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection while a million rows of tuples and strings are made (none of them is in a
    cycle; the collector would walk them again and again, seconds of the budget)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
