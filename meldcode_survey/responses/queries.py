"""Reads on the respondent's path."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from meldcode_survey.questionnaires.models import Questionnaire, Version
from meldcode_survey.questionnaires.structure import frozen_structure

from .models import Draft


def _draft_sql() -> str:
    draft, version, questionnaire = (
        model._meta.db_table for model in (Draft, Version, Questionnaire)
    )
    return (
        f"SELECT d.*, v.published_at AS version_published_at, "  # noqa: S608
        f"v.status AS version_status "
        f"FROM {draft} d "
        f"JOIN {version} v ON v.id = d.version_id "
        f"JOIN {questionnaire} q ON q.id = v.questionnaire_id "
        f"WHERE d.key = %s AND d.expires_at > %s AND q.slug = %s"
    )


def live_draft(key: uuid.UUID, slug: str) -> Draft | None:
    """The live draft with this key in the questionnaire `slug`, with its version.

    Every request of a respondent starts here, so it is one small statement
    (written out: the ORM takes several times longer to build it than the
    database takes to answer). The version of a published version comes from
    the process's frozen structure (questionnaires.structure) rather than from
    the database again: its content is frozen, and the respondent's pages read
    nothing of it that can change.
    """
    params = [
        Draft._meta.get_field("key").get_db_prep_value(key, connection),
        connection.ops.adapt_datetimefield_value(timezone.now()),
        slug,
    ]
    draft = next(iter(Draft.objects.raw(_draft_sql(), params)), None)
    if draft is None:
        return None
    # The version's columns, named in the statement.
    published_at = _as_datetime(getattr(draft, "version_published_at"))  # noqa: B009
    status = getattr(draft, "version_status")  # noqa: B009
    if published_at is not None and status != Version.Status.DRAFT:
        version = frozen_structure(draft.version_id, published_at).version
        if version.questionnaire.slug == slug:  # else renamed: loaded afresh
            draft.version = version
    return draft


def _questionnaire_sql() -> str:
    questionnaire, version = (m._meta.db_table for m in (Questionnaire, Version))
    return (
        f"SELECT q.*, v.id AS live_version_id, "  # noqa: S608
        f"v.published_at AS live_published_at "
        f"FROM {questionnaire} q "
        f"LEFT JOIN {version} v ON v.questionnaire_id = q.id AND v.status = %s "
        f"WHERE q.slug = %s"
    )


def questionnaire_with_live_version(
    slug: str,
) -> tuple[Questionnaire, Version | None] | None:
    """The questionnaire `slug` and its published version (None: none is), or
    None when there is no such questionnaire.

    The landing page, the start and the thank-you page begin here: one written-out
    statement (at most one version is published, a constraint). The published
    version itself comes from the process's frozen structure, as in live_draft();
    whether it is still the published one is read afresh every time.
    """
    params = [Version.Status.PUBLISHED.value, slug]
    sql = _questionnaire_sql()
    questionnaire = next(iter(Questionnaire.objects.raw(sql, params)), None)
    if questionnaire is None:
        return None
    version_id = getattr(questionnaire, "live_version_id")  # noqa: B009
    published_at = _as_datetime(getattr(questionnaire, "live_published_at"))  # noqa: B009
    if version_id is None:
        return questionnaire, None
    version = None
    if published_at is not None:  # always set by version_publish
        version = frozen_structure(version_id, published_at).version
    if version is None or version.questionnaire.slug != slug:  # renamed since cached
        version = questionnaire.published_version()
    return questionnaire, version


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):  # SQLite gives the text it stores (in UTC)
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value
