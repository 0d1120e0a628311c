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
def _dutch():
    """Dutch, the default, also where a management command earlier in the thread
    switched translation off (BaseCommand does): `_()` in assertions then reads
    what the pages show."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
