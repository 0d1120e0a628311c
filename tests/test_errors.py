import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from meldcode_survey.responses import views as respondent_views
from meldcode_survey.views import server_error
from tests.conftest import complete_answers
from tests.responses.test_pages import BASE, _post_data, _start


def test_server_error_page_for_an_ordinary_error():
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


@pytest.mark.django_db
def test_database_outage_gives_a_clear_503_and_keeps_the_draft(
    seed_version, monkeypatch
):
    client = Client(raise_request_exception=False)
    _start(client)

    def unavailable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(respondent_views, "draft_save_answers", unavailable)
    data = _post_data("profiel", complete_answers())
    response = client.post(f"{BASE}/pagina/profiel/", data)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "blijft bewaard" in response.content.decode()
    monkeypatch.undo()
    retried = client.post(f"{BASE}/pagina/profiel/", data)
    assert retried["Location"].endswith("/pagina/dilemmas/")


@pytest.mark.django_db
def test_a_session_lost_to_a_database_outage_gives_the_503_not_a_400(
    seed_version, monkeypatch
):
    from django.contrib.sessions.models import Session

    client = Client(raise_request_exception=False)
    _start(client)

    def unavailable(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(Session, "save", unavailable)
    data = {**_post_data("profiel", complete_answers()), "action": "save"}
    response = client.post(f"{BASE}/pagina/profiel/", data)

    assert response.status_code == 503
    assert "blijft bewaard" in response.content.decode()
