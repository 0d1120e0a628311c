"""Fixtures for the export tests: private storage in a temporary directory,
Celery in-process (unless a test runs a real worker), and a small data set
submitted through the respondent's real path."""

from __future__ import annotations

import pytest

from tests.conftest import celery_in_process, complete_answers

BIG_SECTOR = "kinderopvang"  # 12 respondents: shown
SMALL_SECTOR = "onderwijs"  # 3 respondents: suppressed for analysts
BIG_N, SMALL_N = 12, 3


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Run tasks in-process, except in the test that runs a real worker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    with celery_in_process():
        yield


def _answers(index: int, sector: str) -> dict:
    applied = index % 4 != 3
    overrides = {
        "sector": sector,
        "toegepast": "yes" if applied else "no",
        "D01": str(index % 5 + 1),
        "D02": "nvt" if index % 6 == 0 else str((index + 2) % 5 + 1),
        "beroep": '=HYPERLINK("http://evil")' if index == 0 else "Leidster",
    }
    if not applied:
        overrides.update(
            casus_voorbeeld=None,
            casus_met_dilemma=None,
            casus_dilemma=None,
            casus_stap=None,
            casus_kindcheck=None,
            casus_opvolging=None,
            casus_uitkomst=None,
        )
    elif index % 3 == 0:
        overrides.update(casus_met_dilemma="no", casus_dilemma=None, casus_stap=None)
    return complete_answers(**overrides)


@pytest.fixture
def survey_data(seed_version, submit_now):
    """12 childcare and 3 education responses, varied answers."""
    for i in range(BIG_N):
        submit_now(seed_version, _answers(i, BIG_SECTOR))
    for i in range(SMALL_N):
        submit_now(seed_version, _answers(i, SMALL_SECTOR))
    return seed_version


EXAMPLE_TEXT = "Het kindje had vieze kleding en toonde geen emoties."
NOTE_TEXT = "Er is veel angst om ouders onterecht te beschuldigen."


@pytest.fixture
def coded_data(survey_data, staff_user):
    """Final codings of every case, two approved examples and a sector note."""
    from meldcode_survey.accounts.roles import STAFF
    from meldcode_survey.dashboard.models import SectorNote
    from meldcode_survey.responses.models import CaseNarrative
    from meldcode_survey.review.services import (
        coding_save,
        ensure_default_codebook,
        redaction_approve,
        redaction_save,
        redaction_set_example,
    )
    from tests.factories import UserFactory, screened_clean

    codebook = ensure_default_codebook(survey_data.questionnaire)
    codebook.double_coding_percent = 0
    codebook.save()
    codes = list(codebook.codes.order_by("position"))
    narratives = CaseNarrative.objects.filter(response__version=survey_data)
    for index, narrative in enumerate(narratives.order_by("pk")):
        chosen = [codes[0]] if index % 2 else [codes[0], codes[1]]
        coding_save(
            narrative=narrative, coder=staff_user, codes=chosen, has_dilemma=True
        )
    approver = UserFactory(role=STAFF, is_staff=True)
    big = narratives.filter(response__sector=BIG_SECTOR).order_by("pk")[:2]
    for narrative in big:
        redaction = redaction_save(
            narrative=narrative,
            writer=staff_user,
            texts={
                "description": EXAMPLE_TEXT,
                "dilemma": "Hoe erg is de hygiëne-situatie?",
                "follow_up": "=cmd|' /C calc'!A0",
            },
        )
        screened_clean(redaction)
        redaction_approve(redaction=redaction, approver=approver)
        redaction_set_example(redaction=redaction, is_example=True, user=approver)
    SectorNote.objects.create(version=survey_data, sector=BIG_SECTOR, text=NOTE_TEXT)
    return survey_data


@pytest.fixture(autouse=True)
def memo_summaries(monkeypatch):
    """Compute each sector summary once per test: the writers and the test's own
    expectations then read the very same object from the aggregation module."""
    from meldcode_survey.dashboard import queries

    real = queries.sector_summary
    cache: dict = {}

    def sector_summary(**kwargs):
        key = tuple(sorted((k, getattr(v, "pk", v)) for k, v in kwargs.items()))
        if key not in cache:
            cache[key] = real(**kwargs)
        return cache[key]

    monkeypatch.setattr(queries, "sector_summary", sector_summary)
    return sector_summary


@pytest.fixture
def build(db):
    """Create an export row and run it synchronously; returns the stored row."""
    from meldcode_survey.exports.models import Export
    from meldcode_survey.exports.services import export_run

    def _build(version, **fields):
        export = Export.objects.create(version=version, **fields)
        export_run(export.pk)
        export.refresh_from_db()
        assert export.status == Export.Status.DONE, export.error
        return export

    return _build
