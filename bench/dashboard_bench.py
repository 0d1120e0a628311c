"""Dashboard benchmark: a million synthetic responses on PostgreSQL.

Measures, on a database of its own (BENCH_DATABASE_URL, else DATABASE_URL when
it is PostgreSQL, else postgres://postgres@127.0.0.1:5432/meldcode_bench,
created and migrated when missing):

* generating COUNT synthetic responses (`generate_responses`, COPY), after
  removing the synthetic responses of an earlier run;
* the full rollup rebuild (`refresh_aggregates`), a few times;
* the server time of the sector page for a logged-in analyst through Django's
  test client (middleware, session, view and template): median and p95 over
  repeated requests, with the figures cached as between two submits and with
  the cache emptied before every request; also the overview and a
  date-filtered sector page, uncached;
* one incremental rollup update (what every submit adds).

The figures are printed last. Targets: sector page <= 20 ms, rebuild < 5 s,
generation < 2 min.

    python bench/dashboard_bench.py [--count 1000000] [--requests 200] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/meldcode_bench"
SLUG = "brede-reflectie"
SECTOR = "kinderopvang"
TARGETS = {"sector_median_ms": 20.0, "rebuild_s": 5.0, "generation_s": 120.0}


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        candidate = os.environ.get("DATABASE_URL", "")
        url = candidate if candidate.startswith("postgres") else DEFAULT_URL
    return url


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="Keep earlier data.")
    args = parser.parse_args(argv)
    url = database_url()
    ensure_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    env.pop("REDIS_URL", None)  # tasks in-process, as on the embedded default
    print(f"Dashboard benchmark on {urlparse(url).path.lstrip('/')}", flush=True)
    figures = run_in_child(__file__, vars(args), env)
    report(figures)
    return figures


def run_in_child(script: str, options: dict, env: dict[str, str]) -> dict:
    """Migrate and load the seed questionnaire on the bench database, then run
    `script --child OPTIONS` there: it prints progress, and its figures as JSON
    on the last line, which are returned."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v0"], ["load_seed_questionnaire"]):
        subprocess.run([*manage, *command], env=env, check=True, cwd=ROOT)
    child = [sys.executable, script, "--child", json.dumps(options)]
    done = subprocess.run(
        child, env=env, check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    lines = done.stdout.splitlines()
    print("\n".join(lines[:-1]), flush=True)
    return json.loads(lines[-1])


# --- In the child process, with Django set up on the bench database --------------


def child(options: dict) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldcode_survey.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from meldcode_survey.questionnaires.models import Questionnaire
    from meldcode_survey.responses.models import Response

    version = Questionnaire.objects.get(slug=SLUG).published_version()
    figures: dict = {"count": options["count"]}
    have = Response.objects.filter(version=version, is_synthetic=True).count()
    if options["reuse"] and have >= options["count"]:
        figures["generation_s"] = None
        print(f"Reusing {have} synthetic responses.", flush=True)
    else:
        if have:
            call_command("delete_synthetic_responses", stdout=sys.stderr)
        started = time.perf_counter()
        call_command(
            "generate_responses",
            questionnaire=SLUG,
            count=options["count"],
            seed=1,
            stdout=sys.stderr,
        )
        figures["generation_s"] = time.perf_counter() - started
    figures["responses"] = Response.objects.filter(version=version).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM responses_answer")
        figures["answers"] = cursor.fetchone()[0]
    figures.update(_rebuild())
    figures.update(_pages(version, options["requests"]))
    figures.update(_incremental(version))
    figures.update(_usefulness(version))
    figures.update(_machine())
    return figures


def _machine() -> dict:
    """Two reference figures, to compare results between machines: a fixed
    piece of Python, and PostgreSQL counting the answer rows (one core each)."""
    from django.db import connection

    started = time.perf_counter()
    sum(i * i for i in range(2_000_000))
    python_ms = (time.perf_counter() - started) * 1000
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        started = time.perf_counter()
        cursor.execute("SELECT count(*) FROM responses_answer")
        cursor.fetchone()
        scan_s = time.perf_counter() - started
        cursor.execute("RESET max_parallel_workers_per_gather")
    return {"reference_python_ms": python_ms, "reference_scan_s": scan_s}


def _rebuild(runs: int = 3) -> dict:
    from meldcode_survey.dashboard.services import rollups_rebuild

    seconds = [rollups_rebuild().seconds for _ in range(runs)]
    return {"rebuild_s": statistics.median(seconds), "rebuild_runs_s": seconds}


def _analyst_client():  # noqa: ANN202 - the test client
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from meldcode_survey.accounts.roles import ANALYST, ensure_role_groups

    ensure_role_groups()
    user, _created = get_user_model().objects.get_or_create(username="bench-analyst")
    user.groups.add(Group.objects.get(name=ANALYST))
    client = Client()
    client.force_login(user)
    try:  # the second factor, when accounts require one (django-otp)
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return client
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _time_pages(client, url: str, requests: int, cold: bool = False) -> list[float]:  # noqa: ANN001
    from django.core.cache import cache

    for _ in range(5):  # warm up: caches, template loading, connection
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        if cold:  # no cached figures: computed from the rollups and rendered
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _pages(version, requests: int) -> dict:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from meldcode_survey.dashboard.models import ResponseRollup

    client = _analyst_client()
    sector_url = reverse("dashboard:sector", args=[SLUG, SECTOR])
    months = sorted(
        ResponseRollup.objects.filter(version=version)
        .values_list("month", flat=True)
        .distinct()
    )
    filtered_url = f"{sector_url}?start={months[-1]:%Y-%m}" if months else sector_url
    figures = {}
    fewer = max(requests // 4, 20)
    for name, url, count, cold in (
        ("sector", sector_url, requests, False),
        ("sector_cold", sector_url, fewer, True),
        ("sector_filtered", filtered_url, fewer, True),
        ("overview", reverse("dashboard:overview", args=[SLUG]), fewer, True),
    ):
        times = _time_pages(client, url, count, cold)
        figures[f"{name}_median_ms"] = statistics.median(times)
        figures[f"{name}_p95_ms"] = _percentile(times, 0.95)
        figures[f"{name}_requests"] = count
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(sector_url)
    figures["sector_queries_cold"] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(sector_url)
    figures["sector_queries"] = len(queries)
    return figures


def _incremental(version, runs: int = 20) -> dict:  # noqa: ANN001
    from meldcode_survey.dashboard.services import rollups_add_response
    from meldcode_survey.responses.models import Response

    ids = list(
        Response.objects.filter(version=version)
        .order_by("-pk")
        .values_list("pk", flat=True)[:runs]
    )
    times = []
    for pk in ids:  # add and take out again, leaving the rollups as they were
        started = time.perf_counter()
        rollups_add_response(pk)
        times.append((time.perf_counter() - started) * 1000)
        rollups_add_response(pk, sign=-1)
    return {"incremental_ms": statistics.median(times) if times else None}


def _counts(summary):  # noqa: ANN001, ANN202
    f = summary.figures
    yield from (f.respondents, f.applied, f.cases, f.with_dilemma, f.without_dilemma)
    for item in summary.items:
        yield from (p.count for p in item.points)
        yield item.not_applicable.count
        yield item.valid_n
    for choice in summary.choices:
        yield choice.answered
        yield from (o.count for o in choice.options)


def _shares(summary):  # noqa: ANN001, ANN202
    """(given, base) of every share and mean: given is False where it reads "x"."""
    f = summary.figures
    yield not f.applied_share.hidden, f.respondents
    yield not f.with_dilemma_share.hidden, f.cases
    yield not f.without_dilemma_share.hidden, f.cases
    for item in summary.items:
        yield not item.top_two.hidden, item.valid_n
        yield from ((not p.share.hidden, item.valid_n) for p in item.points)
        yield not item.mean_hidden, item.valid_n
    for choice in summary.choices:
        yield from ((not o.share.hidden, choice.answered) for o in choice.options)


def _usefulness(version) -> dict:  # noqa: ANN001
    """Of the cells with a true count of 10 or more, the share analysts see and
    how far off they are; of the shares and means on a true base of 20 or more,
    the share analysts are given; and how much the cells of 1 to 9 are inflated.
    Whole period and the last month, every sector and all sectors (disclosure
    control, dashboard/queries/disclosure.py)."""
    from meldcode_survey.dashboard.models import ResponseRollup
    from meldcode_survey.dashboard.queries import sector_summary
    from meldcode_survey.questionnaires.sectors import ALL, sector_codes

    last = (
        ResponseRollup.objects.filter(version=version)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    figures = {}
    for name, month in (("whole", None), ("month", last)):
        large = shown = small = off = small_true = small_shown = 0
        based = given = 0
        for sector in [*sector_codes(version), ALL]:
            views = [
                sector_summary(
                    version=version,
                    sector=sector,
                    month_from=month,
                    month_to=month,
                    unsuppressed=staff,
                )
                for staff in (True, False)
            ]
            for true, seen in zip(*map(_counts, views), strict=True):
                if true.value >= 10:
                    large += 1
                    shown += seen.value is not None
                    off += abs((seen.value or 0) - true.value)
                elif true.value:
                    small += 1
                    small_true += true.value
                    small_shown += seen.value or 0
            for (_staff, base), (seen, _base) in zip(*map(_shares, views), strict=True):
                if base.value >= 20:
                    based += 1
                    given += seen
        figures[f"shown_{name}"] = shown / large if large else None
        figures[f"cells_{name}"] = large
        figures[f"small_{name}"] = small
        figures[f"noise_{name}"] = off / shown if shown else None
        figures[f"small_true_{name}"] = small_true / small if small else None
        figures[f"small_shown_{name}"] = small_shown / small if small else None
        figures[f"given_{name}"] = given / based if based else None
        figures[f"based_{name}"] = based
    return figures


# --- Report -----------------------------------------------------------------------


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "not measured"
    return "meets target" if value <= target else "MISSES target"


def report(f: dict) -> None:
    gen = f.get("generation_s")
    lines = [
        "",
        "== Dashboard benchmark ==",
        f"responses: {f['responses']:,}   answers: {f['answers']:,}",
        (
            f"generate {f['count']:,} synthetic responses: {gen:.1f} s "
            f"(target < 2 min: {_verdict(gen, TARGETS['generation_s'])})"
            if gen is not None
            else "generation: reused earlier data (not measured)"
        ),
        (
            f"full rollup rebuild: median {f['rebuild_s']:.2f} s over "
            f"{len(f['rebuild_runs_s'])} runs "
            f"({', '.join(f'{s:.2f}' for s in f['rebuild_runs_s'])}) "
            f"(target < 5 s: {_verdict(f['rebuild_s'], TARGETS['rebuild_s'])})"
        ),
        (
            f"sector page (analyst): median {f['sector_median_ms']:.1f} ms, "
            f"p95 {f['sector_p95_ms']:.1f} ms over {f['sector_requests']} requests, "
            f"{f['sector_queries']} queries ({f['sector_queries_cold']} uncached) "
            f"(target <= 20 ms: "
            f"{_verdict(f['sector_median_ms'], TARGETS['sector_median_ms'])})"
        ),
        (
            f"sector page, figures not cached (after a submit): median "
            f"{f['sector_cold_median_ms']:.1f} ms, p95 {f['sector_cold_p95_ms']:.1f} ms"
        ),
        (
            f"sector page, one month, not cached: median "
            f"{f['sector_filtered_median_ms']:.1f} ms, "
            f"p95 {f['sector_filtered_p95_ms']:.1f} ms"
        ),
        (
            f"overview page, not cached: median {f['overview_median_ms']:.1f} ms, "
            f"p95 {f['overview_p95_ms']:.1f} ms"
        ),
        f"incremental rollup update per submit: median {f['incremental_ms']:.1f} ms",
        *(
            f"cells with a true count >= 10 shown to analysts, {label}: "
            f"{100 * f[f'shown_{key}']:.1f}% of {f[f'cells_{key}']:,} "
            f"(mean perturbation {f[f'noise_{key}']:.2f})"
            for key, label in (("whole", "whole period"), ("month", "one month"))
            if f.get(f"shown_{key}") is not None
        ),
        *(
            f"shares and means on a true base >= 20 given (not 'x'), {label}: "
            f"{100 * f[f'given_{key}']:.1f}% of {f[f'based_{key}']:,}"
            for key, label in (("whole", "whole period"), ("month", "one month"))
            if f.get(f"given_{key}") is not None
        ),
        *(
            f"cells of 1-9, {label}: {f[f'small_{key}']:,}, shown as "
            f"{f[f'small_shown_{key}']:.1f} on average (true mean "
            f"{f[f'small_true_{key}']:.1f})"
            for key, label in (("whole", "whole period"), ("month", "one month"))
            if f.get(f"small_true_{key}") is not None
        ),
        (
            f"machine reference: Python sum of 2M squares "
            f"{f['reference_python_ms']:.0f} ms, PostgreSQL count(*) of the answers "
            f"on one core "
            f"{f['reference_scan_s']:.2f} s"
        ),
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        result = child(json.loads(sys.argv[2]))
        print(json.dumps(result), flush=True)
    else:
        main()
