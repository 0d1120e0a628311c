"""Writing synthetic responses in bulk: COPY on PostgreSQL, bulk_create elsewhere.

On PostgreSQL rows are streamed with COPY (CSV format, written by the csv
module) while the next batch is generated; from BULK_MIN responses on, the
indexes and foreign keys of the three response tables are dropped for the load
and rebuilt afterwards inside the same transaction (a failure rolls everything
back). That locks the tables for the duration and is four times faster
(bench/README.md), which suits demo, test and benchmark databases only: the
generate_responses command refuses a database that holds real responses unless
told otherwise.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, Protocol

from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper

from meldcode_survey.questionnaires.models import Version
from meldcode_survey.responses.models import (
    Answer,
    CaseNarrative,
    Response,
    month_of,
)

from .synthetic import ANSWER_COLUMNS, Synthetic, synthetic_record_key

BULK_MIN = 100_000
COPY_BATCH = 25_000
ORM_BATCH = 2_000
TABLES = (Response, Answer, CaseNarrative)


class Progress(Protocol):
    def advance(self, n: int) -> None: ...


def write(
    version: Version, rows: Iterator[Synthetic], count: int, progress: Progress
) -> None:
    """Store `count` generated responses of `version`, the fastest way there is."""
    if connection.vendor == "postgresql":
        CopyWriter(version, bulk=count >= BULK_MIN).write(rows, count, progress)
    else:
        orm_write(version, rows, progress)


def _batches(rows: Iterator[Synthetic], size: int) -> Iterator[list[Synthetic]]:
    while batch := list(islice(rows, size)):
        yield batch


# --- SQLite and other databases ---------------------------------------------------


def orm_write(version: Version, rows: Iterator[Synthetic], progress: Progress) -> None:
    fields = [name for name in ANSWER_COLUMNS if name != "screening_flags"]
    with transaction.atomic():
        for batch in _batches(rows, ORM_BATCH):
            responses = Response.objects.bulk_create(
                Response(
                    version=version,
                    submission_key=row.submission_key,
                    submitted_on=row.submitted_on,
                    sector=row.sector,
                    applied_meldcode=row.applied,
                    is_synthetic=True,
                    record_key=synthetic_record_key(row),
                    counted_in_rollups=True,  # by the rebuild that follows
                )
                for row in batch
            )
            Answer.objects.bulk_create(
                Answer(response=response, **{n: getattr(spec, n) for n in fields})
                for response, row in zip(responses, batch, strict=True)
                for spec in row.answers
            )
            CaseNarrative.objects.bulk_create(
                CaseNarrative(
                    response=response,
                    description=row.narrative[0],
                    dilemma=row.narrative[1],
                    follow_up=row.narrative[2],
                    has_dilemma=row.narrative[3],
                )
                for response, row in zip(responses, batch, strict=True)
                if row.narrative
            )
            progress.advance(len(batch))


# --- PostgreSQL -------------------------------------------------------------------


RESPONSE_COLUMNS = (
    "id",
    "version_id",
    "submission_key",
    "submitted_on",
    "sector",
    "applied_meldcode",
    "is_synthetic",
    "record_key",
    "counted_in_rollups",  # by the rebuild that follows
)
ANSWER_COPY_COLUMNS = (
    "response_id",
    "sector",
    "submitted_month",
    "is_synthetic",
    "record_key",
    *ANSWER_COLUMNS,
)
NARRATIVE_COLUMNS = (
    "response_id",
    "description",
    "dilemma",
    "follow_up",
    "has_dilemma",
    "screening_flags",
    "thorough_flags",
)
# In COPY's CSV format an unquoted empty value is NULL; these never are.
NOT_NULL_TEXTS = {
    Response: ("sector",),
    Answer: ("sector", "text"),
    CaseNarrative: ("description", "dilemma", "follow_up"),
}


class _Lines:
    """CSV lines from the csv module, for COPY ... WITH (FORMAT csv)."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")

    def __call__(self, values: Iterable[Any]) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(values)
        return self.buffer.getvalue()


