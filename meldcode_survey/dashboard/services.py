"""Writes of the dashboard: keeping the rollups current, and the sector notes.

Incremental updates add one response's counts with an atomic upsert
(`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`, on PostgreSQL and
SQLite alike), so concurrent submits never lose a count. A rebuild counts the
raw answers with one `SELECT ... GROUP BY` per table and replaces every rollup
with the few thousand result rows in one transaction: readers see the old or
the new figures, never a mix. Every change gives the version a new figures
stamp, the key under which the pages cache their figures.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from meldcode_survey.questionnaires.models import Question, Version
from meldcode_survey.responses.models import Answer, Response, month_of

from .models import (
    ANSWERED_KEY,
    AnswerRollup,
    FiguresStamp,
    ResponseRollup,
    SectorNote,
)

logger = logging.getLogger(__name__)

# A row of a values() query: column name to value.
Row = dict[str, Any]

COUNTED_TYPES = (
    Question.Type.LIKERT,
    Question.Type.SINGLE_CHOICE,
    Question.Type.MULTIPLE_CHOICE,
)


# --- Incremental --------------------------------------------------------------


def rollups_count_response(response_id: int) -> bool:
    """Add a submitted response to the rollups once; False when it already was
    (by an earlier task, the sweep or a rebuild) or is gone.

    Runs after the submit's commit, in a task: never in the respondent's
    request (unless tasks run in-process, as in development). The rollups are
    locked before the response is claimed, in the order a rebuild takes them,
    so the two never deadlock and a rebuild never counts a claimed response.
    """
    with transaction.atomic():
        _lock_rollups(ROW_EXCLUSIVE)
        claimed = Response.objects.filter(
            pk=response_id, counted_in_rollups=False
        ).update(counted_in_rollups=True)
        if claimed:
            rollups_add_response(response_id)
    return bool(claimed)


def rollups_count_missed() -> int:
    """Count every stored response not counted yet (beat's sweep, every minute):
    those whose task was lost because the broker or the worker was down."""
    pending = Response.objects.filter(counted_in_rollups=False).order_by("pk")
    return sum(
        rollups_count_response(pk) for pk in pending.values_list("pk", flat=True)
    )


ROW_EXCLUSIVE = "ROW EXCLUSIVE"  # what an INSERT takes; a rebuild's lock blocks it


def _lock_rollups(mode: str) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time
    tables = [ResponseRollup._meta.db_table, AnswerRollup._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {', '.join(tables)} IN {mode} MODE")


def rollups_add_response(response_id: int) -> None:
    """Add one stored response's counts (once: see rollups_count_response)."""
    response = (
        Response.objects.filter(pk=response_id)
        .values("version_id", "is_synthetic", "sector", "submitted_on", "record_key")
        .annotate(
            applied=F("applied_meldcode"), has_dilemma=F("narrative__has_dilemma")
        )
        .annotate(narrative_id=F("narrative__id"))
        .first()
    )
    if response is None:
        return
    grain = {
        "version_id": response["version_id"],
        "is_synthetic": response["is_synthetic"],
        "sector": response["sector"],
        "month": month_of(response["submitted_on"]),
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A rebuild locks the rollups; a submit never waits long for it
            # (on a timeout the caller logs and the nightly rebuild repairs).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
        figures_changed(response["version_id"])
        counts = _response_counts(response)
        record_key = response["record_key"]
        counts |= {f"{c}_keys": n * record_key for c, n in counts.items()}
        _upsert(ResponseRollup, grain, counts)
        for (question_id, key), n in _answer_counts(response_id).items():
            _upsert(
                AnswerRollup,
                {**grain, "question_id": question_id, "key": key},
                {"answers": n, "keys": n * record_key},
            )


def _response_counts(response: Mapping[str, Any]) -> dict[str, int]:
    has_case = response["narrative_id"] is not None
    return {
        "respondents": 1,
        "applied": int(response["applied"] is True),
        "not_applied": int(response["applied"] is False),
        "cases": int(has_case),
        "cases_with_dilemma": int(has_case and response["has_dilemma"] is True),
        "cases_without_dilemma": int(has_case and response["has_dilemma"] is False),
    }


def _answer_counts(response_id: int) -> Counter[tuple[int, int | None]]:
    rows = (
        Answer.objects.filter(
            response_id=response_id,
            question__type__in=COUNTED_TYPES,
            rollup_key__isnull=False,  # the rebuild's filter too (_answer_rows)
        )
        .exclude(question__role=Question.Role.SECTOR)
        .values_list("question_id", "question__type", "rollup_key")
    )
    counts: Counter[tuple[int, int | None]] = Counter()
    for question_id, kind, key in rows:
        counts[question_id, key] += 1
        if kind == Question.Type.MULTIPLE_CHOICE:
            counts[question_id, ANSWERED_KEY] = 1
    return counts


def _upsert(
    model: type[ResponseRollup | AnswerRollup], grain: Row, counts: dict[str, int]
) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*grain, *counts]
    conflict = ", ".join(quote(c) for c in grain)
    updates = ", ".join(
        f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in counts
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*grain.values(), *counts.values()])


