"""The analyst's way in a real browser, and the fact sheet as images.

Renders the childcare fact sheet to PNG with pdftoppm and the overview and
sector pages at a phone's and a laptop's width; the images are kept under
var/e2e/ (CI artefacts) to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldcode_survey.accounts.roles import STAFF
from meldcode_survey.exports.models import Export
from meldcode_survey.exports.services import export_run
from tests.conftest import celery_in_process, complete_answers
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_journeys import _signed_in_page
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTEFACTS = settings.BASE_DIR / "var" / "e2e"
PAGES = {
    "overview": "/dashboard/brede-reflectie/",
    "sector": "/dashboard/brede-reflectie/kinderopvang/",
}
WIDTHS = (390, 1280)
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def eager_celery():
    with celery_in_process():
        yield


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT.mkdir()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def survey(seed_version, submit):
    """Enough responses in two sectors that most figures are shown."""
    for index in range(24):
        sector = "kinderopvang" if index < 16 else "onderwijs"
        submit(
            seed_version,
            complete_answers(
                sector=sector,
                D01=str(index % 5 + 1),
                D02=str((index + 2) % 5 + 1),
                casus_voorbeeld=f"Een kind kwam vaak zonder jas ({index}).",
            ),
        )
    return seed_version


def _overflow(page) -> int:
    """How far the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def test_overview_and_sector_pages_fit_a_phone_and_a_laptop(
    live_server, new_page, survey
):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    # Staff see the small counts too, so every bar is drawn: the widest pages.
    staff = UserFactory(role=STAFF, is_staff=True)
    for width in WIDTHS:
        page = _signed_in_page(new_page, live_server, staff)
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in PAGES.items():
            page.goto(f"{live_server.url}{path}")
            page.screenshot(path=ARTEFACTS / f"{name}-{width}.png", full_page=True)
            assert _overflow(page) <= 0, f"{name} at {width} px scrolls sideways"
            if width >= 1280:
                # Even the tables' own scroll boxes need no scrolling: the
                # column against all sectors is on screen.
                hidden = page.locator(".table-responsive").evaluate_all(
                    "els => els.map(e => e.scrollWidth - e.clientWidth)"
                )
                assert max(hidden, default=0) <= 0, f"{name}: {hidden}"
            # Navigation to the dashboard, the sectors and the downloads.
            header = page.locator("header.site-header")
            for label in ("Dashboard", "Sectoren", "Downloads"):
                assert header.get_by_role("link", name=label).count() == 1
            assert_accessible(page)
        # Chart labels readable on a phone: real text, at least 11 px high.
        sizes = page.locator(".bar-label, .bar-row svg text").evaluate_all(
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert len(sizes) > 20 and min(sizes) >= 11
        # A sector page links to its own files.
        files = page.get_by_role("group", name="Bestanden van deze pagina:")
        for label in ("Excel (XLSX)", "PDF-factsheet", "CSV"):
            assert files.get_by_role("link", name=label).count() == 1


def test_an_analyst_lands_on_the_dashboard(live_server, new_page, survey):
    analyst = UserFactory(role="analyst")
    device = TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    page = new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Gebruikersnaam").fill(analyst.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.locator("input[name='token']").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Verder").click()
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".dilemma-chart").count() >= 1


def test_the_childcare_fact_sheet_renders_as_two_page_images(survey):
    if not shutil.which("pdftoppm"):
        # As for the other services: skipped locally, required in CI (.ci/run).
        missing = pytest.fail if os.environ.get("CI") else pytest.skip
        missing("pdftoppm (poppler-utils) is not installed")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    export = Export.objects.create(
        version=survey, kind="summary", format="pdf", sector="kinderopvang"
    )
    export = export_run(export.pk)
    assert export.status == Export.Status.DONE, export.error
    pdf = ARTEFACTS / "factsheet-kinderopvang.pdf"
    with export.file.open("rb") as source:
        pdf.write_bytes(source.read())
    for old in ARTEFACTS.glob("factsheet-kinderopvang-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTEFACTS / pdf.stem)],
        check=True,
        timeout=60,
    )
    images = sorted(ARTEFACTS.glob("factsheet-kinderopvang-*.png"))
    assert [image.name for image in images] == [
        "factsheet-kinderopvang-1.png",
        "factsheet-kinderopvang-2.png",
    ]
    assert all(image.stat().st_size > 10_000 for image in images)
