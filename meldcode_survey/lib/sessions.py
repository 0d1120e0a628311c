"""Django's database sessions, loaded with one written-out statement.

Every request of every visitor with a session cookie loads its session: the
ORM takes several times longer to build that one statement than the database
takes to answer it. Everything else (saving, expiry, cycling the key) is
Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> AbstractBaseSession | None:
        using = router.db_for_read(self.model)
        connection = connections[using]
        sql = (
            "SELECT session_key, session_data, expire_date "  # noqa: S608
            f"FROM {self.model._meta.db_table} "
            "WHERE session_key = %s AND expire_date > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = self.model.objects.db_manager(using).raw(sql, [self.session_key, now])
        session = next(iter(rows), None)
        if session is None:
            self._session_key = None
        return session
