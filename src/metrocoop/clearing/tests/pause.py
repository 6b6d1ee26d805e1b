"""`python -m metrocoop.clearing.tests.pause <metrocoop arguments>`: the `metrocoop` command with pauses put in
from the test side, so that the crash tests can kill an ingest or a close mid-way. Production code has no hook:
this module wraps the functions at the points named by METROCOOP_CLEARING_TEST_PAUSE before the command runs.

- ``ingest:<seconds>``: after each chunk's transaction has committed (`Ingest.write` returned);
- ``ingest-write:<seconds>``: inside a chunk's transaction, its claims and postings written, before the commit
  (and, with two processes, holding the turn);
- ``close:<seconds>``: inside the close's transaction, after its positions and instructions are written.

Each pause is announced on stderr as ``clearing-test-pause:<name>:<process id>`` (a forked second ingest process
inherits the wrappers and announces its own id)."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from typing import Any


def _pause(name: str, seconds: float) -> None:
    sys.stderr.write(f"clearing-test-pause:{name}:{os.getpid()}\n")
    sys.stderr.flush()
    time.sleep(seconds)


def _after(function: Callable, name: str, seconds: float) -> Callable:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = function(*args, **kwargs)
        _pause(name, seconds)
        return out

    return wrapper


def _before(function: Callable, name: str, seconds: float) -> Callable:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _pause(name, seconds)
        return function(*args, **kwargs)

    return wrapper


def install(spec: str) -> None:
    """Put the pause that ``spec`` ("name:seconds") names in place (Django must be set up)."""
    if not spec:
        return
    name, _, seconds_text = spec.partition(":")
    seconds = float(seconds_text)
    if name == "ingest":
        from metrocoop.clearing.ingest.write import Ingest

        Ingest.write = _after(Ingest.write, name, seconds)  # type: ignore[method-assign]
    elif name == "ingest-write":
        from metrocoop.clearing.ingest import write

        write.write_chunk = _after(write.write_chunk, name, seconds)
    elif name == "close":
        from metrocoop.clearing import services

        # the close calls it inside its transaction, right after writing positions and instructions
        services._mark_authorisations_used = _before(services._mark_authorisations_used, name, seconds)
    else:
        raise SystemExit(f"unknown pause {spec!r}")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrocoop.settings")
    import django

    django.setup()
    install(os.environ.get("METROCOOP_CLEARING_TEST_PAUSE", ""))
    from metrocoop.__main__ import main as metrocoop

    metrocoop(sys.argv[1:])


if __name__ == "__main__":
    main()
