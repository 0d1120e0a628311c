"""Create synthetic responses in bulk (see responses/synthetic.py for the values).

On PostgreSQL rows are streamed with COPY while the next batch is generated;
from BULK_MIN responses on, the indexes and foreign keys of the three response
tables are dropped for the load and rebuilt afterwards inside the same
transaction (a failure rolls everything back). That locks the tables for the
duration, which suits demo, test and benchmark databases. Elsewhere (SQLite)
rows go in with bulk_create. The dashboard's rollups are rebuilt afterwards.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from meldcode_survey.questionnaires.models import Questionnaire, Version
from meldcode_survey.responses.models import (
    Answer,
    CaseNarrative,
    Response,
    month_of,
)
from meldcode_survey.responses.synthetic import (
    ANSWER_COLUMNS,
    Synthetic,
    SyntheticResponses,
    copy_escape,
)

BULK_MIN = 100_000
COPY_BATCH = 25_000
ORM_BATCH = 2_000
TABLES = (Response, Answer, CaseNarrative)


class Command(BaseCommand):
    help = (
        "Generate synthetic (demo/test) responses for a questionnaire, marked as "
        "synthetic; remove them with delete_synthetic_responses."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--questionnaire", required=True, metavar="SLUG")
        parser.add_argument("--count", required=True, type=int, metavar="N")
        parser.add_argument("--seed", type=int, default=None, metavar="S")
        parser.add_argument(
            "--wave", type=int, default=None, help="Version number (default: live)."
        )
        parser.add_argument(
            "--days", type=int, default=60, help="Spread over the last N days."
        )
        parser.add_argument(
            "--only-if-empty",
            action="store_true",
            help="Do nothing when the questionnaire already has responses.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        version = _version(options["questionnaire"], options["wave"])
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if (
            options["only_if_empty"]
            and Response.objects.filter(
                version__questionnaire=version.questionnaire
            ).exists()
        ):
            self.stdout.write("The questionnaire already has responses; none added.")
            return
        started = time.perf_counter()
        rows = SyntheticResponses(version, options["seed"], days=options["days"])
        progress = Progress(self.stdout, count)
        if connection.vendor == "postgresql":
            CopyWriter(version, bulk=count >= BULK_MIN).write(
                rows.generate(count), count, progress
            )
        else:
            orm_write(version, rows.generate(count), progress)
        progress.finish()
        generated = time.perf_counter() - started
        if "refresh_aggregates" in get_commands():
            call_command("refresh_aggregates", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {count} synthetic responses for {version} in "
                f"{generated:.1f} s."
            )
        )


def _version(slug: str, number: int | None) -> Version:
    try:
        questionnaire = Questionnaire.objects.get(slug=slug)
    except Questionnaire.DoesNotExist:
        raise CommandError(f"No questionnaire with slug '{slug}'.") from None
    versions = questionnaire.versions.exclude(status=Version.Status.DRAFT)
    if number is not None:
        version = versions.filter(number=number).first()
    else:
        version = questionnaire.published_version() or versions.first()
    if version is None:
        raise CommandError("Responses need a published (or closed) version.")
    return version


class Progress:
    """A text progress bar; on a terminal it redraws one line."""

    WIDTH = 30

    def __init__(self, out: Any, total: int) -> None:
        self.out, self.total, self.done = out, total, 0
        self.started = time.perf_counter()
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.shown = -1

    def advance(self, n: int) -> None:
        self.done += n
        step = self.done * 10 // self.total
        if not self.tty and step == self.shown:
            return
        self.shown = step
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        seconds = time.perf_counter() - self.started
        line = f"[{bar}] {self.done:>10,}/{self.total:,} {seconds:6.1f} s"
        if self.tty:
            self.out.write("\r" + line, ending="")
            self.out.flush()
        else:
            self.out.write(line)

    def finish(self) -> None:
        if self.tty:
            self.out.write("")


def _batches(rows: Iterator[Synthetic], size: int) -> Iterator[list[Synthetic]]:
    while batch := list(islice(rows, size)):
        yield batch


# --- SQLite and other databases ---------------------------------------------------


def orm_write(version: Version, rows: Iterator[Synthetic], progress: Progress) -> None:
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
                    counted_in_rollups=True,  # by the rebuild that follows
                )
                for row in batch
            )
            Answer.objects.bulk_create(
                Answer(
                    response=response,
                    **{
                        name: getattr(spec, name)
                        for name in ANSWER_COLUMNS
                        if name != "screening_flags"
                    },
                )
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


def _bool(value: bool | None) -> str:
    return r"\N" if value is None else ("t" if value else "f")


class CopyWriter:
    """COPY into the three tables, generating the next batch meanwhile."""

    def __init__(self, version: Version, *, bulk: bool) -> None:
        self.version = version
        self.bulk = bulk

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

    def _drop_indexes(self, cursor: Any) -> list[str]:
        """Drop indexes and foreign keys; return the statements that rebuild them."""
        indexes, constraints, foreign_keys, drops = [], [], [], []
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
        version_id = self.version.pk
        responses, answers, narratives = [], [], []
        for offset, row in enumerate(batch):
            rid = str(first_id + offset)
            responses.append(
                f"{rid}\t{version_id}\t{row.submission_key}\t{row.submitted_on}\t"
                f"{row.sector}\t{_bool(row.applied)}\tt\tt\n"
            )
            # The answer's own copy of the response's grain (see Answer).
            answer_prefix = f"{rid}\t{row.sector}\t{month_of(row.submitted_on)}\tt"
            for spec in row.answers:
                answers.append(answer_prefix)
                answers.append(spec.copy_suffix)
            if row.narrative:
                description, dilemma, follow_up, has_dilemma = row.narrative
                narratives.append(
                    f"{rid}\t{copy_escape(description)}\t{copy_escape(dilemma)}\t"
                    f"{copy_escape(follow_up)}\t{_bool(has_dilemma)}\t{{}}\n"
                )
        return [
            (_copy_sql(Response, RESPONSE_COLUMNS), "".join(responses)),
            (_copy_sql(Answer, ANSWER_COPY_COLUMNS), "".join(answers)),
            (_copy_sql(CaseNarrative, NARRATIVE_COLUMNS), "".join(narratives)),
        ]


RESPONSE_COLUMNS = (
    "id",
    "version_id",
    "submission_key",
    "submitted_on",
    "sector",
    "applied_meldcode",
    "is_synthetic",
    "counted_in_rollups",  # by the rebuild that follows
)
ANSWER_COPY_COLUMNS = (
    "response_id",
    "sector",
    "submitted_month",
    "is_synthetic",
    *ANSWER_COLUMNS,
)
NARRATIVE_COLUMNS = (
    "response_id",
    "description",
    "dilemma",
    "follow_up",
    "has_dilemma",
    "screening_flags",
)


def _copy_sql(model: Any, columns: Iterable[str]) -> str:
    return f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"


def _copy_all(raw: Any, buffers: list[tuple[str, str]]) -> None:
    with raw.cursor() as cursor:
        for sql, data in buffers:
            if data:
                cursor.copy_expert(sql, io.StringIO(data), size=1 << 20)
