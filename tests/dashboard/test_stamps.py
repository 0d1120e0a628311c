"""The figures stamp: one row per version, replaced by an upsert."""

import pytest

from meldcode_survey.dashboard.models import FiguresStamp
from meldcode_survey.dashboard.services import figures_changed
from tests import factories

pytestmark = pytest.mark.django_db


def _token(version) -> str:
    return FiguresStamp.objects.get(version=version).token


def test_a_version_gets_a_stamp_and_each_change_a_new_one(seed_version):
    figures_changed(seed_version.pk)
    first = _token(seed_version)

    figures_changed(seed_version.pk, seed_version.pk)

    assert _token(seed_version) != first
    assert FiguresStamp.objects.count() == 1


def test_everything_replaces_every_stamp(seed_version):
    other = factories.VersionFactory()
    figures_changed(seed_version.pk, other.pk)
    before = {_token(seed_version), _token(other)}

    figures_changed(everything=True)

    after = {_token(seed_version), _token(other)}
    assert len(after) == 1
    assert not after & before
