"""The staff journey of a new wave in a real browser: log in with an
authenticator code, make version 2, reword an item, add a Likert item, be
refused publishing with a broken question, fix it, publish with confirmation;
a respondent answers and the analyst sees the reworded item marked."""

import re

import pytest
from django.conf import settings
from django.test import Client

from meldcode_survey.accounts.roles import ANALYST, STAFF
from meldcode_survey.questionnaires.models import Question, Section, Version
from meldcode_survey.responses.models import Response
from tests import factories
from tests.conftest import login_verified
from tests.e2e.conftest import assert_accessible
from tests.security.test_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_D01 = "Ik twijfel of wat ik zie een signaal is"


def _row_prefix(page, code: str) -> str:
    """The form prefix (questions-3) of the inline row whose code is `code`."""
    name = page.locator(f"input[name$='-code'][value='{code}']").get_attribute("name")
    return name.removesuffix("-code")


def _add_inline_row(page, group: str) -> str:
    page.locator(f"#{group}-group .add-row a").click()
    total = int(page.locator(f"#id_{group}-TOTAL_FORMS").input_value())
    return f"{group}-{total - 1}"


def _make_version_two(page, base: str, first: Version) -> Version:
    page.goto(f"{base}/admin/questionnaires/version/{first.pk}/change/")
    page.get_by_role("link", name="New version").click()
    page.get_by_role("button", name="Yes, make a new version").click()
    page.wait_for_url(re.compile(r"/version/\d+/change/"))
    return Version.objects.get(status=Version.Status.DRAFT)


def _reword_and_add(page, base: str, draft: Version) -> None:
    dilemmas = Section.objects.get(version=draft, code="dilemmas")
    page.goto(f"{base}/admin/questionnaires/section/{dilemmas.pk}/change/")
    d01 = _row_prefix(page, "D01")
    page.locator(f"#id_{d01}-text").fill(NEW_D01)
    page.locator(f"#id_{d01}-text_en").fill("I doubt whether what I see is a sign")
    row = _add_inline_row(page, "questions")
    page.locator(f"#id_{row}-position").fill("10")
    page.locator(f"#id_{row}-code").fill("D11")
    page.locator(f"#id_{row}-type").select_option("likert")
    page.locator(f"#id_{row}-text").fill("Ik weet niet hoe ik de kindcheck doe")
    page.locator(f"#id_{row}-text_en").fill("I do not know how to do the kindcheck")
    page.locator(f"#id_{row}-group").select_option(label="dilemmas")
    page.locator("input[name='_save']").click()
    page.wait_for_url(re.compile(r"/section/(\?.*)?$"))

    closing = Section.objects.get(version=draft, code="afsluiting")
    page.goto(f"{base}/admin/questionnaires/section/{closing.pk}/change/")
    row = _add_inline_row(page, "questions")
    page.locator(f"#id_{row}-position").fill("1")
    page.locator(f"#id_{row}-code").fill("bekend")
    page.locator(f"#id_{row}-type").select_option("single_choice")
    page.locator(f"#id_{row}-text").fill("Hoe hoorde je van deze vragenlijst?")
    page.locator(f"#id_{row}-text_en").fill("How did you hear of this survey?")
    page.locator("input[name='_save']").click()
    page.wait_for_url(re.compile(r"/section/(\?.*)?$"))


def _add_choices(page, base: str, question: Question) -> None:
    page.goto(f"{base}/admin/questionnaires/question/{question.pk}/change/")
    for code, label, english in (
        ("collega", "Via een collega", "From a colleague"),
        ("nieuwsbrief", "Via een nieuwsbrief", "From a newsletter"),
    ):
        row = _add_inline_row(page, "choices")
        page.locator(f"#id_{row}-code").fill(code)
        page.locator(f"#id_{row}-label").fill(label)
        page.locator(f"#id_{row}-label_en").fill(english)
    page.locator("input[name='_save']").click()
    page.wait_for_url(re.compile(r"/question/(\?.*)?$"))


def _answer_as_respondent(page, base: str) -> None:
    page.goto(f"{base}/q/brede-reflectie/")
    page.get_by_role("button", name="Start de vragenlijst").click()
    page.get_by_label("Kinderopvang").check()
    page.get_by_label("5 tot 10 jaar").check()
    page.locator("#id_q_toegepast input[value='no']").check()
    page.get_by_role("button", name="Volgende").click()
    items = page.locator("fieldset.likert-item")
    assert page.get_by_text(NEW_D01).is_visible()
    for fieldset in items.all():
        fieldset.get_by_label("Enigszins", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Via een collega").check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Mijn antwoorden versturen").click()
    assert page.get_by_role("heading", name="Bedankt voor je antwoorden").is_visible()


def _analyst_page(new_page, base: str):
    client = login_verified(Client(), factories.UserFactory(role=ANALYST))
    page = new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
    )
    return page


def test_staff_make_and_publish_a_new_wave_that_analysts_see_marked(
    live_server, new_page, seed_version
):
    base = live_server.url
    staff = factories.UserFactory(role=STAFF, is_staff=True)
    page = new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, base, staff)

    draft = _make_version_two(page, base, seed_version)
    assert draft.number == 2
    _reword_and_add(page, base, draft)
    assert Question.objects.filter(version=draft, code="D11").exists()

    page.goto(f"{base}/admin/questionnaires/version/{draft.pk}/change/")
    page.get_by_role("link", name="Publish", exact=True).click()
    assert page.get_by_text("“bekend” is a choice question without choices").count()
    assert page.get_by_role("button", name="Yes, publish").count() == 0
    draft.refresh_from_db()
    assert draft.status == Version.Status.DRAFT

    _add_choices(page, base, Question.objects.get(version=draft, code="bekend"))
    page.goto(f"{base}/admin/questionnaires/version/{draft.pk}/change/")
    page.get_by_role("link", name="Publish", exact=True).click()
    assert page.get_by_text("Version 1, live now, will be closed").is_visible()
    page.get_by_role("button", name="Yes, publish").click()
    success = page.locator(".messagelist .success")
    assert re.match(r"Published .* v2 \(Published\)", success.inner_text())
    draft.refresh_from_db()
    assert draft.status == Version.Status.PUBLISHED

    _answer_as_respondent(new_page(locale="nl-NL"), base)
    assert Response.objects.get().version == draft

    analyst = _analyst_page(new_page, base)
    analyst.goto(f"{base}/dashboard/brede-reflectie/kinderopvang/?version=2&compare=1")
    reworded = analyst.locator("tr", has_text=NEW_D01)
    assert reworded.get_by_text("formulering gewijzigd").is_visible()
    unchanged = analyst.locator("tr", has=analyst.get_by_text("Bang voor onterecht"))
    assert unchanged.get_by_text("formulering gewijzigd").count() == 0
    waves = analyst.locator(".table-responsive", has=analyst.locator(".waves-table"))
    fits = waves.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert fits, "the wave columns do not fit the page"
    assert_accessible(analyst)
