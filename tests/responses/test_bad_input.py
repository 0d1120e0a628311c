"""Tampered or invalid input: a clear message, a 4xx status, stored data unchanged."""

import uuid

import pytest

from meldcode_survey.responses.models import Draft, Response
from tests.conftest import complete_answers
from tests.responses.test_pages import BASE, _answer_all, _post_data, _start

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(client, seed_version):
    _start(client)
    client.post(f"{BASE}/pagina/profiel/", _post_data("profiel", complete_answers()))
    return client


def _answers() -> dict:
    return dict(Draft.objects.get().answers)


DILEMMAS = _post_data("dilemmas", complete_answers())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"q_D03": "7"}, "Selecteer een geldige keuze"),
        ({"q_D03": "-1"}, "Selecteer een geldige keuze"),
        ({"q_D03": ""}, "Dit veld is verplicht"),
        ({"q_casus_uitkomst": "hulp"}, "niet bij hoort"),
        ({"q_unknown_question": "1"}, "niet bij hoort"),
    ],
)
def test_tampered_dilemma_page_is_refused_without_changing_the_draft(
    started, change, message
):
    before = _answers()
    response = started.post(f"{BASE}/pagina/dilemmas/", {**DILEMMAS, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _answers() == before


def test_a_question_of_another_version_is_refused(started, seed_version):
    from meldcode_survey.questionnaires.models import Question
    from meldcode_survey.questionnaires.services import version_copy

    draft = version_copy(seed_version)
    other = Question.objects.filter(version=draft).exclude(code__startswith="D")
    other.filter(code="tips").update(code="tips_v2")
    before = _answers()
    response = started.post(f"{BASE}/pagina/dilemmas/", {**DILEMMAS, "q_tips_v2": "x"})
    assert response.status_code == 400
    assert _answers() == before


def test_an_option_that_does_not_exist_is_refused(started):
    data = _post_data("profiel", complete_answers(sector="ruimtevaart"))
    response = started.post(f"{BASE}/pagina/profiel/", data)
    assert response.status_code == 400
    assert "ruimtevaart is geen beschikbare keuze" in response.content.decode()
    assert _answers()["sector"] == "kinderopvang"


def test_oversized_text_is_refused_and_kept_in_the_form(started):
    started.post(f"{BASE}/pagina/dilemmas/", DILEMMAS)
    text = "x" * 2001
    data = _post_data("casus", complete_answers(casus_voorbeeld=text))
    response = started.post(f"{BASE}/pagina/casus/", data)
    content = response.content.decode()
    assert response.status_code == 400
    assert "niet meer dan 2000 tekens bevat" in content
    assert text in content
    assert "casus_voorbeeld" not in _answers()


def test_missing_required_answers_are_listed_in_the_summary(started):
    response = started.post(f"{BASE}/pagina/dilemmas/", {"action": "next"})
    content = response.content.decode()
    assert response.status_code == 400
    assert content.count("Dit veld is verplicht") >= 10
    assert 'href="#id_q_D01_0"' in content


def test_an_unknown_page_is_not_found(started):
    assert started.get(f"{BASE}/pagina/bestaat-niet/").status_code == 404


def test_a_tampered_submission_key_is_refused(client, seed_version):
    _start(client)
    _answer_all(client, complete_answers())
    response = client.post(
        f"{BASE}/controleren/", {"submission_key": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_a_malformed_submission_key_is_refused(client, seed_version):
    _start(client)
    response = client.post(f"{BASE}/controleren/", {"submission_key": "'; DROP"})
    assert response.status_code == 400


def test_pages_without_a_draft_explain_how_to_continue(client, seed_version):
    response = client.get(f"{BASE}/pagina/profiel/")
    assert response.status_code == 404
    assert "hervatcode" in response.content.decode()


def test_an_unknown_questionnaire_is_not_found(client, db):
    assert client.get("/q/bestaat-niet/").status_code == 404


def test_a_number_out_of_range_is_refused(client, db):
    from meldcode_survey.questionnaires.definition import import_definition

    import_definition(
        {
            "slug": "getal",
            "english_fallback": True,
            "title": "Getal",
            "sections": [
                {
                    "code": "p",
                    "title": "P",
                    "questions": [
                        {
                            "code": "jaren",
                            "type": "number",
                            "text": "Hoeveel jaar?",
                            "min_value": 0,
                            "max_value": 60,
                        }
                    ],
                }
            ],
        },
        publish=True,
    )
    client.post("/q/getal/")
    response = client.post("/q/getal/pagina/p/", {"action": "next", "q_jaren": "99"})
    assert response.status_code == 400
    assert "hoogstens 60 is" in response.content.decode()
    response = client.post("/q/getal/pagina/p/", {"action": "next", "q_jaren": "abc"})
    assert response.status_code == 400
    assert Draft.objects.get().answers == {}
