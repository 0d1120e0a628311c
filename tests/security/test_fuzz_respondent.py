"""Random input to the respondent's forms: never a server error, and a refused
post (4xx) changes nothing that is stored."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meldcode_survey.responses.models import Draft, Response

pytestmark = pytest.mark.django_db

SLUG = "brede-reflectie"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CODES = [
    "sector", "beroep", "ervaring", "toegepast", "D01", "D05", "D10",
    "casus_voorbeeld", "casus_met_dilemma", "casus_dilemma", "casus_stap",
    "casus_opvolging", "casus_uitkomst", "tips",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "kinderopvang",
            "yes",
            "no",
            "nvt",
            "1",
            "5",
            "6",
            "-1",
            "0",
            "",
            "\x00",
            "9" * 40,
            "<script>",
            "' OR 1=1 --",
            "a" * 20_000,
            "ja",
            "NaN",
            "[]",
        ]
    ),  # fmt: skip
)
NAMES = st.one_of(
    st.sampled_from([f"q_{code}" for code in CODES]),
    st.sampled_from(
        [
            "action",
            "review",
            "draft",
            "website",
            "submission_key",
            "confirm_screening",
            "q_",
            "q_D01[]",
        ]
    ),  # fmt: skip
    st.text(max_size=20),
)
POSTS = st.dictionaries(NAMES, st.lists(VALUES, min_size=1, max_size=3), max_size=10)


@pytest.fixture
def respondent(seed_version):
    client = Client(raise_request_exception=False)
    client.post(reverse("responses:landing", args=[SLUG]))
    return client


def _stored() -> tuple:
    drafts = list(
        Draft.objects.order_by("pk").values_list(
            "answers", "current_section", "resume_code_hash", "updated_at"
        )
    )
    return drafts, Response.objects.count()


def _post(client, url: str, data: dict) -> None:
    before = _stored()
    response = client.post(url, data)
    assert response.status_code < 500, (url, data)
    if 400 <= response.status_code < 500:
        assert _stored() == before, (url, data)


@FUZZ
@given(section=st.sampled_from(["profiel", "dilemmas", "casus", "afsluiting", "x"]),
       data=POSTS)  # fmt: skip
def test_random_posts_to_a_page_never_fail(respondent, section, data):
    _post(respondent, reverse("responses:page", args=[SLUG, section]), data)


@FUZZ
@given(
    data=POSTS,
    key=st.one_of(st.uuids().map(str), st.text(max_size=40), st.just("own")),
)
def test_random_posts_to_the_review_never_fail(respondent, data, key):
    draft = Draft.objects.order_by("-pk").first()
    own = str(draft.key) if draft else str(uuid.uuid4())
    data = {**data, "submission_key": own if key == "own" else key}
    _post(respondent, reverse("responses:review", args=[SLUG]), data)
