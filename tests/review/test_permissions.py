"""Only staff reach the workspace: every URL of the review namespace is checked."""

import pytest
from django.urls import URLPattern, reverse

from meldcode_survey.review import urls as review_urls
from meldcode_survey.review.models import Redaction
from meldcode_survey.review.services import coding_save, redaction_save
from tests import factories

PATTERNS: list[URLPattern] = review_urls.urlpatterns


@pytest.fixture
def coded(narrative, codes, staff_user):
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["A"]], has_dilemma=True
    )
    redaction_save(
        narrative=narrative,
        writer=staff_user,
        texts={"description": "Geredigeerd", "dilemma": "", "follow_up": ""},
    )
    return narrative


def _url(pattern: URLPattern, narrative) -> str:
    kwargs = {"pk": narrative.pk} if "pk" in pattern.pattern.converters else {}
    return reverse(f"review:{pattern.name}", kwargs=kwargs)


def test_every_pattern_is_covered():
    names = {p.name for p in PATTERNS}
    assert {"index", "narrative", "resolve", "redaction", "agreement"} <= names


def _answers(client, narrative):
    """(pattern, method, response) for every review URL, by GET and by POST."""
    for pattern in PATTERNS:
        for method in ("get", "post"):
            response = getattr(client, method)(_url(pattern, narrative))
            yield f"{method.upper()} {pattern.name}", response


def test_anonymous_users_are_sent_to_login_everywhere(client, coded):
    for where, response in _answers(client, coded):
        assert response.status_code == 302, where
        assert response["Location"].startswith(reverse("login")), where


@pytest.mark.parametrize("role", ["analyst", "outsider", "admin_flag_only"])
def test_analysts_and_outsiders_get_403_everywhere(
    client, coded, role, analyst_user, outsider_user, login_as
):
    users = {
        "analyst": analyst_user,
        "outsider": outsider_user,
        # is_staff opens the Django admin, but is not the staff role.
        "admin_flag_only": factories.UserFactory(is_staff=True),
    }
    login_as(users[role])

    for where, response in _answers(client, coded):
        assert response.status_code == 403, where
        assert coded.description not in response.content.decode(), where


def test_refused_posts_change_nothing(client, coded, analyst_user, codes, login_as):
    login_as(analyst_user)

    client.post(
        reverse("review:narrative", args=[coded.pk]),
        {"codes": [codes["B"].pk], "has_dilemma": "no"},
    )
    client.post(reverse("review:redaction_approve", args=[coded.pk]))

    assert coded.codings.get().codes.get().key == "A"
    assert not Redaction.objects.get().is_approved


def test_staff_reach_every_page(staff_client, coded):
    for pattern in PATTERNS:
        response = staff_client.get(_url(pattern, coded))

        # POST-only actions answer a GET with 405; the others show or redirect.
        assert response.status_code in {200, 302, 405}, pattern.name
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("login"))


def test_analyst_cannot_reach_the_codebook_admin(analyst_client, codebook):
    response = analyst_client.get(
        reverse("admin:review_codebook_change", args=[codebook.pk])
    )

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_admin_flag_without_staff_role_cannot_see_codebooks(client, codebook, login_as):
    login_as(factories.UserFactory(is_staff=True))

    response = client.get(reverse("admin:review_codebook_changelist"))

    assert response.status_code == 403
