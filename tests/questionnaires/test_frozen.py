import pytest
from django.db import transaction
from django.db.models import ProtectedError

from meldcode_survey.questionnaires.models import (
    Choice,
    FrozenVersionError,
    Question,
    Questionnaire,
    ScalePoint,
    Section,
    Version,
)
from meldcode_survey.questionnaires.services import version_copy

pytestmark = pytest.mark.django_db


def test_published_question_refuses_save(seed_version):
    question = Question.objects.get(version=seed_version, code="D01")
    question.text = "Iets anders"
    with pytest.raises(FrozenVersionError):
        question.save()
    question.refresh_from_db()
    assert question.text == "Onzekerheid over signalen"


@pytest.mark.parametrize("model", [Section, Question, Choice, ScalePoint])
def test_published_content_refuses_delete(seed_version, model):
    obj = model.objects.filter(**{f"{model.version_path}": seed_version}).first()
    with pytest.raises(FrozenVersionError):
        obj.delete()
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", [Section, Question, Choice, ScalePoint])
def test_published_content_refuses_queryset_update(seed_version, model):
    rows = model.objects.filter(**{f"{model.version_path}": seed_version})
    with pytest.raises(FrozenVersionError):
        rows.update(position=99)
    assert not model.objects.filter(position=99).exists()


def test_published_content_refuses_queryset_delete(seed_version):
    with pytest.raises(FrozenVersionError):
        Choice.objects.filter(question__version=seed_version).delete()
    assert Choice.objects.filter(question__version=seed_version).count() == 24


def test_adding_a_question_to_a_published_section_is_refused(seed_version):
    section = seed_version.sections.first()
    with pytest.raises(FrozenVersionError):
        Question.objects.create(
            section=section, code="new", type="short_text", text="?"
        )


def test_moving_content_out_of_a_published_version_is_refused(seed_version):
    draft = version_copy(seed_version)
    section = seed_version.sections.first()
    section.version = draft
    with pytest.raises(FrozenVersionError):
        section.save()


def test_deleting_questionnaire_with_published_version_is_refused(seed_version):
    with pytest.raises((FrozenVersionError, ProtectedError)), transaction.atomic():
        Questionnaire.objects.filter(pk=seed_version.questionnaire_id).delete()
    assert Question.objects.filter(version=seed_version).count() == 22


def test_deleting_one_questionnaire_with_a_published_version_is_refused(seed_version):
    with pytest.raises(FrozenVersionError), transaction.atomic():
        seed_version.questionnaire.delete()
    assert Question.objects.filter(version=seed_version).count() == 22


def test_published_version_cannot_return_to_draft(seed_version):
    seed_version.status = Version.Status.DRAFT
    with pytest.raises(FrozenVersionError):
        seed_version.save()


def test_closing_a_published_version_is_allowed(seed_version):
    seed_version.status = Version.Status.CLOSED
    seed_version.save()
    seed_version.refresh_from_db()
    assert seed_version.status == Version.Status.CLOSED


def test_draft_content_can_be_changed_and_deleted(seed_version):
    draft = version_copy(seed_version)
    question = Question.objects.get(version=draft, code="D01")
    question.text = "Nieuwe formulering"
    question.save()
    Choice.objects.filter(question__version=draft, question__code="sector").delete()
    assert Question.objects.get(version=draft, code="D01").text == "Nieuwe formulering"
    assert not Choice.objects.filter(question__version=draft, question__code="sector")


def test_deleting_a_draft_version_removes_its_content(seed_version):
    draft = version_copy(seed_version)
    draft.delete()
    assert not Question.objects.filter(version_id=draft.pk).exists()
    assert Question.objects.filter(version=seed_version).count() == 22


def test_the_texts_of_a_published_version_are_frozen(seed_version):
    from meldcode_survey.questionnaires.models import FrozenVersionError

    seed_version.intro = "Andere inleiding"
    with pytest.raises(FrozenVersionError):
        seed_version.save()


def test_deleting_a_published_version_is_refused(seed_version):
    with pytest.raises(FrozenVersionError):
        seed_version.delete()
    with pytest.raises(FrozenVersionError):
        Version.objects.filter(pk=seed_version.pk).delete()
    assert Question.objects.filter(version=seed_version).count() == 22


def test_deleting_a_questionnaire_with_only_drafts_takes_them_along(seed_definition):
    from meldcode_survey.questionnaires.definition import import_definition

    draft = import_definition(seed_definition | {"slug": "alleen-concept"})

    Questionnaire.objects.filter(pk=draft.questionnaire_id).delete()

    assert not Version.objects.filter(pk=draft.pk).exists()
    assert not Question.objects.filter(version_id=draft.pk).exists()
