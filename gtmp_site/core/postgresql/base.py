"""Django's PostgreSQL backend, with a bound on every wait for the server.

A server that stops answering in the middle of a connection (a frozen host, a
proxy that hangs) is not noticed by TCP: the peer's kernel still acknowledges
what is sent, so keepalives and ``tcp_user_timeout`` never fire, and the
server-side ``statement_timeout`` never runs. psycopg would wait forever.

Here each wait for the server during a request (a query, a commit, Django's
health check of a reused connection) ends after ``settings.DB_WAIT_SECONDS``:
the connection is closed and the request fails like any database outage, with
a 503 and Retry-After (gtmp_site/views.py). Outside requests (migrations,
backups, management commands) waits are unbounded, as before; the server's
statement timeout still applies. See docs/operations.md.
"""

import contextvars
from contextlib import contextmanager

import psycopg
from django.db.backends.postgresql import base

# Seconds a wait for the server may last, in the current request; None outside one.
_wait_seconds = contextvars.ContextVar("db_wait_seconds", default=None)


@contextmanager
def bounded_waits(seconds):
    """Bound every wait for the server made inside to ``seconds``."""
    token = _wait_seconds.set(seconds)
    try:
        yield
    finally:
        _wait_seconds.reset(token)


class BoundedConnection(psycopg.Connection):
    def wait(self, gen, *args, timeout=None, **kwargs):
        bound = _wait_seconds.get()
        if bound is None or timeout is not None:  # psycopg's own timed waits stay
            return super().wait(gen, *args, timeout=timeout, **kwargs)
        try:
            return super().wait(gen, *args, timeout=bound, **kwargs)
        except psycopg.OperationalError:
            # Mid-protocol after a timeout: the connection cannot be used again.
            self.pgconn.finish()
            raise


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # The same object, with BoundedConnection's wait(): psycopg offers no
        # other way to choose the class that Django's backend connects with.
        connection.__class__ = BoundedConnection
        return connection
