"""The shortcuts of the respondent's path give what the long way gives: the
draft of this questionnaire only, shared form fields and page frames in the
page's language, and every text screened once by the submit."""

import pytest
from django.core.cache import caches
from django.test import Client

from meldcode_survey.questionnaires.models import Questionnaire
from meldcode_survey.responses import forms, queries, rendering, screening, summary
from meldcode_survey.responses import services as response_services
from meldcode_survey.responses.flow import Flow
from meldcode_survey.responses.models import CaseNarrative, Draft, Response
from meldcode_survey.responses.services import draft_start
from tests import factories
from tests.conftest import celery_in_process, complete_answers
from tests.responses.test_pages import (
    BASE,
    _answer_all,
    _post_data,
    _start,
    _submission_key,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_caches():
    rendering._blanks.clear()
    forms._fields.clear()
    caches["fragments"].clear()
    yield
    rendering._blanks.clear()
    forms._fields.clear()
    caches["fragments"].clear()


def test_a_draft_is_found_only_under_its_own_questionnaire(seed_version):
    draft, _code = draft_start(seed_version)
    other = factories.QuestionnaireFactory(slug="andere-vragenlijst")

    found = queries.live_draft(draft.key, "brede-reflectie")
    assert found.pk == draft.pk
    assert found.version.pk == seed_version.pk
    assert found.version.questionnaire.slug == "brede-reflectie"
    assert queries.live_draft(draft.key, other.slug) is None


def test_an_expired_draft_is_not_found(seed_version):
    draft, _code = draft_start(seed_version)
    Draft.objects.filter(pk=draft.pk).update(expires_at=draft.created_at)
    assert queries.live_draft(draft.key, "brede-reflectie") is None


def test_a_renamed_questionnaire_finds_its_drafts_under_the_new_name(seed_version):
    draft, _code = draft_start(seed_version)
    before = queries.live_draft(draft.key, "brede-reflectie")  # fills the caches
    assert before.version.questionnaire.slug == "brede-reflectie"
    Questionnaire.objects.filter(pk=seed_version.questionnaire_id).update(
        slug="nieuwe-naam"
    )

    found = queries.live_draft(draft.key, "nieuwe-naam")
    assert found.version.questionnaire.slug == "nieuwe-naam"
    assert queries.live_draft(draft.key, "brede-reflectie") is None


def test_bad_input_is_explained_in_the_language_of_the_page(seed_version):
    client = Client()
    _start(client)
    data = _post_data("profiel", complete_answers(beroep="Intern begeleider"))
    del data["q_sector"]
    dutch = client.post(f"{BASE}/pagina/profiel/", data).content.decode()
    client.cookies["django_language"] = "en"
    response = client.post(f"{BASE}/pagina/profiel/", data)

    english = response.content.decode()
    assert response.status_code == 400
    assert "Dit veld is verplicht" in dutch and "In welke sector werk je" in dutch
    assert "This field is required" in english
    assert "In which sector do you work" in english
    assert "In welke sector werk je" not in english
    assert 'value="Intern begeleider"' in english


def test_the_frame_of_the_page_is_in_the_language_of_the_page(seed_version):
    client = Client()
    _start(client)
    dutch = client.get(f"{BASE}/pagina/profiel/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(f"{BASE}/pagina/profiel/").content.decode()

    assert "Snel weg" in dutch and "Toegankelijkheid" in dutch
    assert "Quick exit" in english and "Accessibility" in english
    assert "Snel weg" not in english and "Toegankelijkheid" not in english
    assert 'lang="en">\n              English' in dutch  # the switch offers English
    assert 'lang="nl">\n              Nederlands' in english


def test_the_frame_holds_nothing_of_the_request(seed_version):
    first, second = Client(), Client()
    _start(first)
    _start(second)
    caches["fragments"].clear()
    page = first.get(f"{BASE}/pagina/dilemmas/?review=1").content.decode()
    assert f'value="{BASE}/pagina/dilemmas/?review=1"' in page  # the switch's next
    theirs = second.get(f"{BASE}/pagina/profiel/").content.decode()
    assert f'value="{BASE}/pagina/profiel/"' in theirs
    assert "dilemmas/?review=1" not in theirs
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_a_submit_screens_each_text_once(seed_version, monkeypatch):
    screened = []

    def counted(text):
        screened.append(text)
        return screen(text)

    screen = screening.screen
    monkeypatch.setattr(summary, "screen", counted)
    monkeypatch.setattr(response_services, "screen", counted)
    client = Client()
    _start(client)
    text = "Een kind kwam vaak met vieze kleding op de groep."
    _answer_all(client, complete_answers(casus_voorbeeld=text))
    key = _submission_key(client)
    screened.clear()

    response = client.post(f"{BASE}/controleren/", {"submission_key": key})

    assert response.status_code == 302
    stored = Response.objects.get()
    assert sorted(screened) == sorted(set(screened))
    assert text in screened
    narrative = CaseNarrative.objects.get(response=stored)
    assert narrative.screening_flags["description"] == []


def test_the_respondent_s_submit_request_leaves_the_rollups_to_the_task(
    seed_version, django_capture_on_commit_callbacks
):
    from meldcode_survey.dashboard.models import ResponseRollup

    client = Client()
    _start(client)
    _answer_all(client, complete_answers())
    key = _submission_key(client)
    with celery_in_process():  # tasks run here, as soon as they are sent
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(f"{BASE}/controleren/", {"submission_key": key})

        assert response.status_code == 302
        stored = Response.objects.get()
        assert not ResponseRollup.objects.exists()
        assert not stored.counted_in_rollups
        for callback in callbacks:  # after the commit
            callback()
    assert ResponseRollup.objects.get().respondents == 1
    stored.refresh_from_db()
    assert stored.counted_in_rollups


def test_the_flow_s_visible_answers_follow_a_draft_changed_in_place(seed_version):
    """visible_answers() remembers its last answers; a view that changes the
    draft's answers in place (or the result) must still get the truth."""
    flow = Flow.for_version(seed_version)
    answers = complete_answers()
    shown = flow.visible_sections(answers)
    kept = flow.visible_answers(answers)
    kept["toegepast"] = "changed by the caller"
    answers["toegepast"] = "no"  # in place, as draft_save_answers does
    assert flow.visible_answers(answers)["toegepast"] == "no"
    assert "casus_voorbeeld" not in flow.visible_answers(answers)
    assert len(flow.visible_sections(answers)) < len(shown)


def test_the_landing_page_reads_afresh_whether_its_version_is_still_published(
    seed_version,
):
    client = Client()
    assert b'name="website"' in client.get(f"{BASE}/").content  # caches the version
    type(seed_version).objects.filter(pk=seed_version.pk).update(status="closed")

    page = client.get(f"{BASE}/")
    assert b'name="website"' not in page.content
    assert client.post(f"{BASE}/", {"website": ""}).status_code == 302
    assert not Draft.objects.exists()
    assert client.get("/q/no-such-questionnaire/").status_code == 404
