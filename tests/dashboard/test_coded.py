"""Coded dilemmas and approved examples from the narrative coding (review app)."""

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from meldcode_survey.dashboard.queries import sector_summary
from meldcode_survey.responses.models import CaseNarrative
from meldcode_survey.review.models import (
    Code,
    Coding,
    FinalCoding,
    FinalCodingCode,
    Redaction,
)
from tests.factories import UserFactory

from .builders import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded(seed_version):
    """30 kinderopvang cases: code A on 12, B on 10, C on 3."""
    build(
        seed_version,
        {
            "sector": "kinderopvang",
            "count": 40,
            "applied": 30,
            "with_dilemma": 20,
            "without_dilemma": 10,
        },
        {
            "sector": "onderwijs",
            "count": 40,
            "applied": 20,
            "with_dilemma": 10,
            "without_dilemma": 10,
        },
    )
    codes = {
        c.key: c
        for c in Code.objects.filter(codebook__questionnaire=seed_version.questionnaire)
    }
    narratives = list(
        CaseNarrative.objects.filter(response__sector="kinderopvang").order_by("pk")
    )
    for i, narrative in enumerate(narratives):
        final = FinalCoding.objects.create(
            narrative=narrative, has_dilemma=True, method="single"
        )
        for key, first in (("A", 12), ("B", 10), ("C", 3)):
            if i < first:
                FinalCodingCode.objects.create(
                    final=final, code=codes[key], label=codes[key].label
                )
    return seed_version, narratives


def test_code_counts_and_shares_of_the_coded_cases(coded):
    version, _ = coded
    summary = sector_summary(version=version, sector="kinderopvang", unsuppressed=True)
    counts = {c.key: c.cases.value for c in summary.coded.codes}
    assert summary.coded.coded_cases.value == 30
    assert (counts["A"], counts["B"], counts["C"]) == (12, 10, 3)
    first = summary.coded.codes[0]
    assert first.key == "A" and first.share.value == pytest.approx(0.4)
    assert first.label.startswith("Onzekerheid over signalen")


def test_a_code_share_is_of_the_coded_cases_with_a_dilemma(coded):
    """As the published sheet: "in more than 1/3 of the situations named as a
    dilemma" counts only cases that have a dilemma (285 of 581, not of 1,026)."""
    version, narratives = coded
    # Ten cases without any code turn out to have no dilemma at all.
    FinalCoding.objects.filter(narrative__in=narratives[-10:]).update(has_dilemma=False)
    summary = sector_summary(version=version, sector="kinderopvang", unsuppressed=True)
    coded = summary.coded
    assert (coded.coded_cases.value, coded.dilemma_cases.value) == (30, 20)
    first = coded.codes[0]
    assert first.cases.value == 12
    assert first.share.value == pytest.approx(12 / 20)
    assert (first.share.numerator, first.share.denominator) == (12, 20)


def test_a_code_on_a_case_without_dilemma_does_not_count(coded):
    version, narratives = coded
    FinalCoding.objects.filter(narrative=narratives[0]).update(has_dilemma=False)
    summary = sector_summary(version=version, sector="kinderopvang", unsuppressed=True)
    by_key = {c.key: c for c in summary.coded.codes}
    assert summary.coded.dilemma_cases.value == 29
    assert by_key["A"].cases.value == 11
    assert by_key["A"].share.value == pytest.approx(11 / 29)


def test_a_small_code_count_is_shown_as_10_for_analysts(coded):
    """Through the noiseless ptable of the tests: 3 reads 10, the rest exactly."""
    version, _ = coded
    summary = sector_summary(version=version, sector="kinderopvang")
    by_key = {c.key: c for c in summary.coded.codes}
    assert by_key["C"].cases.value == 10 and not by_key["C"].cases.protected
    assert by_key["C"].share.value == pytest.approx(10 / 30)
    assert by_key["A"].cases.value == 12
    # Ordered by the published counts: B's 10 and C's 10 tie, in key order.
    assert [c.key for c in summary.coded.codes][:3] == ["A", "B", "C"]


