"""Analysts limited to some sectors (an AnalystSectorAccess row)."""

import pytest
from django.utils.translation import gettext as _

from meldcode_survey.accounts.models import AnalystSectorAccess
from meldcode_survey.dashboard import queries

from .builders import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(analyst_user, seed_version):
    build(
        seed_version,
        {
            "sector": "kinderopvang",
            "count": 40,
            "applied": 20,
            "with_dilemma": 10,
            "without_dilemma": 10,
        },
        {"sector": "onderwijs", "count": 60},
    )
    AnalystSectorAccess.objects.create(user=analyst_user, sectors=["kinderopvang"])


def test_an_analyst_without_a_limit_sees_every_sector(analyst_user):
    assert queries.allowed_sectors(analyst_user) is None


def test_a_limit_names_the_sectors_an_analyst_sees(analyst_user, limited):
    assert queries.allowed_sectors(analyst_user) == {"kinderopvang"}


def test_a_limited_analyst_sees_only_their_sectors(analyst_client, limited):
    html = analyst_client.get("/dashboard/brede-reflectie/").content.decode()
    assert "Kinderopvang" in html
    assert "/dashboard/brede-reflectie/onderwijs/" not in html
    # Nor all sectors together, which would give away the others in total.
    assert _("All sectors") not in html


def test_a_limited_analyst_gets_403_for_another_sector(analyst_client, limited):
    assert (
        analyst_client.get("/dashboard/brede-reflectie/onderwijs/").status_code == 403
    )
    page = analyst_client.get("/dashboard/brede-reflectie/kinderopvang/")
    assert page.status_code == 200
    assert "in all sectors" not in page.content.decode()
