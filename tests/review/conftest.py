"""Narratives on the seed questionnaire, its codebook and a few staff members."""

import pytest

from meldcode_survey.accounts.roles import STAFF
from meldcode_survey.review.models import Code, Codebook
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Test users need no slow password hashing (0.6 s per user otherwise)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def codebook(seed_version) -> Codebook:
    """The seed questionnaire's codebook, with no double-coding sample.

    Tests about the sample set the percentage themselves.
    """
    codebook = Codebook.objects.get(questionnaire=seed_version.questionnaire)
    codebook.double_coding_percent = 0
    codebook.save()
    return codebook


@pytest.fixture
def codes(codebook) -> dict[str, Code]:
    return {code.key: code for code in codebook.codes.all()}


@pytest.fixture
def make_narrative(seed_version, codebook):
    def make(**kwargs):
        kwargs.setdefault("response__version", seed_version)
        return factories.CaseNarrativeFactory(**kwargs)

    return make


@pytest.fixture
def narrative(make_narrative):
    return make_narrative()


@pytest.fixture
def second_coder(db):
    return factories.UserFactory(role=STAFF, is_staff=True, username="tweede")


@pytest.fixture
def third_staff(db):
    return factories.UserFactory(role=STAFF, is_staff=True, username="derde")


@pytest.fixture
def login_as(client, verified_login):
    """Log the test client in as `user`, second factor included."""

    def login(user):
        return verified_login(client, user)

    return login
