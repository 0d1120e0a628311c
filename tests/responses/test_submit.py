import uuid
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from meldcode_survey.questionnaires.models import Question
from meldcode_survey.responses.models import (
    NOT_APPLICABLE_KEY,
    Answer,
    CaseNarrative,
    Draft,
    Response,
    hash_resume_code,
)
from meldcode_survey.responses.retention import drafts_delete_expired
from meldcode_survey.responses.services import (
    IncompleteDraft,
    draft_save_answers,
    draft_start,
    response_submit,
)
from tests.conftest import complete_answers

pytestmark = pytest.mark.django_db


def test_submit_stores_typed_answers_and_the_narrative(seed_version, submit):
    response = submit(seed_version)

    assert response.sector == "kinderopvang"
    assert response.applied_meldcode is True
    answers = {a.question.code: a for a in response.answers.select_related("question")}
    assert answers["D01"].scale_value == 2
    assert answers["D10"].not_applicable and answers["D10"].scale_value is None
    assert answers["sector"].choice.code == "kinderopvang"
    assert answers["toegepast"].yes is True
    narrative = response.narrative
    assert narrative.description.startswith("Een kind kwam vaak")
    assert narrative.has_dilemma is True
    # Narrative texts are kept apart from the other answers.
    assert "casus_voorbeeld" not in answers
    # Every answer carries its response's grain, for the dashboard's rebuild.
    month = response.submitted_on.replace(day=1)
    assert {
        (a.sector, a.submitted_month, a.is_synthetic) for a in answers.values()
    } == {("kinderopvang", month, False)}


def test_an_answer_saved_on_its_own_copies_its_response_grain(seed_version, submit):
    response = submit(seed_version)
    Response.objects.filter(pk=response.pk).update(submitted_on=date(2026, 3, 17))
    response.refresh_from_db()
    question = Question.objects.get(version=seed_version, code="D02")
    response.answers.filter(question=question).delete()

    answer = Answer.objects.create(response=response, question=question, scale_value=3)

    answer.refresh_from_db()
    assert (answer.sector, answer.submitted_month, answer.is_synthetic) == (
        "kinderopvang",
        date(2026, 3, 1),
        False,
    )


def test_the_database_gives_every_answer_its_rollup_key(seed_version, submit):
    response = submit(seed_version)

    keys = {
        a.question.code: (a.rollup_key, a.choice_id)
        for a in response.answers.select_related("question")
    }
    assert keys["D01"] == (2, None)  # the scale point
    assert keys["D10"] == (NOT_APPLICABLE_KEY, None)  # n.v.t.
    sector_key, sector_choice = keys["sector"]
    assert sector_key == sector_choice is not None  # the choice
    assert keys["toegepast"] == (None, None)  # yes/no: not counted by key


def test_submit_twice_stores_one_response(seed_version):
    draft, _ = draft_start(seed_version)
    draft_save_answers(draft, complete_answers())
    first = response_submit(draft=draft, submission_key=draft.key)
    again = response_submit(draft=draft, submission_key=draft.key)
    assert first == again
    assert Response.objects.count() == 1
    assert not Draft.objects.exists()


def test_the_database_refuses_a_second_response_with_the_same_key(seed_version):
    key = uuid.uuid4()
    Response.objects.create(version=seed_version, submission_key=key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(version=seed_version, submission_key=key)


def test_the_database_keeps_one_answer_per_question_and_choice(seed_version, submit):
    response = submit(seed_version)
    likert = response.answers.get(question__code="D01")
    chosen = response.answers.get(question__code="sector")
    other = chosen.question.choices.exclude(pk=chosen.choice_id).first()

    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=response, question=likert.question, scale_value=5
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=response, question=chosen.question, choice=chosen.choice
        )
    # A further choice is a further row (a multiple-choice answer).
    Answer.objects.create(response=response, question=chosen.question, choice=other)
    assert response.answers.filter(question=chosen.question).count() == 2


def test_answers_to_hidden_questions_are_discarded(seed_version, submit):
    answers = complete_answers(toegepast="no")
    response = submit(seed_version, answers)
    codes = set(response.answers.values_list("question__code", flat=True))
    assert "casus_uitkomst" not in codes
    assert not CaseNarrative.objects.exists()
    assert response.applied_meldcode is False


def test_missing_required_answer_refuses_submit_and_names_the_page(seed_version):
    draft, _ = draft_start(seed_version)
    draft_save_answers(draft, complete_answers(D05=None))
    with pytest.raises(IncompleteDraft) as missing:
        response_submit(draft=draft, submission_key=draft.key)
    assert missing.value.section_code == "dilemmas"
    assert not Response.objects.exists()


