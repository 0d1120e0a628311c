"""The idle timeout of signed-in users, and what it leaves alone."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meldcode_survey.accounts.middleware import LAST_ACTIVITY
from meldcode_survey.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


def _idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY] = time.time() - seconds
    session.save()


def test_a_request_counts_as_activity(staff_client, settings):
    staff_client.get("/review/")
    _idle_for(staff_client, settings.SESSION_IDLE_TIMEOUT - 60)

    assert staff_client.get("/review/").status_code == 200

    assert staff_client.session[LAST_ACTIVITY] > time.time() - 5


def test_requests_within_a_minute_do_not_write_the_session_again(staff_client):
    staff_client.get("/review/")
    stamp = staff_client.session[LAST_ACTIVITY]

    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get("/review/").status_code == 200

    assert staff_client.session[LAST_ACTIVITY] == stamp
    assert not [q for q in queries if "UPDATE" in q["sql"] and "session" in q["sql"]]


def test_after_the_timeout_the_next_request_logs_out(
    staff_client, staff_user, settings
):
    staff_client.get("/review/")
    _idle_for(staff_client, settings.SESSION_IDLE_TIMEOUT + 1)

    response = staff_client.get("/review/", follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "_auth_user_id" not in staff_client.session
    messages = [str(m) for m in response.context["messages"]]
    assert any("15" in m for m in messages)
    assert AuditEntry.objects.filter(
        action=Action.SESSION_EXPIRED, actor=staff_user
    ).exists()


def test_the_status_check_does_not_extend_the_session(staff_client, settings):
    staff_client.get("/review/")
    _idle_for(staff_client, settings.SESSION_IDLE_TIMEOUT - 100)

    status = staff_client.get(reverse("accounts:session_status")).json()

    assert status["authenticated"] is True
    assert 95 <= status["remaining"] <= 100
    assert status["warning"] == settings.SESSION_IDLE_WARNING


def test_staying_logged_in_restarts_the_clock(staff_client, settings):
    staff_client.get("/review/")
    _idle_for(staff_client, settings.SESSION_IDLE_TIMEOUT - 100)

    state = staff_client.post(reverse("accounts:session_extend")).json()

    assert state["remaining"] >= settings.SESSION_IDLE_TIMEOUT - 5


def test_staying_logged_in_restarts_the_clock_even_within_a_minute(staff_client):
    staff_client.get("/review/")
    _idle_for(staff_client, 30)

    staff_client.post(reverse("accounts:session_extend"))

    assert staff_client.session[LAST_ACTIVITY] > time.time() - 5


def test_the_status_check_after_the_timeout_reports_the_logout(staff_client, settings):
    staff_client.get("/review/")
    _idle_for(staff_client, settings.SESSION_IDLE_TIMEOUT + 1)

    status = staff_client.get(reverse("accounts:session_status")).json()

    assert status == {"authenticated": False, "remaining": 0}
    assert "_auth_user_id" not in staff_client.session


def test_pages_for_signed_in_users_carry_the_warning_script(staff_client, client):
    page = staff_client.get("/review/").content.decode()
    assert "js/session-timeout.js" in page
    assert 'id="session-timeout"' in page


def test_respondents_never_get_the_timeout(client, seed_version, settings):
    landing = client.get(reverse("responses:landing", args=["brede-reflectie"]))
    assert "session-timeout" not in landing.content.decode()

    client.post(reverse("responses:landing", args=["brede-reflectie"]))
    session = client.session
    # Anonymous sessions keep Django's long default age: the draft stays reachable.
    assert LAST_ACTIVITY not in session
    assert session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert (
        client.get(reverse("responses:continue", args=["brede-reflectie"])).status_code
        == 302
    )
