"""The keyboard flow and accessibility of the workspace in a real browser."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meldcode_survey.review.models import Coding, Redaction
from meldcode_survey.review.services import (
    coding_save,
    redaction_flag_dismiss,
    redaction_save,
)
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_page(live_server, new_page, staff_user, verified_login):
    """A browser page signed in as staff, second factor passed."""
    client = verified_login(Client(), staff_user)
    page = new_page(viewport={"width": 1280, "height": 900})
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def test_coding_by_keyboard_alone(live_server, staff_page, make_narrative, staff_user):
    first, second, third = [make_narrative(has_dilemma=True) for _ in range(3)]
    page = staff_page
    page.goto(live_server.url + reverse("review:next"))
    assert page.url.endswith(reverse("review:narrative", args=[first.pk]))

    page.keyboard.press("1")
    page.keyboard.press("3")
    page.keyboard.press("3")  # toggled off again
    page.keyboard.press("5")
    page.keyboard.press("z")
    assert page.locator("[data-announce]").inner_text() != ""
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('review:narrative', args=[second.pk])}")

    coding = Coding.objects.get(narrative=first, coder=staff_user)
    assert sorted(coding.codes.values_list("key", flat=True)) == ["A", "E"]
    assert coding.has_dilemma is False

    # Typing in the note does not toggle codes; O skips without saving.
    page.locator("textarea").first.type("1 2 3")
    page.locator("h1").click()
    page.keyboard.press("o")
    page.wait_for_url(f"**{reverse('review:narrative', args=[third.pk])}")
    assert not Coding.objects.filter(narrative=second).exists()


def test_workspace_pages_pass_axe(
    live_server, staff_page, make_narrative, codes, staff_user
):
    narrative = make_narrative(
        description="Jan de Vries kwam vaak hongerig binnen.",
        screening_flags={
            "description": [
                {"kind": "name", "start": 0, "end": 12, "fragment": "Jan de Vries"}
            ]
        },
    )
    coding_save(
        narrative=narrative, coder=staff_user, codes=[codes["A"]], has_dilemma=True
    )
    # The redaction page with an open flag (its dismiss form) and a dismissed one.
    redaction = redaction_save(
        narrative=narrative,
        writer=staff_user,
        texts={"description": narrative.description, "dilemma": "", "follow_up": ""},
    )
    name_flag = {"kind": "name", "start": 0, "end": 12, "fragment": "Jan de Vries"}
    Redaction.objects.filter(pk=redaction.pk).update(
        flags={"description": [name_flag, {**name_flag, "kind": "place"}]},
        screened_at=timezone.now(),
    )
    redaction_flag_dismiss(
        redaction=redaction,
        user=staff_user,
        field="description",
        kind="place",
        fragment="Jan de Vries",
        reason="Geen plaats",
    )
    page = staff_page
    for name, args in [
        ("review:resolve", [narrative.pk]),
        ("review:index", []),
        ("review:narrative", [narrative.pk]),
        ("review:redaction", [narrative.pk]),
        ("review:agreement", []),
        ("review:frequencies", []),
    ]:
        page.goto(live_server.url + reverse(name, args=args))
        assert_accessible(page)
