"""One loader of a version's structure, cached for frozen versions under
(pk, published_at): a test database that hands out a pk again gives the new
version another publication time, so nobody is given the old structure."""

from datetime import timedelta

import pytest
from django.db.models import QuerySet

from meldcode_survey.dashboard.queries.tables import version_meta
from meldcode_survey.questionnaires.models import Question, Version
from meldcode_survey.questionnaires.structure import structure
from meldcode_survey.responses.flow import Flow

pytestmark = pytest.mark.django_db


def _as_if_published_again(version: Version, code: str) -> Version:
    """The same pk with other contents and another publication time, as after
    a rollback that let the database reuse the pk (the rows are changed past
    the frozen-version guard)."""
    item = Question.objects.filter(version=version, type=Question.Type.LIKERT).first()
    QuerySet.update(Question.objects.filter(pk=item.pk), code=code)
    Version.objects.filter(pk=version.pk).update(
        published_at=version.published_at + timedelta(seconds=1)
    )
    return Version.objects.get(pk=version.pk)


@pytest.fixture
def published(seed_version):
    return Version.objects.get(pk=seed_version.pk)


def test_a_frozen_version_is_loaded_once(published, django_assert_num_queries):
    first = structure(published)

    with django_assert_num_queries(0):
        assert structure(published) is first
        Flow.for_version(published)
        version_meta(published)


def test_a_reused_pk_with_another_publication_gets_its_own_structure(published):
    before = [q.code for q in version_meta(published).items]
    Flow.for_version(published)

    again = _as_if_published_again(published, "X99")

    assert "X99" not in before
    assert "X99" in [q.code for q in version_meta(again).items]
    assert "X99" in [q.code for q in Flow.for_version(again).questions]


def test_a_draft_is_loaded_each_time(published):
    draft = published
    draft.status = Version.Status.DRAFT

    assert structure(draft) is not structure(draft)