def test_nothing_identifying_is_stored_with_a_response(seed_version, submit):
    response = submit(seed_version)
    names = {f.name for f in Response._meta.get_fields()}
    assert not names & {"ip", "ip_address", "user_agent", "created_at", "session"}
    assert response.submitted_on == timezone.localdate()
    assert isinstance(Response._meta.get_field("submitted_on").default(), date)


def test_screening_flags_are_stored_with_the_narrative(seed_version, submit):
    text = "Moeder (bel 06-12345678) en Sanne de Vries, Kerkstraat 12."
    response = submit(seed_version, complete_answers(casus_voorbeeld=text))
    kinds = {f["kind"] for f in response.narrative.screening_flags["description"]}
    assert kinds == {"phone", "name", "postcode"}


def test_submit_succeeds_when_the_broker_is_down(
    seed_version, submit, django_capture_on_commit_callbacks, caplog
):
    from meldcode_survey.celery import app

    before = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:9/0"
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = submit(seed_version)
    finally:
        app.conf.task_always_eager, app.conf.broker_url = before
    # One message: the rollup count, which sends the thorough screening after it
    # (so one failed send, not two).
    assert len(callbacks) == 1
    assert caplog.text.count("Could not queue") == 1
    # It failed to reach the broker, and left the work to the sweeps.
    assert Response.objects.filter(pk=response.pk, counted_in_rollups=False).exists()
    assert (
        "not counted in the rollups yet (the sweep will), nor narrative" in caplog.text
    )
    assert "Could not queue" in caplog.text


def test_resume_codes_are_stored_only_as_hashes(seed_version):
    draft, code = draft_start(seed_version)
    assert code not in draft.resume_code_hash
    assert draft.resume_code_hash == hash_resume_code(code.lower().replace("-", " "))


def test_expired_drafts_are_deleted(seed_version):
    old, _ = draft_start(seed_version)
    fresh, _ = draft_start(seed_version)
    Draft.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(1))
    assert drafts_delete_expired() == 1
    assert list(Draft.objects.all()) == [fresh]


def test_the_expire_drafts_command_deletes_expired_drafts(seed_version):
    old, _ = draft_start(seed_version)
    fresh, _ = draft_start(seed_version)
    Draft.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(1))
    out = StringIO()

    call_command("expire_drafts", stdout=out)

    assert list(Draft.objects.all()) == [fresh]
    assert "Deleted 1 expired draft(s)." in out.getvalue()


def test_saving_a_page_extends_the_draft(seed_version, settings):
    settings.DRAFT_RETENTION_DAYS = 30
    draft, _ = draft_start(seed_version)
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now())
    draft_save_answers(draft, {"sector": "onderwijs"})
    draft.refresh_from_db()
    assert draft.expires_at > timezone.now() + timedelta(days=29)


def test_multiple_choice_answers_are_one_row_per_choice(db):
    from meldcode_survey.questionnaires.definition import import_definition

    version = import_definition(
        {
            "slug": "multi",
            "english_fallback": True,
            "title": "Multi",
            "sections": [
                {
                    "code": "p",
                    "title": "P",
                    "questions": [
                        {
                            "code": "m",
                            "type": "multiple_choice",
                            "text": "Welke?",
                            "choices": [
                                {"code": "a", "label": "A"},
                                {"code": "b", "label": "B"},
                                {"code": "c", "label": "C"},
                            ],
                        }
                    ],
                }
            ],
        },
        publish=True,
    )
    draft, _ = draft_start(version)
    draft_save_answers(draft, {"m": ["a", "c"]})
    response = response_submit(draft=draft, submission_key=draft.key)
    chosen = Answer.objects.filter(response=response).values_list("choice__code")
    assert sorted(code for (code,) in chosen) == ["a", "c"]


def test_a_stored_answer_that_is_no_longer_an_option_refuses_submit(seed_version):
    draft, _ = draft_start(seed_version)
    draft_save_answers(draft, complete_answers(casus_uitkomst="verdwenen"))
    with pytest.raises(IncompleteDraft) as invalid:
        response_submit(draft=draft, submission_key=draft.key)
    assert invalid.value.section_code == "casus"
    assert not Response.objects.exists()


def test_the_migration_copies_the_grain_onto_existing_answers(seed_version, submit):
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = import_module(
        "meldcode_survey.responses.migrations.0002_answer_response_grain"
    )
    response = submit(seed_version)
    Answer.objects.update(sector="", submitted_month=date(2000, 1, 1))

    # The function only asks the schema editor for its connection.
    migration.copy_response_grain(apps, SimpleNamespace(connection=connection))

    month = response.submitted_on.replace(day=1)
    assert set(Answer.objects.values_list("sector", "submitted_month")) == {
        ("kinderopvang", month)
    }
