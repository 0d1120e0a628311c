"""Export benchmark: raw CSV beside `psql \\copy`, the SPSS file's memory, the PDF.

On a PostgreSQL database of its own (BENCH_EXPORTS_DATABASE_URL), the seed
questionnaire gets COUNT synthetic responses (generate_responses, reused when
already there). Every measured step runs as a child process, so its wall time
and peak memory (maximum resident set, ru_maxrss from wait4) are its own:

* build_export --kind raw --format csv for all sectors and for one sector (the
  database writes it: COPY of the pivot query, exports/writers/pgcopy.py);
* psql \\copy of the three response tables (responses, answers, narratives),
  the reference of the target (raw CSV at most 1.5 times its time), and psql
  \\copy of the export's own pivot query;
* build_export --kind raw --format sav (all sectors): its peak memory;
* build_export --kind summary --format pdf (the fact sheet of one sector).

    python bench/exports_bench.py [--count 1000000] [--no-sav]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE_URL = os.environ.get(
    "BENCH_EXPORTS_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/meldcode_bench_exports",
)
SLUG = "brede-reflectie"
SECTOR = "kinderopvang"
TABLES = ("responses_response", "responses_answer", "responses_casenarrative")


@dataclass
class Measure:
    label: str
    seconds: float
    peak_mb: float
    size_mb: float | None = None


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DEBUG": "true",
    }


def _run(label: str, command: list[str], output: Path | None = None) -> Measure:
    """Run a child process; its own wall time and peak resident memory."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    out = child.stdout.read().decode() if child.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label} failed:\n{out}")
    size = output.stat().st_size / 1e6 if output and output.exists() else None
    return Measure(label, seconds, usage.ru_maxrss / 1024, size)


def _manage(*args: str) -> list[str]:
    return [PYTHON, "manage.py", *args]


def _database() -> None:
    """Create the database if missing, migrate, load the seed questionnaire."""
    name = DATABASE_URL.rsplit("/", 1)[1]
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", server, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", server, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    for args in (("migrate", "--noinput", "-v", "0"), ("load_seed_questionnaire",)):
        subprocess.run(_manage(*args), cwd=ROOT, env=_env(), check=True)


def _count() -> int:
    out = subprocess.run(
        ["psql", DATABASE_URL, "-tAc", "SELECT count(*) FROM responses_response"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.strip() or 0)


def _export(kind: str, fmt: str, sector: str, output: Path) -> list[str]:
    return _manage(
        "build_export", "--kind", kind, "--format", fmt, "--sector", sector,
        "--questionnaire", SLUG, "--synthetic", "--output", str(output),
    )  # fmt: skip


def _psql_copy(directory: Path) -> list[str]:
    commands = [
        f"\\copy {table} TO '{directory / table}.csv' WITH (FORMAT csv, HEADER)"
        for table in TABLES
    ]
    args = ["psql", DATABASE_URL, "-q"]
    for command in commands:
        args += ["-c", command]
    return args


def _psql_query(target: Path) -> list[str]:
    """psql \\copy of the raw export's pivot query over all synthetic rows."""
    script = (
        "import django; django.setup()\n"
        "from meldcode_survey.exports.writers.pgcopy import pivot_sql\n"
        "from meldcode_survey.exports.writers.raw import RawLayout, RawSelection\n"
        "from meldcode_survey.questionnaires.models import Questionnaire\n"
        "from django.db import connection\n"
        f"v = Questionnaire.objects.get(slug='{SLUG}').published_version()\n"
        "sql, params = pivot_sql(RawLayout(v, free_text=False),"
        " RawSelection(version=v, synthetic=True))\n"
        "with connection.cursor() as c:\n"
        "    print(c.cursor.mogrify(sql, params).decode())\n"
    )
    env = {**_env(), "DJANGO_SETTINGS_MODULE": "meldcode_survey.settings"}
    query = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    command = f"\\copy ({query}) TO '{target}' WITH (FORMAT csv)"
    return ["psql", DATABASE_URL, "-q", "-c", command]


def main(argv: list[str] | None = None) -> list[Measure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--no-sav", action="store_true", help="skip the .sav")
    options = parser.parse_args(argv)

    _database()
    have = _count()
    if have < options.count:
        print(f"Generating {options.count - have:,} synthetic responses ...")
        subprocess.run(
            _manage(
                "generate_responses", "--questionnaire", SLUG,
                "--count", str(options.count - have), "--seed", "6",
            ),
            cwd=ROOT, env=_env(), check=True,
        )  # fmt: skip
    total = _count()
    results = []
    with tempfile.TemporaryDirectory(prefix="exports-bench-") as tmp:
        out = Path(tmp)
        steps = [
            ("raw CSV, all sectors", "raw", "csv", "all", "all.csv"),
            (f"raw CSV, {SECTOR}", "raw", "csv", SECTOR, "sector.csv"),
            (f"PDF fact sheet, {SECTOR}", "summary", "pdf", SECTOR, "sheet.pdf"),
        ]
        if not options.no_sav:
            steps.append(("raw SAV, all sectors", "raw", "sav", "all", "all.sav"))
        for label, kind, fmt, sector, name in steps:
            target = out / name
            results.append(_run(label, _export(kind, fmt, sector, target), target))
        copy = _run("psql \\copy of the 3 tables", _psql_copy(out))
        copy.size_mb = sum((out / f"{t}.csv").stat().st_size for t in TABLES) / 1e6
        results.append(copy)
        target = out / "query.csv"
        same = _run("psql \\copy of the pivot query", _psql_query(target), target)
        results.append(same)
    print(f"\nExports over {total:,} responses (PostgreSQL)")
    print(f"{'step':<32} {'seconds':>9} {'peak MB':>9} {'file MB':>9}")
    for m in results:
        size = f"{m.size_mb:9.1f}" if m.size_mb is not None else f"{'':>9}"
        print(f"{m.label:<32} {m.seconds:9.1f} {m.peak_mb:9.0f} {size}")
    raw_csv = results[0].seconds
    ratio = raw_csv / copy.seconds
    verdict = "met" if ratio <= 1.5 else "NOT met"
    print(
        f"raw CSV / psql \\copy of the 3 tables: {ratio:.2f}x "
        f"(target <= 1.5x: {verdict}); / psql \\copy of the same query: "
        f"{raw_csv / same.seconds:.2f}x"
    )
    sav = next((m for m in results if m.label.startswith("raw SAV")), None)
    if sav is not None:
        print(
            f"SPSS .sav peak memory (ru_maxrss): {sav.peak_mb:.0f} MB (before: 633 MB)"
        )
    return results


if __name__ == "__main__":
    main()
