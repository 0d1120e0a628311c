"""Script in any free text, typed by a respondent or by staff, is shown as text.

Every text of the questionnaire (titles, intros, questions, help, choices, scale
labels) and every free-text answer (profession, the three case texts, tips)
carries a payload; the pages that render them must show it escaped.
"""

import pytest
from django.test import Client
from django.urls import reverse

from meldcode_survey.exports.models import Export
from meldcode_survey.questionnaires.definition import import_definition
from meldcode_survey.responses.models import CaseNarrative
from tests.conftest import complete_answers, login_verified

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("xss")</script><img src=x onerror="alert(1)">'
RAW = ("<script>alert(", "<img src=x onerror")
ESCAPED = "&lt;script&gt;alert("
TEXT_KEYS = {"title", "intro", "privacy_text", "text", "help_text", "label"}


def _poison(node):
    if isinstance(node, dict):
        return {
            key: (
                f"{value} {PAYLOAD}"
                if key.removesuffix("_en") in TEXT_KEYS and isinstance(value, str)
                else _poison(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_poison(item) for item in node]
    return node


@pytest.fixture
def poisoned(seed_definition, submit):
    version = import_definition(_poison(seed_definition), publish=True)
    answers = complete_answers(
        beroep=f"Leidster {PAYLOAD}",
        casus_voorbeeld=f"Voorbeeld {PAYLOAD}",
        casus_dilemma=f"Dilemma {PAYLOAD}",
        casus_opvolging=f"Opvolging {PAYLOAD}",
        tips=f"Tip {PAYLOAD}",
    )
    response = submit(version, answers)
    return version, CaseNarrative.objects.get(response=response)


def _assert_escaped(response, url: str, expect_payload: bool = True) -> None:
    assert response.status_code == 200, url
    html = response.content.decode()
    for raw in RAW:
        assert raw not in html, f"{url} renders {raw!r} unescaped"
    if expect_payload:
        assert ESCAPED in html, f"{url} does not show the text at all"


def test_questionnaire_texts_are_escaped_on_the_respondent_pages(poisoned):
    version, _narrative = poisoned
    client = Client()
    slug = version.questionnaire.slug
    _assert_escaped(client.get(f"/q/{slug}/"), "landing")
    client.post(f"/q/{slug}/")
    for section in version.sections.order_by("position")[:2]:  # shown to all
        url = reverse("responses:page", args=[slug, section.code])
        _assert_escaped(client.get(url), url)


def test_answers_typed_by_a_respondent_are_escaped_on_their_review_page(poisoned):
    version, _narrative = poisoned
    client = Client()
    slug = version.questionnaire.slug
    client.post(f"/q/{slug}/")
    profile = version.sections.order_by("position").first()
    client.post(
        reverse("responses:page", args=[slug, profile.code]),
        {"beroep": f"Leidster {PAYLOAD}", "sector": "kinderopvang", "action": "save"},
    )
    url = reverse("responses:review", args=[slug])
    _assert_escaped(client.get(url), url)


def test_narratives_and_answers_are_escaped_in_the_review_pages(poisoned, staff_client):
    _version, narrative = poisoned
    for url in (
        reverse("review:index"),
        reverse("review:narrative", args=[narrative.pk]),
        reverse("review:redaction", args=[narrative.pk]),
    ):
        _assert_escaped(staff_client.get(url), url, expect_payload=url != "/review/")


def test_texts_are_escaped_in_the_admin(poisoned, staff_client):
    version, _narrative = poisoned
    question = version.question_set.get(code="beroep")
    urls = [
        reverse("admin:questionnaires_questionnaire_changelist"),
        reverse(
            "admin:questionnaires_questionnaire_change", args=[version.questionnaire.pk]
        ),
        reverse("admin:questionnaires_version_changelist"),
        reverse("admin:questionnaires_version_change", args=[version.pk]),
        reverse("admin:questionnaires_version_preview", args=[version.pk]),
        reverse("admin:questionnaires_question_changelist"),
        reverse("admin:questionnaires_question_change", args=[question.pk]),
        reverse("admin:questionnaires_section_changelist"),
    ]
    for url in urls:
        _assert_escaped(staff_client.get(url), url)


def test_texts_are_escaped_on_the_dashboard_and_downloads(
    poisoned, staff_user, analyst_user
):
    version, _narrative = poisoned
    slug = version.questionnaire.slug
    # The file list names the questionnaire of each export.
    Export.objects.create(version=version, kind="summary", format="pdf")
    urls = [
        reverse("dashboard:index"),
        reverse("dashboard:overview", args=[slug]),
        reverse("dashboard:sector", args=[slug, "kinderopvang"]),
        reverse("exports:index"),
    ]
    for user in (staff_user, analyst_user):
        client = login_verified(Client(), user)
        for url in urls:
            _assert_escaped(client.get(url), url)
