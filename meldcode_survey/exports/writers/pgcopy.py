"""The raw CSV straight from PostgreSQL: `COPY (pivot query) TO STDOUT`.

One query turns the answer rows into the raw layout's columns (raw.py): a row
per response, each column an aggregate filtered to its question. PostgreSQL
writes the CSV itself, so Python only adds the byte-order mark and the header,
and turns each record's line feed into the CRLF of RFC 4180 (one record arrives
per write, so line breaks inside quoted texts stay as they are). The query runs
once per range of CHUNK_SIZE responses: between two ranges the progress
callback writes the export's heartbeat (no other statement can run on the
connection while a COPY streams). Over a million responses, ranges of 100,000
took 23 s where ranges of 20,000 took 26-37 s (the smaller ranges get no
parallel plan) and psql \\copy of the whole query 22 s.

Formula neutralisation (neutralise.py) happens in the query: a text that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets an apostrophe in front.
Choice codes are constants, neutralised here before they go into the query.
The result equals the Python writer's (csv.py over raw.iter_rows) cell for
cell; tests/exports/test_raw_files.py compares the two.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db import connection

from meldcode_survey.questionnaires.sectors import ALL
from meldcode_survey.responses.models import Answer, CaseNarrative, Response

from .neutralise import FORMULA_TRIGGERS, neutralise
from .raw import RawLayout, RawSelection

Progress = Callable[[float], None]
CHUNK_SIZE = 100_000


def write_raw_csv_copy(
    path: Path,
    layout: RawLayout,
    selection: RawSelection,
    *,
    progress: Progress,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Write the raw CSV of `selection` to `path`; returns the number of rows."""
    total = selection.responses().count()
    with open(path, "wb") as handle, connection.cursor() as cursor:
        handle.write(_header(layout))
        sink = _CrlfRows(handle)
        raw = cursor.cursor  # psycopg2's own cursor, for copy_expert
        for first, last in _ranges(selection, chunk_size):
            sql, params = pivot_sql(layout, selection, first=first, last=last)
            query = raw.mogrify(sql, params).decode()
            raw.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", sink)
            progress(sink.rows / total)
    return sink.rows


def _ranges(selection: RawSelection, size: int) -> Iterator[tuple[int, int | None]]:
    """(after, up to and including) response ids, `size` responses each."""
    ids = selection.responses().values_list("pk", flat=True)
    after = 0
    while ids.filter(pk__gt=after).exists():
        last = ids.filter(pk__gt=after)[size - 1 : size].first()
        yield after, last
        if last is None:
            return
        after = last


def _header(layout: RawLayout) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerow(
        [neutralise(name) for name in layout.names]
    )
    return "\ufeff".encode() + text.getvalue().encode()


class _CrlfRows:
    """A file-like target for COPY: one CSV record per write."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.rows = 0

    def write(self, record: bytes) -> None:
        self.handle.write(record[:-1] + b"\r\n")
        self.rows += 1


def _text(expression: str) -> str:
    """A text cell: empty for NULL or '', neutralised when it looks like a formula."""
    triggers = ", ".join(_literal(t) for t in FORMULA_TRIGGERS)
    value = f"NULLIF({expression}, '')"
    apostrophe = _literal("'")
    return (
        f"CASE WHEN left({value}, 1) IN ({triggers}) "
        f"THEN {apostrophe} || {value} ELSE {value} END"
    )


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "''")
    escaped = escaped.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
    return f"E'{escaped}'"


def _answer_columns(
    question_id: int, kind: str, slot: Any, extra: Any
) -> Iterator[tuple[int, str, list[Any]]]:
    """(column, SQL expression, parameters) of one question's column(s)."""
    mine = f"a.question_id = {int(question_id)}"
    if kind == "single":
        choices = sorted(extra)
        cases = " ".join(f"WHEN {int(choice)} THEN %s" for choice in choices)
        codes = [neutralise(extra[choice]) for choice in choices]
        yield slot, f"CASE max(a.choice_id) FILTER (WHERE {mine}) {cases} END", codes
    elif kind == "multiple":
        answered = f"count(*) FILTER (WHERE {mine}) > 0"
        for choice, column in slot.items():
            chosen = f"count(*) FILTER (WHERE {mine} AND a.choice_id = {int(choice)})"
            yield column, f"CASE WHEN {answered} THEN {chosen} END", []
    else:
        value = {
            "likert": f"CASE WHEN a.not_applicable THEN {int(extra or 0)} "
            "ELSE a.scale_value END",
            "yes": "a.yes::int",
            "number": "a.number",
            "text": "a.text",
        }[kind]
        expression = f"max({value}) FILTER (WHERE {mine})"
        yield slot, _text(expression) if kind == "text" else expression, []


def _columns(layout: RawLayout) -> tuple[list[str], list[Any]]:
    """One SQL expression per layout column, in order, and their parameters."""
    expressions: dict[int, tuple[str, list[Any]]] = {
        0: ("r.id", []),
        1: ("%s", [layout.version.number]),
        2: ("to_char(r.submitted_on, 'YYYY-MM-DD')", []),
    }
    for question_id, (kind, slot, extra) in layout.answer_slots.items():
        for column, sql, params in _answer_columns(question_id, kind, slot, extra):
            expressions[column] = (sql, params)
    for name, column in layout.narrative_slots.items():
        expressions[column] = (_text(f"n.{connection.ops.quote_name(name)}"), [])
    ordered = [expressions.get(i, ("NULL", [])) for i in range(len(layout.columns))]
    return [sql for sql, _p in ordered], [p for _s, params in ordered for p in params]


def pivot_sql(
    layout: RawLayout,
    selection: RawSelection,
    *,
    first: int = 0,
    last: int | None = None,
) -> tuple[str, list[Any]]:
    """The query of the raw layout over the selected responses with an id
    above `first` and up to `last`, in id order."""
    columns, params = _columns(layout)
    joins = f"LEFT JOIN {Answer._meta.db_table} a ON a.response_id = r.id"
    group = "r.id"
    if layout.narrative_slots:
        joins += f" LEFT JOIN {CaseNarrative._meta.db_table} n ON n.response_id = r.id"
        group += ", n.id"
    where = ["r.version_id = %s", "r.is_synthetic = %s", "r.id > %s"]
    params += [selection.version.pk, selection.synthetic, first]
    for condition, value in (
        ("r.id <= %s", last),
        ("r.sector = %s", None if selection.sector == ALL else selection.sector),
        ("r.submitted_on >= %s", selection.date_from),
        ("r.submitted_on <= %s", selection.date_to),
    ):
        if value:
            where.append(condition)
            params.append(value)
    sql = (
        f"SELECT {', '.join(columns)} FROM {Response._meta.db_table} r {joins} "
        f"WHERE {' AND '.join(where)} GROUP BY {group} ORDER BY r.id"
    )
    return sql, params