# --- Full rebuild -------------------------------------------------------------


@dataclass(frozen=True)
class RebuildResult:
    response_rows: int
    answer_rows: int
    seconds: float


def counted_question_ids() -> list[int]:
    """Questions whose answers the rollups count: Likert items and choices.

    The sector is the grain itself and yes/no roles are counted per response.
    """
    return list(
        Question.objects.filter(type__in=COUNTED_TYPES)
        .exclude(role=Question.Role.SECTOR)
        .values_list("pk", flat=True)
        .order_by("pk")
    )


def rollups_rebuild() -> RebuildResult:
    """Recompute every rollup from the raw responses and answers.

    A GROUP BY per table over the raw rows; their few thousand result rows
    replace the rollups in one transaction, so readers see the old or the new
    figures, never a mix. Answers carry their response's grain, so they are
    counted from their own table alone, along the index that holds every
    column they are grouped by (PostgreSQL reads it with an index-only scan,
    in parallel workers of its own, feeding a streaming GROUP BY): 1.2 s over a
    million responses (bench/README.md).
    """
    started = time.perf_counter()
    # One snapshot for the whole rebuild (when it is a transaction of its own),
    # so that it marks as counted exactly the responses it counted.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if connection.vendor == "postgresql":
            _lock_and_tune()
        response_rows = list(_response_rows())
        answer_rows = list(_answer_rows(counted_question_ids()))
        answered_rows = list(_answered_rows())
        columns = (*ResponseRollup.COUNTS, *ResponseRollup.KEY_SUMS)
        responses = [
            ResponseRollup(**_grain(row), **{c: row[c] for c in columns})
            for row in _per_month(response_rows)
        ]
        answers = [
            AnswerRollup(
                **_grain(grain), question_id=question, key=key, answers=n, keys=keys
            )
            for grain, question, key, n, keys in _answer_keys(
                answer_rows, answered_rows
            )
        ]
        ResponseRollup.objects.all().delete()
        AnswerRollup.objects.all().delete()
        ResponseRollup.objects.bulk_create(responses, batch_size=2000)
        AnswerRollup.objects.bulk_create(answers, batch_size=2000)
        figures_changed(*{row.version_id for row in responses}, everything=True)
        # Submitted since the snapshot: left to their task or the sweep.
        Response.objects.filter(counted_in_rollups=False).update(
            counted_in_rollups=True
        )
    return RebuildResult(
        response_rows=len(responses),
        answer_rows=len(answers),
        seconds=time.perf_counter() - started,
    )


SESSION_SETTINGS = (
    # Room to hash a million responses in memory instead of in batches.
    "SET LOCAL work_mem = '256MB'",
)


def _lock_and_tune() -> None:
    # Concurrent counts wait for the swap, then find their response counted or
    # not in the snapshot (rollups_count_response).
    _lock_rollups("SHARE ROW EXCLUSIVE")
    with connection.cursor() as cursor:
        for statement in SESSION_SETTINGS:
            cursor.execute(statement)


def _grain(row: Row) -> Row:
    return {
        "version_id": row["g_version"],
        "is_synthetic": row["g_synthetic"],
        "sector": row["g_sector"],
        "month": row["g_month"],
    }


def _per_month(rows: list[Row]) -> list[Row]:
    """Response counts per day summed per month.

    Grouping by the day and truncating here is cheaper than truncating a
    million dates in SQL (PostgreSQL casts each to a timestamp in the session's
    time zone first).
    """
    merged: dict[tuple[int, bool, str, date], Counter[str]] = {}
    for row in rows:
        day = row.pop("g_day")
        grain = (row["g_version"], row["g_synthetic"], row["g_sector"], month_of(day))
        merged.setdefault(grain, Counter()).update(
            {c: row[c] or 0 for c in (*ResponseRollup.COUNTS, *ResponseRollup.KEY_SUMS)}
        )
    names = ("g_version", "g_synthetic", "g_sector", "g_month")
    return [
        {**dict(zip(names, grain, strict=True)), **counts}
        for grain, counts in merged.items()
    ]