def test_only_approved_examples_are_shown_redacted(coded, analyst_client):
    version, narratives = coded
    writer, approver = UserFactory(), UserFactory()
    Redaction.objects.create(
        narrative=narratives[0],
        description="Een kind kwam vaak zonder ontbijt.",
        dilemma="Hoe ernstig is dit?",
        follow_up="Gesprek met ouders.",
        written_by=writer,
        approved_by=approver,
        approved_at=timezone.now(),
        is_example=True,
        screened_at=timezone.now(),
    )
    Redaction.objects.create(
        narrative=narratives[1], description="Nog niet goedgekeurd.", written_by=writer
    )
    examples = sector_summary(version=version, sector="kinderopvang").examples
    assert [e.description for e in examples] == ["Een kind kwam vaak zonder ontbijt."]
    html = analyst_client.get(
        "/dashboard/brede-reflectie/kinderopvang/"
    ).content.decode()
    assert "Een kind kwam vaak zonder ontbijt." in html
    assert "Nog niet goedgekeurd" not in html
    assert _named_in("40%") in html


def _named_in(share: str) -> str:
    """The start of "named in 40% of the coded cases", in the active language."""
    msgid = "named in %(p)s of the coded cases with a dilemma (%(n)s of %(d)s)"
    return _(msgid).split("%(p)s")[0] + share


def test_a_new_coding_shows_at_once_despite_the_page_cache(
    coded, staff_client, django_capture_on_commit_callbacks
):
    from meldcode_survey.review.services import coding_resolve

    version, narratives = coded
    url = "/dashboard/brede-reflectie/kinderopvang/"
    assert _named_in("40%") in staff_client.get(url).content.decode()
    code_a = Code.objects.get(codebook__questionnaire=version.questionnaire, key="A")
    final = FinalCoding.objects.get(narrative=narratives[-1])
    codes = [*final.codes.all(), code_a]
    lead = UserFactory(is_superuser=True)
    Coding.objects.create(narrative=narratives[-1], coder=lead, has_dilemma=True)

    with django_capture_on_commit_callbacks(execute=True):
        coding_resolve(
            narrative=narratives[-1], lead=lead, codes=codes, has_dilemma=True
        )

    assert _named_in("43%") in staff_client.get(url).content.decode()


# --- Coding changes renew the figures stamps ------------------------------------


def _stamp(version) -> str:
    from meldcode_survey.dashboard.models import FiguresStamp

    return FiguresStamp.objects.get(version=version).token


def test_a_final_coding_renews_the_figures_stamps_after_its_commit(
    seed_version, staff_user, django_capture_on_commit_callbacks
):
    from meldcode_survey.dashboard.services import figures_changed
    from meldcode_survey.review.services import coding_save
    from tests.factories import CaseNarrativeFactory

    narrative = CaseNarrativeFactory(response__version=seed_version)
    # One coding makes the final one (whatever the narrative's pk, which
    # decides whether it falls in the double-coding sample).
    codebook = seed_version.questionnaire.codebook
    codebook.double_coding_percent = 0
    codebook.save()
    figures_changed(seed_version.pk)
    before = _stamp(seed_version)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        coding_save(narrative=narrative, coder=staff_user, codes=[], has_dilemma=True)
    assert _stamp(seed_version) == before  # nothing changes before the commit
    for callback in callbacks:
        callback()

    assert _stamp(seed_version) != before


def test_codes_changed_in_the_codebook_admin_renew_the_figures_stamps(
    seed_version, staff_client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from meldcode_survey.dashboard.services import figures_changed

    codebook = seed_version.questionnaire.codebook
    figures_changed(seed_version.pk)
    before = _stamp(seed_version)
    url = reverse("admin:review_codebook_change", args=[codebook.pk])
    data = {"double_coding_percent": codebook.double_coding_percent}
    prefix = "codes"
    codes = list(codebook.codes.order_by("position", "key"))
    data |= {
        f"{prefix}-TOTAL_FORMS": len(codes),
        f"{prefix}-INITIAL_FORMS": len(codes),
    }
    for i, code in enumerate(codes):
        data |= {
            f"{prefix}-{i}-id": code.pk,
            f"{prefix}-{i}-codebook": codebook.pk,
            f"{prefix}-{i}-key": code.key,
            f"{prefix}-{i}-label": code.label + (" (nieuw)" if i == 0 else ""),
            f"{prefix}-{i}-label_en": code.label_en,
            f"{prefix}-{i}-position": code.position,
        }

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    assert _stamp(seed_version) != before
