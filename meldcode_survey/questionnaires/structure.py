"""The structure of a version: its sections, questions, choices and scales.

One loader for everything that reads a version's shape (the respondent's flow,
the dashboard's tables). A published or closed version is frozen (the models
refuse changes), so its structure is loaded once per process and kept under
(pk, published_at): a database that reuses a pk (tests on SQLite) gives a new
version a new publication time, and so a new entry. A draft is loaded each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from .models import Question, Section, Version

FROZEN_CACHED = 32  # versions kept per process


@dataclass(frozen=True)
class Structure:
    """Sections in order, each with its questions (and their conditions,
    choices and Likert scale points) prefetched."""

    version: Version
    sections: list[Section]

    @property
    def questions(self) -> list[Question]:
        """Every question in questionnaire order."""
        return [q for section in self.sections for q in section.questions.all()]


def structure(version: Version) -> Structure:
    """The structure of `version`, from the process cache when it is frozen."""
    key = version.frozen_key
    return _load(version) if key is None else frozen_structure(*key)


@lru_cache(maxsize=FROZEN_CACHED)
def frozen_structure(version_id: int, published_at: datetime) -> Structure:
    """The structure of the frozen version with this id and publication time,
    with the version itself (callers that know only its id and time)."""
    return _load(Version.objects.select_related("questionnaire").get(pk=version_id))


def _load(version: Version) -> Structure:
    sections = version.sections.select_related("condition_question").prefetch_related(
        "questions__choices",
        "questions__condition_question",
        "questions__group__scale__points",
    )
    return Structure(version=version, sections=list(sections))
