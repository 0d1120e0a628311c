"""The dashboard pages: access, what analysts and staff see, filters, queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from meldcode_survey.dashboard.models import SectorNote
from meldcode_survey.responses.models import CaseNarrative

from .builders import APRIL, build, spread

pytestmark = pytest.mark.django_db

SMALL = {
    "sector": "kinderopvang",
    "count": 40,
    "applied": 30,
    "with_dilemma": 18,
    "without_dilemma": 12,
    "likert": {"D01": spread(**{"1": 4, "2": 6, "3": 10, "4": 12, "5": 5, "nvt": 3})},
}
OTHER = {
    "sector": "onderwijs",
    "count": 60,
    "applied": 20,
    "with_dilemma": 10,
    "without_dilemma": 10,
}


@pytest.fixture
def data(seed_version):
    build(seed_version, SMALL, OTHER)
    return seed_version


def sector_url(page_sector="kinderopvang", **params):
    url = reverse("dashboard:sector", args=["brede-reflectie", page_sector])
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{url}?{query}" if query else url


OVERVIEW = "/dashboard/brede-reflectie/"


@pytest.mark.parametrize(
    "url", ["/dashboard/", OVERVIEW, "/dashboard/brede-reflectie/kinderopvang/"]
)
def test_anonymous_users_are_sent_to_the_login_page(client, data, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "url", ["/dashboard/", OVERVIEW, "/dashboard/brede-reflectie/kinderopvang/"]
)
def test_users_without_a_dashboard_role_get_403(
    client, outsider_user, verified_login, data, url
):
    verified_login(client, outsider_user)
    assert client.get(url).status_code == 403


def test_analysts_see_the_overview_of_sectors(analyst_client, data):
    response = analyst_client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kinderopvang" in html and "Onderwijs" in html
    assert reverse("dashboard:sector", args=["brede-reflectie", "kinderopvang"]) in html
    assert "<svg" in html and "<table" in html


def test_analysts_see_small_counts_as_10_on_a_sector_page(analyst_client, data):
    response = analyst_client.get(sector_url())
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index("Onzekerheid over signalen</th>") :].split("</tr>")[0]
    # D01: 4, 6 and 5 answers and 3 n.v.t. are shown as 10 (the tests' ptable
    # has no noise), never as their numbers, and no cell is marked small.
    assert row.count(">10 ") + row.count(">10<") >= 4
    assert ">4 " not in row and ">6 " not in row and "†" not in html
    assert "&lt;" not in row and "protected" not in html
    assert _("Unsuppressed figures (staff only).") not in html


def test_staff_see_unsuppressed_figures_labelled_as_such(staff_client, data):
    html = staff_client.get(sector_url()).content.decode()
    assert _("Unsuppressed figures (staff only).") in html
    assert "†" in html  # marks what analysts do not see


def test_the_sector_page_mirrors_the_fact_sheet(staff_client, data):
    html = staff_client.get(sector_url()).content.decode()
    for heading in (
        _("Responses from %(sector)s") % {"sector": "kinderopvang"},
        _("Which dilemmas play a part in %(sector)s?") % {"sector": "kinderopvang"},
        _("Cases from %(sector)s") % {"sector": "kinderopvang"},
        _("Dilemmas named most often in the cases"),
        _("Examples of cases"),
        _("What stands out?"),
    ):
        assert heading in html
    assert 'role="img"' in html and "<caption>" in html


def test_analysts_never_see_narratives_only_approved_examples(analyst_client, data):
    narrative = CaseNarrative.objects.filter(response__sector="kinderopvang").first()
    narrative.description = "Geheim verhaal over een kind in Zwolle"
    narrative.save()
    html = analyst_client.get(sector_url()).content.decode()
    assert "Geheim verhaal" not in html
    assert _("No approved examples yet.") in html


def test_staff_write_what_stands_out_and_analysts_read_it(
    staff_client, analyst_user, verified_login, data
):
    # The role fixtures share one test client: the analyst gets a second one.
    analyst_client = verified_login(Client(), analyst_user)
    url = reverse("dashboard:note_edit", args=["brede-reflectie", "kinderopvang"])
    response = staff_client.post(
        url + "?version=1",
        {"text": "Veel angst om ouders te beschuldigen.", "text_en": ""},
    )
    assert response.status_code == 302
    assert SectorNote.objects.get().text == "Veel angst om ouders te beschuldigen."
    assert "Veel angst om ouders" in analyst_client.get(sector_url()).content.decode()


def test_analysts_may_not_write_notes(analyst_client, data):
    url = reverse("dashboard:note_edit", args=["brede-reflectie", "kinderopvang"])
    assert analyst_client.post(url, {"text": "x"}).status_code == 403


def test_an_unknown_sector_is_not_found(analyst_client, data):
    assert analyst_client.get(sector_url("bakkerij")).status_code == 404


def test_filters_are_reflected_in_the_url(analyst_client, data, seed_version):
    build(seed_version, {"sector": "onderwijs", "count": 15, "day": APRIL})
    html = analyst_client.get(
        sector_url(start="2026-04", end="2026-04")
    ).content.decode()
    assert 'value="2026-04" selected' in html
    assert "april 2026" in html.lower()


def test_nonsense_filters_are_ignored(analyst_client, data):
    response = analyst_client.get(sector_url(start="gisteren", version="99", data="x"))
    assert response.status_code == 200


def test_choosing_another_sector_in_the_form_goes_to_its_page(analyst_client, data):
    response = analyst_client.get(sector_url(sector="onderwijs"))
    assert response.status_code == 302
    assert response["Location"].startswith(sector_url("onderwijs"))


def test_the_sector_page_runs_a_bounded_number_of_queries(
    analyst_client, data, django_assert_max_num_queries
):
    analyst_client.get(sector_url())  # warm the per-process caches
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(20):
        assert analyst_client.get(sector_url()).status_code == 200
    with django_assert_max_num_queries(12):  # figures from the page cache
        assert analyst_client.get(sector_url()).status_code == 200


def test_the_overview_reads_the_coded_figures_once_for_all_sectors(
    analyst_client, data
):
    analyst_client.get(OVERVIEW)  # warm the per-process caches
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert analyst_client.get(OVERVIEW).status_code == 200
    codings = [q for q in queries if "review_finalcoding" in q["sql"]]
    # Narratives per sector and codes per sector: two queries, not two a sector.
    assert len(codings) == 2


def test_a_new_submit_shows_at_once_despite_the_page_cache(
    staff_client, data, submit_now, seed_version
):
    before = staff_client.get(sector_url()).content.decode()
    assert ">40<" in before.replace(" ", "")
    submit_now(seed_version)  # one more in kinderopvang
    after = staff_client.get(sector_url()).content.decode()
    assert ">41<" in after.replace(" ", "")


def test_synthetic_data_is_labelled_as_demo_data(analyst_client, seed_version):
    build(seed_version, {**OTHER, "synthetic": True})
    html = analyst_client.get(sector_url("onderwijs")).content.decode()
    assert _("Demo data.") in html
    html = analyst_client.get(OVERVIEW).content.decode()
    assert _("Demo data.") in html


def test_real_and_synthetic_data_are_never_mixed(analyst_client, seed_version):
    build(
        seed_version,
        {**OTHER, "count": 60},
        {
            **OTHER,
            "count": 25,
            "applied": 10,
            "with_dilemma": 5,
            "without_dilemma": 5,
            "synthetic": True,
        },
    )
    html = analyst_client.get(OVERVIEW).content.decode()
    assert _("Demo data.") not in html
    assert (
        _(
            "Generated demo data also exists for this version; it is kept apart and "
            "never counted here."
        )
        in html
    )
    assert ">60<" in html.replace(" ", "")  # the real onderwijs respondents only
    demo = analyst_client.get(OVERVIEW + "?data=synthetic").content.decode()
    assert _("Demo data.") in demo
    assert ">25<" in demo.replace(" ", "") and ">60<" not in demo.replace(" ", "")


def test_an_empty_dashboard_says_so(analyst_client, db):
    response = analyst_client.get("/dashboard/")
    assert response.status_code == 200
    assert (
        _("There is no published questionnaire yet, so there are no figures to show.")
        in response.content.decode()
    )


def test_a_period_that_ends_before_it_starts_is_refused(analyst_client, data):
    html = analyst_client.get(
        sector_url(start="2026-04", end="2026-03")
    ).content.decode()
    assert _("The end month must not come before the start.") in html
    assert 'aria-invalid="true"' in html


def test_notes_are_only_for_sectors_of_the_questionnaire(staff_client, data):
    url = reverse("dashboard:note_edit", args=["brede-reflectie", "bakkerij"])
    assert staff_client.post(url, {"text": "x"}).status_code == 404


def test_a_sector_page_links_to_its_own_files_and_the_other_sectors(
    analyst_client, data
):
    html = analyst_client.get(sector_url()).content.decode()
    for file_format in ("xlsx", "pdf", "csv"):
        assert f"/downloads/sector/kinderopvang/{file_format}/?version=" in html
    assert 'href="/dashboard/brede-reflectie/onderwijs/' in html
    assert 'href="/downloads/"' in html
