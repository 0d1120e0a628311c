"""The session store loads what Django's database sessions load."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from meldcode_survey.lib.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved(**data) -> str:
    session = SessionStore()
    session.update(data)
    session.save()
    return session.session_key


def test_a_live_session_is_loaded():
    key = _saved(draft="abc")
    assert SessionStore(session_key=key)["draft"] == "abc"


def test_an_expired_session_is_not_loaded_and_gets_a_new_key():
    key = _saved(draft="abc")
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(1))

    session = SessionStore(session_key=key)
    assert "draft" not in session
    session["x"] = 1
    session.save()
    assert session.session_key != key


def test_an_unknown_key_loads_nothing():
    assert dict(SessionStore(session_key="x" * 32).items()) == {}
