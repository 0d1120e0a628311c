"""Thorough screening of case narratives with deduce.

deduce (UMC Utrecht's de-identification method for Dutch clinical text) finds
what the fast screening (screening.py) cannot: a first name on its own, titled
names ("juf Annemiek"), names in a list, places, streets without a number,
institutions, dates, ages, BSNs, phone numbers and e-mail addresses. It is made
for the job, so we use it rather than growing our own lists.

It costs about 1.1 GB of memory per process and several seconds to load, so it
runs in the Celery worker (responses.tasks, review.tasks), loaded once per
process; the respondent's page keeps the fast check for its immediate warning.
Its lookup structures take one to two minutes to build: that happens at install
time (`manage.py build_screening`, called by `make` and the Dockerfile) and
never on a request. Without them, `thorough_screen` raises NotBuilt.

Which of deduce's tags count (`TAG_KINDS`): every tag except the age. A child's
age alone identifies no one in a survey grouped by sector; a place may, with
the sector and the case, so places count. The thorough screening is the union
of deduce's flags and the fast screening's, so it never finds less than the
respondent was warned about.

No Django settings are read here: the cache directory is `DEDUCE_CACHE_DIR`
from the environment, by default `<sys.prefix>/var/deduce-<version>`, inside
the virtualenv (or the image's Python), so that it belongs to the installation.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .screening import (
    Flag,
    Kind,
    find_dates_without_year,
    is_service_number,
    resolve_overlaps,
    screen,
)

logger = logging.getLogger(__name__)

DEDUCE_VERSION = version("deduce")

# deduce's tags (after its own clean-up) and the product's kind for each;
# None means "found, but not identifying here".
TAG_KINDS: dict[str, Kind | None] = {
    "persoon": Kind.NAME,
    "patient": Kind.NAME,
    "locatie": Kind.PLACE,
    "instelling": Kind.INSTITUTION,
    "ziekenhuis": Kind.INSTITUTION,
    "zorginstelling": Kind.INSTITUTION,
    "datum": Kind.DATE,
    "bsn": Kind.BSN,
    "telefoonnummer": Kind.PHONE,
    "emailadres": Kind.EMAIL,
    "url": Kind.URL,
    "id": Kind.ID_NUMBER,
    "leeftijd": None,
}

# Organisations every narrative may name: national bodies and the generic name
# of a service identify no one. Compared case-insensitively with the whole flag.
NATIONAL_BODIES = frozenset(
    name.casefold()
    for name in (
        "Veilig Thuis",
        "GGD",
        "CJG",
        "Centrum voor Jeugd en Gezin",
        "Raad voor de Kinderbescherming",
        "Jeugdbescherming",
        "Jeugdzorg",
        "Kindertelefoon",
        "Politie",
        "Reclassering Nederland",
        "Openbaar Ministerie",
        "OM",
        "Slachtofferhulp Nederland",
    )
)


class NotBuilt(RuntimeError):
    """deduce's lookup structures are missing: run `manage.py build_screening`."""


def cache_dir() -> Path:
    default = Path(sys.prefix) / "var" / f"deduce-{DEDUCE_VERSION}"
    return Path(os.environ.get("DEDUCE_CACHE_DIR") or default)


def _cache_file() -> Path:
    # Where deduce keeps its pickled lookup structures under `cache_path`
    # (deduce.lookup_structs._CACHE_SUBDIR / _CACHE_FILE).
    return cache_dir() / "cache" / "lookup_structs.pickle"


def is_built() -> bool:
    return _cache_file().is_file()


def _import_deduce() -> Any:
    # deduce calls logging.basicConfig(level=DEBUG) on import, which would send
    # every library's debug output to stdout: undo what it adds.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import deduce

    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    return deduce


def build() -> float:
    """Build and store the lookup structures; returns the seconds it took."""
    started = time.monotonic()
    _import_deduce().Deduce(cache_path=cache_dir(), build_lookup_structs=True)
    return time.monotonic() - started


_lock = threading.Lock()


@cache
def _deduce() -> Any:
    if not is_built():
        raise NotBuilt(f"No deduce lookup structures in {cache_dir()}")
    started = time.monotonic()
    with _lock:
        model = _import_deduce().Deduce(cache_path=cache_dir())
    logger.info("deduce loaded in %.1f s", time.monotonic() - started)
    return model


def load() -> None:
    """Load deduce now (once per process; a screening calls it before it locks
    its narrative, so no row is locked for the seconds this takes)."""
    _deduce()


def _counts(kind: Kind | None, fragment: str) -> bool:
    if kind is None:
        return False
    if kind == Kind.PHONE:
        return not is_service_number(fragment)
    return not (kind == Kind.INSTITUTION and fragment.casefold() in NATIONAL_BODIES)


def deduce_flags(text: str) -> list[Flag]:
    """deduce's annotations of `text` that count, as flags."""
    flags = []
    for annotation in _deduce().deidentify(text).annotations:
        kind = TAG_KINDS.get(annotation.tag, Kind.NAME)
        start, end = annotation.start_char, annotation.end_char
        if _counts(kind, text[start:end]):
            flags.append(Flag(str(kind), start, end, text[start:end]))
    return flags


def thorough_screen(text: str) -> list[Flag]:
    """Everything deduce or the fast screening finds in `text`, non-overlapping.

    Raises NotBuilt when deduce's lookup structures are not installed.
    """
    if not text:
        return []
    found = [*deduce_flags(text), *screen(text), *find_dates_without_year(text)]
    return resolve_overlaps(found)
