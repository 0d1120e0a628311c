"""One wave (questionnaire version) against another, item by item by code."""

import pytest
from django.utils.translation import gettext as _

from meldcode_survey.dashboard.queries import sector_summary
from meldcode_survey.dashboard.stats import two_proportion_z_test
from meldcode_survey.questionnaires.services import version_copy, version_publish

from .builders import build, spread

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_waves(seed_version):
    first = seed_version
    second = version_publish(version_copy(first))
    first.refresh_from_db()
    # D01 in the top two: 20 of 50 in the first wave, none of 50 in the second.
    build(
        first,
        {
            "sector": "kinderopvang",
            "count": 50,
            "likert": {"D01": spread(**{"1": 10, "2": 10, "3": 10, "4": 10, "5": 10})},
        },
        {"sector": "onderwijs", "count": 50},
    )
    build(
        second,
        {
            "sector": "kinderopvang",
            "count": 50,
            "likert": {"D01": spread(**{"1": 25, "2": 15, "3": 10})},
        },
        {"sector": "onderwijs", "count": 50},
    )
    return first, second


def test_items_are_compared_across_waves_by_their_code(two_waves):
    first, second = two_waves
    summary = sector_summary(
        version=second, sector="kinderopvang", compare_version=first, unsuppressed=True
    )
    d01 = summary.items[0]
    assert summary.compare_version_number == first.number
    assert d01.wave.version_number == first.number
    assert d01.wave.top_two.value == pytest.approx(0.4)
    assert d01.top_two.value == 0
    assert d01.wave.difference.value == pytest.approx(-0.4)
    assert d01.wave.difference.p_value == pytest.approx(
        two_proportion_z_test(0, 50, 20, 50).p_value
    )
    assert d01.wave.difference.significant
    d02 = summary.items[1]
    assert d02.wave.difference.value == 0 and not d02.wave.difference.significant


def test_without_a_comparison_no_wave_figures(two_waves):
    _first, second = two_waves
    summary = sector_summary(version=second, sector="kinderopvang")
    assert summary.compare_version_number is None
    assert all(item.wave is None for item in summary.items)


def test_the_page_offers_and_shows_the_comparison(analyst_client, two_waves):
    first, second = two_waves
    url = "/dashboard/brede-reflectie/kinderopvang/"
    url += f"?version={second.number}&compare={first.number}"
    html = analyst_client.get(url).content.decode()
    assert _("Top two in version %(n)s") % {"n": first.number} in html
    assert 'name="compare"' in html


@pytest.fixture
def reworded_waves(seed_version):
    """D01 reworded in the second wave, D02's scale relabelled, D03 unchanged."""
    from meldcode_survey.questionnaires.models import Question, ScalePoint

    first = seed_version
    draft = version_copy(first)
    d01 = Question.objects.get(version=draft, code="D01")
    d01.text = "Twijfel over wat ik zie"
    d01.text_en = "Doubt about what I see"
    d01.save()
    version_publish(draft)
    first.refresh_from_db()
    likert = {"D01": spread(**{"1": 10, "2": 10, "3": 10, "4": 10, "5": 10})}
    build(first, {"sector": "kinderopvang", "count": 50, "likert": likert})
    build(draft, {"sector": "kinderopvang", "count": 50, "likert": likert})
    return first, draft, ScalePoint


def test_a_reworded_item_is_marked_and_not_compared(reworded_waves):
    first, second, _points = reworded_waves
    summary = sector_summary(
        version=second, sector="kinderopvang", compare_version=first, unsuppressed=True
    )
    by_code = {item.code: item for item in summary.items}
    d01 = by_code["D01"]
    assert d01.wave.wording_changed
    assert d01.wave.text == "Onzekerheid over signalen"
    assert d01.wave.top_two.value == pytest.approx(0.4)
    assert d01.top_two.value == pytest.approx(0.4)
    assert d01.wave.difference.value is None
    assert not by_code["D02"].wave.wording_changed
    assert by_code["D02"].wave.difference.value is not None


def test_a_changed_scale_counts_as_changed_wording(seed_version):
    from meldcode_survey.questionnaires.models import ScalePoint

    draft = version_copy(seed_version)
    point = ScalePoint.objects.filter(scale__version=draft, value=5).get()
    point.label = "Heel erg"
    point.save()
    version_publish(draft)
    build(seed_version, {"sector": "kinderopvang", "count": 20})
    build(draft, {"sector": "kinderopvang", "count": 20})
    summary = sector_summary(
        version=draft,
        sector="kinderopvang",
        compare_version=seed_version,
        unsuppressed=True,
    )
    assert all(item.wave.wording_changed for item in summary.items)


def test_the_page_marks_the_reworded_item(analyst_client, reworded_waves):
    from django.utils import translation

    first, second, _points = reworded_waves
    url = "/dashboard/brede-reflectie/kinderopvang/"
    url += f"?version={second.number}&compare={first.number}"
    html = analyst_client.get(url).content.decode()
    with translation.override("nl"):
        assert _("wording changed") == "formulering gewijzigd"
    assert html.count("formulering gewijzigd") >= 1
    assert "Onzekerheid over signalen" in html
