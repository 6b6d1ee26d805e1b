"""Django's PostgreSQL backend with a health check that costs no round trip.

`CONN_HEALTH_CHECKS` makes Django check a kept connection before a request reuses it, so that the first request
after a PostgreSQL restart reconnects instead of failing. Django's check is a `SELECT 1`: one round trip to the
server on every request, which on a loaded machine (the server process has to be scheduled to answer it) was a
quarter of a small API read's time. A connection the server has closed — restart, crash, `pg_terminate_backend`,
idle timeout — is one whose socket has something to read while we sent nothing: the server's FATAL message, or
end-of-file. So: a connection psycopg knows is closed or broken is unusable; an idle socket with nothing to read is
usable; only a socket with something waiting gets Django's `SELECT 1` (which then fails and the connection is
replaced). A server that vanished without closing its sockets (a cable pulled) is not detected by either check
before the query; the request then fails with the 503 of core.middleware, as it would with `SELECT 1`.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if self.in_atomic_block:
            return super().is_usable()
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        if not readable:
            return True
        return super().is_usable()
