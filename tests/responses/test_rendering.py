"""The respondent's pages reuse each question's blank HTML: never anyone's answers,
always the page's language and version, and the same HTML as a full render."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from meldcode_survey.questionnaires.models import Question
from meldcode_survey.questionnaires.services import version_copy, version_publish
from meldcode_survey.responses import rendering
from meldcode_survey.responses.flow import Flow
from meldcode_survey.responses.forms import SectionForm, initial_from_answers
from tests import factories
from tests.conftest import complete_answers
from tests.responses.test_pages import BASE, _post_data, _start

pytestmark = pytest.mark.django_db

CASE_TEXT = "Een kind kwam vaak met vieze kleding op de groep."


@pytest.fixture(autouse=True)
def _empty_cache():
    rendering._blanks.clear()
    yield
    rendering._blanks.clear()


def _answer_up_to_the_case(client: Client) -> None:
    answers = complete_answers()
    for page in ("profiel", "dilemmas", "casus"):
        response = client.post(f"{BASE}/pagina/{page}/", _post_data(page, answers))
        assert response.status_code == 302


def _checked(html: str) -> set[str]:
    return set(re.findall(r'name="(q_\w+)" value="([^"]*)" id="[^"]+" checked', html))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_filled_in_blank_is_the_html_a_full_render_gives(seed_version, language):
    answers = {**complete_answers(), "beroep": 'Leerkracht "groep 3" & <b>'}
    seed_version.refresh_from_db()  # published, as the pages load it
    flow = Flow.for_version(seed_version)
    with translation.override(language):
        for section in flow.sections:
            questions = flow.visible_questions(section, answers)
            initial = initial_from_answers(questions, answers)
            form = SectionForm(questions=questions, initial=initial)
            cached = rendering.blank_blocks(seed_version, questions, initial)
            assert cached == rendering.page_blocks(form), section.code
    assert rendering._blanks  # the pages above did use the cache


def test_one_respondents_answers_never_show_on_anothers_page(seed_version):
    first, second = Client(), Client()
    _start(first)
    _answer_up_to_the_case(first)
    mine = first.get(f"{BASE}/pagina/casus/").content.decode()
    assert CASE_TEXT in mine
    assert ("q_casus_uitkomst", "advies_vt") in _checked(mine)
    dilemmas = first.get(f"{BASE}/pagina/dilemmas/").content.decode()
    assert len(_checked(dilemmas)) == 10

    _start(second)
    second.post(f"{BASE}/pagina/profiel/", _post_data("profiel", complete_answers()))
    theirs = second.get(f"{BASE}/pagina/casus/").content.decode()
    assert CASE_TEXT not in theirs
    assert _checked(theirs) == set()
    assert _checked(second.get(f"{BASE}/pagina/dilemmas/").content.decode()) == set()
    # ... while the first respondent still sees their own.
    assert CASE_TEXT in first.get(f"{BASE}/pagina/casus/").content.decode()


def test_a_changed_language_renders_the_page_in_that_language(seed_version):
    client = Client()
    _start(client)
    client.post(f"{BASE}/pagina/profiel/", _post_data("profiel", complete_answers()))
    dutch = client.get(f"{BASE}/pagina/dilemmas/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(f"{BASE}/pagina/dilemmas/").content.decode()

    assert "Onzekerheid over signalen" in dutch and "In zeer sterke mate" in dutch
    assert "Uncertainty about signs" in english and "To a very large extent" in english
    assert "Onzekerheid over signalen" not in english
    assert "In zeer sterke mate" not in english
    assert dutch.count("<fieldset") == english.count("<fieldset") == 10


def test_a_new_version_renders_its_own_wording(seed_version):
    client = Client()
    _start(client)
    assert (
        "Aanpassing van de tekst"
        not in client.get(f"{BASE}/pagina/profiel/").content.decode()
    )

    draft = version_copy(seed_version)
    question = Question.objects.get(section__version=draft, code="beroep")
    Question.objects.filter(pk=question.pk).update(
        text="Aanpassing van de tekst", text_en="A change of wording"
    )
    version_publish(draft)

    newcomer = Client()
    _start(newcomer)
    page = newcomer.get(f"{BASE}/pagina/profiel/").content.decode()
    assert "Aanpassing van de tekst" in page


def test_bad_input_is_shown_again_with_what_was_entered_and_a_message(seed_version):
    client = Client()
    _start(client)
    client.get(f"{BASE}/pagina/profiel/")  # fills the cache with the blank page
    data = _post_data("profiel", complete_answers(beroep="Intern begeleider"))
    del data["q_sector"]
    response = client.post(f"{BASE}/pagina/profiel/", data)

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in page
    assert "Dit veld is verplicht" in page
    assert 'id="id_q_sector_error"' in page  # at the question, too
    assert 'value="Intern begeleider"' in page
    assert ("q_ervaring", "5_10") in _checked(page)
    assert ("q_toegepast", "yes") in _checked(page)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (Question.Type.NUMBER, 12),
        (Question.Type.MULTIPLE_CHOICE, ["b", "c"]),
        (Question.Type.SHORT_TEXT, "<script>alert(1)</script> & co"),
        (Question.Type.MULTIPLE_CHOICE, None),
        (Question.Type.SINGLE_CHOICE, "b"),
        (Question.Type.YES_NO, "yes"),
        (Question.Type.LONG_TEXT, "Twee regels,\nmet <b>opmaak</b>."),
    ],
)
def test_every_kind_of_question_fills_in_as_a_full_render_does(kind, value):
    section = factories.SectionFactory()
    question = factories.QuestionFactory(section=section, type=kind, required=False)
    for code in "abc":
        factories.ChoiceFactory(question=question, code=code)
    version = section.version
    version.english_fallback = True  # the factories write Dutch only
    version.save()
    version_publish(version)
    version.refresh_from_db()
    question = Flow.for_version(version).questions[0]
    initial = {} if value is None else {f"q_{question.code}": value}
    form = SectionForm(questions=[question], initial=initial)

    (block,) = rendering.blank_blocks(version, [question], initial)
    full = render_to_string(
        rendering.FIELD_TEMPLATE, {"field": form[f"q_{question.code}"]}
    )
    assert block.fields == [full]
    assert rendering._blanks  # it came from the cache
    assert "<script>" not in full
