import pytest

from meldcode_survey.questionnaires.definition import export_definition
from meldcode_survey.questionnaires.models import Question, Version
from meldcode_survey.questionnaires.queries import diff_versions
from meldcode_survey.questionnaires.services import version_copy, version_publish

pytestmark = pytest.mark.django_db


def test_new_version_copies_everything_into_a_draft(seed_version):
    draft = version_copy(seed_version)
    assert draft.status == Version.Status.DRAFT
    assert draft.number == seed_version.number + 1
    assert export_definition(draft) == export_definition(seed_version)


def test_new_version_points_conditions_and_groups_at_its_own_copies(seed_version):
    draft = version_copy(seed_version)
    case = draft.sections.get(code="casus")
    assert case.condition_question.version == draft
    assert case.condition_question.code == "toegepast"
    d01 = Question.objects.get(version=draft, code="D01")
    assert d01.group.section.version == draft
    assert d01.group.scale.version == draft
    assert set(seed_version.scales.all()).isdisjoint(draft.scales.all())


def test_publishing_a_new_version_closes_the_previous_one(seed_version):
    draft = version_copy(seed_version)
    version_publish(draft)
    seed_version.refresh_from_db()
    assert seed_version.status == Version.Status.CLOSED
    assert seed_version.questionnaire.published_version() == draft


def test_diff_reports_added_removed_and_reworded_by_code(seed_version):
    draft = version_copy(seed_version)
    d02 = Question.objects.get(version=draft, code="D02")
    d02.text = "Bang om betrokkenen onterecht te beschuldigen"
    d02.save()
    Question.objects.get(version=draft, code="tips").delete()
    section = draft.sections.get(code="afsluiting")
    Question.objects.create(section=section, code="contact", type="yes_no", text="?")

    changes = {c.code: c for c in diff_versions(seed_version, draft)}

    assert set(changes) == {"D02", "tips", "contact"}
    assert changes["D02"].change == "reworded"
    assert changes["D02"].details == ("text",)
    assert changes["tips"].change == "removed"
    assert changes["contact"].change == "added"


def test_diff_of_identical_versions_is_empty(seed_version):
    assert diff_versions(seed_version, version_copy(seed_version)) == []
