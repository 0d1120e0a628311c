import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached dashboard pages are keyed by random stamps; start clean anyway."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _languages(client):
    """Figures read in Dutch, the default; pages shown in English through the
    language switch, so that assertions can read the source texts. (Management
    commands switch translation off for the thread: this puts it back.)"""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("nl"):
        yield


@pytest.fixture
def english():
    """Log another client in with the English language switch set."""

    def _english(client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _english


@pytest.fixture
def submit_now(submit, django_capture_on_commit_callbacks):
    """Submit through the real path and run the after-commit work (receivers)."""

    def _submit(version, answers=None):
        with django_capture_on_commit_callbacks(execute=True):
            return submit(version, answers)

    return _submit