class CopyWriter:
    """COPY into the three tables, generating the next batch meanwhile."""

    def __init__(self, version: Version, *, bulk: bool) -> None:
        self.version = version
        self.bulk = bulk
        self.line = _Lines()

    def write(self, rows: Iterator[Synthetic], count: int, progress: Progress) -> None:
        next_id = self._reserve_ids(count)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                # Index builds sort in runs of this size. Measured over 15.9 M
                # answers: the grain index builds in 12 s with 64MB, 22 s with
                # 1GB (big runs miss the CPU caches), 21 s with 32MB (too
                # little memory for parallel workers).
                cursor.execute("SET LOCAL maintenance_work_mem = '64MB'")
                restore = self._drop_indexes(cursor) if self.bulk else []
            raw = connection.connection
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending: Future | None = None
                for batch in _batches(rows, COPY_BATCH):
                    buffers = self._buffers(batch, next_id)
                    next_id += len(batch)
                    if pending is not None:
                        pending.result()
                    pending = pool.submit(_copy_all, raw, buffers)
                    progress.advance(len(batch))
                if pending is not None:
                    pending.result()
            with connection.cursor() as cursor:
                for statement in restore:
                    cursor.execute(statement)
        tables = ", ".join(model._meta.db_table for model in TABLES)
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # VACUUM cannot run in a transaction
                cursor.execute(f"ANALYZE {tables}")
            else:
                # Marks the new rows all-visible, so the dashboard's rebuild
                # counts them from its index alone (an index-only scan).
                cursor.execute(f"VACUUM (ANALYZE) {tables}")

    def _reserve_ids(self, count: int) -> int:
        """A block of response ids, so answers can refer to them in the stream."""
        table = Response._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, count],
            )
            last = cursor.fetchone()[0]
        return last - count + 1

    def _drop_indexes(self, cursor: CursorWrapper) -> list[str]:
        """Drop indexes and foreign keys; return the statements that rebuild them."""
        indexes: list[str] = []
        constraints: list[str] = []
        foreign_keys: list[str] = []
        drops: list[str] = []
        for model in TABLES:
            table = model._meta.db_table
            # A primary key goes too when no other table refers to this one.
            cursor.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND (contype IN ('f', 'u') OR "
                "contype = 'p' AND NOT EXISTS (SELECT 1 FROM pg_constraint r "
                "WHERE r.confrelid = %s::regclass))",
                [table, table],
            )
            for name, kind, definition in cursor.fetchall():
                drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                statement = f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
                if kind == "p":
                    constraints.insert(0, statement)
                else:
                    (foreign_keys if kind == "f" else constraints).append(statement)
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) "
                "FROM pg_index i WHERE indrelid = %s::regclass AND NOT indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = i.indexrelid)",
                [table],
            )
            for name, definition in cursor.fetchall():
                drops.append(f"DROP INDEX {name}")
                indexes.append(definition)
        foreign_first = sorted(drops, key=lambda d: "FOREIGN" not in d)
        for statement in foreign_first:
            cursor.execute(statement)
        return indexes + constraints + foreign_keys

    def _buffers(self, batch: list[Synthetic], first_id: int) -> list[tuple[str, str]]:
        version_id, line = self.version.pk, self.line
        responses, answers, narratives = [], [], []
        for offset, row in enumerate(batch):
            rid = first_id + offset
            key = synthetic_record_key(row)
            responses.append(
                line(
                    (rid, version_id, row.submission_key, row.submitted_on)
                    + (row.sector, row.applied, True, key, True)
                )
            )
            # The answer's own copy of the response's grain (see Answer).
            prefix = line((rid, row.sector, month_of(row.submitted_on), True, key))[:-1]
            for spec in row.answers:
                answers.append(prefix)
                answers.append(spec.csv_values)
            if row.narrative:
                narratives.append(line((rid, *row.narrative, "{}", "{}")))
        return [
            (_copy_sql(Response, RESPONSE_COLUMNS), "".join(responses)),
            (_copy_sql(Answer, ANSWER_COPY_COLUMNS), "".join(answers)),
            (_copy_sql(CaseNarrative, NARRATIVE_COLUMNS), "".join(narratives)),
        ]


def _copy_sql(model: type[models.Model], columns: Iterable[str]) -> str:
    not_null = ", ".join(NOT_NULL_TEXTS[model])
    return (
        f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))"
    )


def _copy_all(raw: Any, buffers: list[tuple[str, str]]) -> None:
    with raw.cursor() as cursor:
        for sql, data in buffers:
            if data:
                cursor.copy_expert(sql, io.StringIO(data), size=1 << 20)