def _answer_keys(
    answer_rows: list[Row], answered_rows: list[Row]
) -> Iterator[tuple[Row, int, int, int, int]]:
    """(grain, question, key, count, key sum) for the rollups.

    The version is the question's, looked up here rather than joined in SQL: a
    few hundred questions against millions of answers.
    """
    versions = dict(Question.objects.values_list("pk", "version_id"))
    for row in answer_rows:
        grain, key = _answer_grain(row, versions), row["rollup_key"]
        yield grain, row["question_id"], key, row["n"], row["keys"]
    for row in answered_rows:
        grain = _answer_grain(row, versions)
        yield grain, row["question_id"], ANSWERED_KEY, row["n"], row["keys"]


def _answer_grain(row: Row, versions: dict[int, int]) -> Row:
    return {
        "g_version": versions[row["question_id"]],
        "g_synthetic": row["is_synthetic"],
        "g_sector": row["sector"],
        "g_month": row["submitted_month"],
    }


# An answer's grain is its own copy of its response's (see Answer).
ANSWER_GRAIN = ("sector", "submitted_month", "is_synthetic")


def _response_rows() -> QuerySet[Response, Any]:
    """Response counts per grain and day (see _per_month)."""
    has_case = Q(narrative__isnull=False)
    counts = {
        "respondents": Q(),
        "applied": Q(applied_meldcode=True),
        "not_applied": Q(applied_meldcode=False),
        "cases": has_case,
        "cases_with_dilemma": has_case & Q(narrative__has_dilemma=True),
        "cases_without_dilemma": has_case & Q(narrative__has_dilemma=False),
    }
    key_sums = {
        f"{name}_keys": Sum("record_key", filter=condition or None)
        for name, condition in counts.items()
    }
    return (
        Response.objects.order_by()
        .values(
            g_version=F("version_id"),
            g_synthetic=F("is_synthetic"),
            g_sector=F("sector"),
            g_day=F("submitted_on"),
        )
        .annotate(
            respondents=Count("pk"),
            applied=Count("pk", filter=Q(applied_meldcode=True)),
            not_applied=Count("pk", filter=Q(applied_meldcode=False)),
            cases=Count("pk", filter=has_case),
            cases_with_dilemma=Count(
                "pk", filter=has_case & Q(narrative__has_dilemma=True)
            ),
            cases_without_dilemma=Count(
                "pk", filter=has_case & Q(narrative__has_dilemma=False)
            ),
            **key_sums,
        )
    )


# The columns of the answer_grain_for_rollups index, in its order.
ANSWER_INDEX_COLUMNS = (
    "question_id",
    "submitted_month",
    "is_synthetic",
    "rollup_key",
    "sector",
)


def _answer_rows(questions: list[int]) -> QuerySet[Answer, Any]:
    """Counts of the countable answers to these questions, per grain and key.

    Grouped in the order of the index, which PostgreSQL then reads in order.
    """
    rows: QuerySet[Answer, Any] = (
        Answer.objects.filter(rollup_key__isnull=False, question_id__in=questions)
        .order_by()
        .values(*ANSWER_INDEX_COLUMNS)
        .annotate(n=Count("*"), keys=Sum("record_key"))
    )
    return rows


def _answered_rows() -> QuerySet[Answer, Any]:
    """Respondents who answered each multiple-choice question, per grain.

    One answer per respondent and question stands for them (the one with the
    lowest choice), so that their record key is summed once.
    """
    lower = Answer.objects.filter(
        response_id=OuterRef("response_id"),
        question_id=OuterRef("question_id"),
        choice_id__lt=OuterRef("choice_id"),
    )
    rows: QuerySet[Answer, Any] = (
        Answer.objects.filter(question__type=Question.Type.MULTIPLE_CHOICE)
        .exclude(Exists(lower))
        .order_by()
        .values("question_id", *ANSWER_GRAIN)
        .annotate(n=Count("response_id"), keys=Sum("record_key"))
    )
    return rows


# --- Stamps -------------------------------------------------------------------


def figures_changed(*version_ids: int, everything: bool = False) -> None:
    """Give the versions' figures a new stamp (`everything`: every version too).

    Cached pages are keyed by the stamp, so none survives a change. An upsert
    per version, so concurrent submits never fail on it.
    """
    token = secrets.token_hex(16)
    if everything:
        FiguresStamp.objects.update(token=token)
    FiguresStamp.objects.bulk_create(
        [FiguresStamp(version_id=pk, token=token) for pk in sorted(set(version_ids))],
        update_conflicts=True,
        unique_fields=["version"],
        update_fields=["token"],
    )


# --- Notes --------------------------------------------------------------------


def sector_note_save(
    *, version: Version, sector: str, text: str, text_en: str, user: User
) -> SectorNote:
    with transaction.atomic():
        note, _created = SectorNote.objects.update_or_create(
            version=version,
            sector=sector,
            defaults={
                "text": text.strip(),
                "text_en": text_en.strip(),
                "updated_by": user,
            },
        )
        figures_changed(version.pk)
    return note
