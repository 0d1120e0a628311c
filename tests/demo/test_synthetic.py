"""Synthetic responses: generated in bulk, plausible, marked, removable."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from meldcode_survey.dashboard.models import ResponseRollup
from meldcode_survey.responses.models import (
    NOT_APPLICABLE_KEY,
    Answer,
    CaseNarrative,
    Response,
)
from tests import factories
from tests.dashboard.builders import build

pytestmark = pytest.mark.django_db


def generate(count=200, seed=3, **options):
    out = io.StringIO()
    call_command(
        "generate_responses",
        questionnaire="brede-reflectie",
        count=count,
        seed=seed,
        stdout=out,
        **options,
    )
    return out.getvalue()


def test_generated_responses_are_marked_and_counted(seed_version):
    output = generate()
    responses = Response.objects.filter(version=seed_version)
    assert responses.count() == 200
    assert not responses.filter(is_synthetic=False).exists()
    assert "Generated 200 synthetic responses" in output
    assert "100%" in output or "200/200" in output
    rollups = ResponseRollup.objects.filter(version=seed_version, is_synthetic=True)
    assert sum(r.respondents for r in rollups) == 200


def test_generated_responses_are_plausible(seed_version):
    generate(count=1000, seed=11)
    responses = Response.objects.filter(version=seed_version)
    applied = responses.filter(applied_meldcode=True).count()
    assert 450 <= applied <= 650  # about 55%
    narratives = CaseNarrative.objects.filter(response__version=seed_version)
    assert narratives.count() == applied  # everyone who applied describes a case
    with_dilemma = narratives.filter(has_dilemma=True).count()
    assert 0.5 <= with_dilemma / applied <= 0.7  # about 60%
    assert len(set(responses.values_list("sector", flat=True))) == 7
    biggest = max(
        set(responses.values_list("sector", flat=True)),
        key=lambda s: responses.filter(sector=s).count(),
    )
    assert biggest == "onderwijs"
    # The case questions follow the display condition: only for who applied.
    case_answers = Answer.objects.filter(question__code="casus_uitkomst")
    assert not case_answers.filter(response__applied_meldcode=False).exists()
    # Every respondent answered every dilemma item.
    assert Answer.objects.filter(question__code="D01").count() == 1000
    text = narratives.first().description
    assert text and text[0].isupper() and text.endswith(".")
    assert not narratives.filter(description="").exists()


def test_the_same_seed_gives_the_same_responses(seed_version):
    def fingerprint():
        return sorted(
            Response.objects.values_list("sector", "applied_meldcode", "submitted_on"),
            key=repr,
        ), sorted(
            Answer.objects.values_list("question_id", "choice_id", "scale_value"),
            key=repr,
        )

    generate(count=50, seed=7)
    first = fingerprint()
    keys = set(Response.objects.values_list("submission_key", flat=True))
    call_command("delete_synthetic_responses", stdout=io.StringIO())
    generate(count=50, seed=7)
    assert fingerprint() == first
    assert set(Response.objects.values_list("submission_key", flat=True)) == keys


def test_deleting_synthetic_responses_keeps_the_real_ones(seed_version):
    build(seed_version, {"sector": "jeugdhulp", "count": 12})
    generate(count=30, allow_real_data=True)
    out = io.StringIO()
    call_command("delete_synthetic_responses", stdout=out)
    assert "Deleted 30 synthetic responses" in out.getvalue()
    assert Response.objects.count() == 12
    assert not Response.objects.filter(is_synthetic=True).exists()
    assert not CaseNarrative.objects.filter(response__is_synthetic=True).exists()
    rollups = ResponseRollup.objects.filter(version=seed_version)
    assert sum(r.respondents for r in rollups if r.is_synthetic) == 0
    assert sum(r.respondents for r in rollups if not r.is_synthetic) == 12


def test_only_if_empty_adds_nothing_to_a_questionnaire_with_responses(seed_version):
    build(seed_version, {"sector": "jeugdhulp", "count": 12})
    output = generate(count=20, only_if_empty=True)
    assert "already has responses" in output
    assert Response.objects.count() == 12


def test_only_if_empty_leaves_a_database_with_real_responses_alone(seed_version):
    """`make run` after real responses to another questionnaire starts as it is."""
    factories.ResponseFactory()  # a real response to a questionnaire of its own
    output = generate(count=20, only_if_empty=True)
    assert "holds real responses; none added" in output
    assert not Response.objects.filter(is_synthetic=True).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL bulk load")
def test_a_bulk_load_restores_every_index_and_constraint(seed_version, monkeypatch):
    from meldcode_survey.demo import loader

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'responses_%%' "
                "UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text LIKE 'responses_%%'"
            )
            return sorted(row[0] for row in cursor.fetchall())

    before = schema()
    monkeypatch.setattr(loader, "BULK_MIN", 10)
    with connection.cursor() as cursor:
        # The test's own transaction holds deferred checks from the set-up,
        # which would block the bulk load's ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    generate(count=40)
    assert schema() == before
    assert Response.objects.count() == 40
    assert Answer.objects.filter(question__code="D10").count() == 40


def test_a_database_with_real_responses_is_refused_unless_allowed(seed_version):
    build(seed_version, {"sector": "jeugdhulp", "count": 3})
    with pytest.raises(CommandError, match="--allow-real-data"):
        generate(count=20)
    assert Response.objects.filter(is_synthetic=True).count() == 0
    generate(count=20, allow_real_data=True)
    assert Response.objects.filter(is_synthetic=True).count() == 20
    assert Response.objects.filter(is_synthetic=False).count() == 3


def test_texts_with_quotes_commas_and_line_breaks_are_stored_as_they_are(
    seed_version, monkeypatch
):
    from meldcode_survey.demo import synthetic

    tricky = 'Zei: "nee", en\nliep weg;\tdaarna \\ stil\r\nEinde.'
    monkeypatch.setattr(synthetic, "SIGNS", [tricky])
    monkeypatch.setattr(synthetic, "CONTEXTS", [""])
    generate(count=30)
    descriptions = set(CaseNarrative.objects.values_list("description", flat=True))
    assert descriptions and all(tricky in text for text in descriptions)


def answers_off_their_response_grain() -> int:
    """Answers whose copy of the response's sector, month or mark differs."""
    return sum(
        (answer.sector, answer.submitted_month, answer.is_synthetic)
        != (
            answer.response.sector,
            answer.response.submitted_on.replace(day=1),
            answer.response.is_synthetic,
        )
        for answer in Answer.objects.select_related("response")
    )


def test_generated_answers_carry_their_response_grain(seed_version):
    generate(count=60)
    assert Answer.objects.filter(is_synthetic=True).count() > 60 * 10
    assert answers_off_their_response_grain() == 0
    # The rollup key is the database's: the COPY path gets it too.
    for answer in Answer.objects.all():
        expected = answer.choice_id or answer.scale_value
        if expected is None and answer.not_applicable:
            expected = NOT_APPLICABLE_KEY
        assert answer.rollup_key == expected
