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

Prepared statements, for the queries every read repeats. `prepared_cursor()` is a cursor whose statements the
server keeps parsed and planned for the connection's life (psycopg's prepared statements, server-side parameter
binding). core.api.prepared runs the token query and the fast lists' queries through it: planning a six-table join
cost the server about 2 ms for a 0.8 ms query (`EXPLAIN ANALYZE` of `/api/council/reports/`). Every other query
keeps Django's default cursor (parameters bound on the client, never prepared): that cursor cannot prepare, so
allowing prepared statements on the connection (`prepare_threshold`, which Django leaves off for the sake of
connection poolers) changes nothing for them. A pooler in transaction mode (PgBouncer) would need
`OPTIONS: {"prepare_threshold": None}`, which turns the prepared cursor back into an ordinary one. psycopg keeps at
most 100 statements a connection and forgets them all after a ROLLBACK, DROP or ALTER on it.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base, operations

_NEVER = 2**31 - 1  # executions before psycopg prepares a statement on its own: never, only when asked


class PreparingCursor(base.ServerBindingCursor):
    """A server-binding cursor that asks the server to prepare each statement it runs (reusing it when the same
    SQL with parameters of the same types comes again on the connection)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=prepare is not False, binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The logged text of a prepared statement, composed as the client-binding cursor would have sent it."""
        if isinstance(cursor, PreparingCursor):
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _preparing = False

    def get_connection_params(self):
        params = super().get_connection_params()
        if "prepare_threshold" not in self.settings_dict["OPTIONS"]:
            params["prepare_threshold"] = _NEVER
        return params

    def prepared_cursor(self):
        """Django's cursor (query logging, error mapping, time zone) over a PreparingCursor."""
        if self.settings_dict["OPTIONS"].get("prepare_threshold", _NEVER) is None:
            return self.cursor()
        self._preparing = True
        try:
            return self.cursor()
        finally:
            self._preparing = False

    def create_cursor(self, name=None):
        if not self._preparing or name:
            return super().create_cursor(name)
        factory = self.connection.cursor_factory
        self.connection.cursor_factory = PreparingCursor
        try:
            return super().create_cursor(name)
        finally:
            self.connection.cursor_factory = factory

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
