"""Staff and analyst journeys in a real browser, from respondents' answers to the
example on the sector page and the downloaded fact sheet."""

import pytest
from django.conf import settings
from django.test import Client

from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.review.models import Redaction
from tests.conftest import celery_in_process, complete_answers, login_verified
from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTOR_URL = "/dashboard/brede-reflectie/kinderopvang/"


@pytest.fixture(autouse=True)
def eager_celery():
    """Exports run in-process here, also in CI where REDIS_URL is set."""
    with celery_in_process():
        yield


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT.mkdir()


@pytest.fixture
def childcare(seed_version, submit):
    """Twelve childcare respondents: enough that nothing is suppressed."""
    for index in range(12):
        submit(
            seed_version,
            complete_answers(
                D01=str(index % 5 + 1),
                casus_voorbeeld=f"Een kind kwam vaak zonder jas ({index}).",
            ),
        )
    return seed_version


def _signed_in_page(new_page, live_server, user):
    client = login_verified(Client(), user)
    page = new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie,
                "url": live_server.url,
            }
        ]
    )
    return page


@pytest.mark.deduce  # approval waits for the thorough screening of the redaction
def test_staff_redact_and_approve_an_example_that_analysts_then_see(
    live_server, new_page, childcare, staff_user
):
    narrative = CaseNarrative.objects.first()
    writer = _signed_in_page(new_page, live_server, staff_user)
    writer.goto(f"{live_server.url}/review/{narrative.pk}/redaction/")
    assert_accessible(writer)
    writer.get_by_label("Beschrijving (geanonimiseerd)").fill(
        "Een kind kwam vaak zonder jas."
    )
    writer.get_by_label("Dilemma (geanonimiseerd)").fill("Hoe ernstig is dit?")
    writer.get_by_label("Opvolging (geanonimiseerd)").fill("Overlegd met collega's.")
    writer.get_by_role("button", name="Geanonimiseerde versie opslaan").click()

    second = UserFactory(role="staff", is_staff=True)
    approver = _signed_in_page(new_page, live_server, second)
    approver.goto(f"{live_server.url}/review/{narrative.pk}/redaction/")
    approver.get_by_role(
        "button", name="Deze geanonimiseerde versie goedkeuren"
    ).click()
    approver.get_by_role(
        "button", name="Als voorbeeld voor de factsheet markeren"
    ).click()

    redaction = Redaction.objects.get(narrative=narrative)
    assert redaction.is_approved and redaction.is_example
    narrative.refresh_from_db()
    assert narrative.description.endswith("(0).")  # the original is untouched

    analyst = _signed_in_page(new_page, live_server, UserFactory(role="analyst"))
    analyst.goto(f"{live_server.url}{SECTOR_URL}")
    assert analyst.get_by_text("Overlegd met collega's.").is_visible()
    assert analyst.get_by_text("(0).").count() == 0


def test_analyst_views_a_sector_and_downloads_the_pdf_and_xlsx(
    live_server, new_page, childcare
):
    analyst = UserFactory(role="analyst")
    page = _signed_in_page(new_page, live_server, analyst)
    page.goto(f"{live_server.url}/dashboard/")
    assert_accessible(page)
    page.get_by_role("link", name="Kinderopvang").first.click()
    assert page.locator("figure.dilemma-chart").first.is_visible()
    assert page.locator("table caption").count() >= 1
    assert_accessible(page)

    page.goto(f"{live_server.url}/downloads/")
    assert_accessible(page)
    for file_format, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        page.get_by_label("Sector").select_option("kinderopvang")
        page.get_by_label("Formaat").select_option(file_format)
        page.get_by_role("button", name="Nu aanvragen").click()
        link = page.locator(
            f"a[href^='/downloads/'][download]:has-text('.{file_format}')"
        )
        with page.expect_download() as download:
            link.first.click()
        path = download.value.path()
        with open(path, "rb") as handle:
            assert handle.read(4).startswith(magic)
        assert download.value.suggested_filename.endswith(f".{file_format}")
