"""Bursts of concurrent respondents against gunicorn and PostgreSQL.

Each virtual user starts the seed questionnaire, answers every page with zero think
time and submits; every fifth user submits twice (a double click). The run then
checks that the stored responses equal the acknowledged submissions, with no
duplicates. Then two fault drills: Redis is stopped in the middle of a burst
(every submission must still succeed) and PostgreSQL is restarted in the middle
of a burst (those caught by it get the 503 page, press again, and every one ends
with exactly one stored response).

    python bench/load_bench.py [--users 1 50 200] [--no-drills]
"""

from __future__ import annotations

import argparse
import html
import http.client
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8799"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/meldcode_load"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
SLUG = "brede-reflectie"
RETRIES = 40

PAGES = [
    (
        "profiel",
        {"q_sector": "kinderopvang", "q_ervaring": "2_5", "q_toegepast": "yes"},
    ),
    ("dilemmas", {f"q_D{i:02d}": str(i % 5 + 1) for i in range(1, 11)}),
    (
        "casus",
        {
            "q_casus_voorbeeld": "Een kind kwam vaak met vieze kleding op de groep.",
            "q_casus_met_dilemma": "yes",
            "q_casus_dilemma": "Hoe ernstig is een slechte verzorging?",
            "q_casus_opvolging": "Overlegd met de aandachtsfunctionaris.",
            "q_casus_uitkomst": "hulp",
        },
    ),
    ("afsluiting", {}),
]


SECRET_KEY = secrets.token_urlsafe(64)
STATIC_ROOT = tempfile.mkdtemp(prefix="meldcode-bench-static-")


def _env() -> dict[str, str]:
    """Production mode, minus the TLS redirect: the bench talks plain HTTP."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": STATIC_ROOT,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CONN_MAX_AGE": "60",
    }


def _manage(*args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _prepare_database() -> None:
    name = urllib.parse.urlparse(DATABASE_URL).path.lstrip("/")
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-c",
            f"DROP DATABASE IF EXISTS {name}",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {name}"],
        check=True,
        capture_output=True,
    )
    _manage("migrate", "--noinput")
    _manage("collectstatic", "--noinput")
    _manage("load_seed_questionnaire")


def _start_gunicorn() -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "meldcode_survey.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "4",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_env(),
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


class RespondentError(Exception):
    def __init__(self, label: str, status: int | None, error: Exception) -> None:
        super().__init__(f"{label}: {status or type(error).__name__}")


class _PlainHttpCookiePolicy(DefaultCookiePolicy):
    def return_ok_secure(self, cookie, request) -> bool:  # noqa: ANN001
        return True


class Respondent:
    """One virtual user with its own cookies."""

    def __init__(
        self,
        timings: dict[str, list[float]],
        retries: dict[str, int],
        lock: threading.Lock,
    ):
        self.retries = retries
        # Production settings mark cookies Secure; the bench speaks plain HTTP
        # on loopback, as a TLS-terminating proxy would to gunicorn.
        jar = CookieJar(policy=_PlainHttpCookiePolicy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar)
        )
        self.timings = timings
        self.lock = lock
        self.base = f"http://127.0.0.1:{PORT}/q/{SLUG}"

    def _request(self, label: str, url: str, data: dict | None = None) -> str:
        """One request; on a 503 or a refused connection, wait and try again, as a
        person pressing the button again would (up to RETRIES times)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        for attempt in range(RETRIES + 1):
            started = time.perf_counter()
            try:
                with self.opener.open(url, data=body, timeout=30) as response:
                    text = response.read().decode()
                    self.last_url = response.url
            except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
                status = getattr(error, "code", None)
                if attempt == RETRIES or status not in (None, 502, 503):
                    raise RespondentError(label, status, error) from error
                with self.lock:
                    self.retries[f"{label}: {status or 'refused'}"] += 1
                time.sleep(0.5)
                continue
            with self.lock:
                self.timings[label].append(time.perf_counter() - started)
            return text
        raise AssertionError("unreachable")

    @staticmethod
    def _field(page: str, name: str) -> str:
        match = re.search(rf'name="{name}" value="([^"]+)"', page)
        return html.unescape(match.group(1)) if match else ""

    def run(self, submit_twice: bool) -> bool:
        landing = self._request("landing", f"{self.base}/")
        token = self._field(landing, "csrfmiddlewaretoken")
        self._request("start", f"{self.base}/", {"csrfmiddlewaretoken": token})
        for code, answers in PAGES:
            page = self._request(f"page {code}", f"{self.base}/pagina/{code}/")
            data = {
                "csrfmiddlewaretoken": self._field(page, "csrfmiddlewaretoken"),
                "draft": self._field(page, "draft"),
                "action": "next",
                **answers,
            }
            self._request(f"save {code}", f"{self.base}/pagina/{code}/", data)
        review = self._request("review", f"{self.base}/controleren/")
        data = {
            "csrfmiddlewaretoken": self._field(review, "csrfmiddlewaretoken"),
            "draft": self._field(review, "draft"),
            "submission_key": self._field(review, "submission_key"),
        }
        acknowledged = False
        for _ in range(2 if submit_twice else 1):
            self._request("submit", f"{self.base}/controleren/", data)
            acknowledged = self.last_url.endswith("/bedankt/")
        return acknowledged


def _burst(users: int) -> dict:
    timings: dict[str, list[float]] = defaultdict(list)
    retries: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    outcomes: list[bool] = []
    errors: list[str] = []

    def _one(index: int) -> None:
        try:
            ok = Respondent(timings, retries, lock).run(submit_twice=index % 5 == 0)
        except RespondentError as error:
            errors.append(str(error))
            ok = False
        with lock:
            outcomes.append(ok)

    threads = [threading.Thread(target=_one, args=(i,)) for i in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "timings": timings,
        "retries": dict(retries),
        "acknowledged": sum(outcomes),
        "errors": errors,
        "elapsed": elapsed,
    }


def _stored_responses() -> tuple[int, int]:
    out = _manage(
        "shell",
        "-c",
        "from meldcode_survey.responses.models import Response as R;"
        "keys = R.objects.values('submission_key').distinct().count();"
        "print(R.objects.count(), keys)",
    )
    total, distinct = out.split()[-2:]
    return int(total), int(distinct)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _report(users: int, result: dict, stored_before: int) -> list[str]:
    total, distinct = _stored_responses()
    requests = sum(len(v) for v in result["timings"].values())
    lines = [
        f"{users} virtual users: {result['acknowledged']} acknowledged submissions, "
        f"{len(result['errors'])} errors, "
        f"{requests / result['elapsed']:.0f} requests/s over {result['elapsed']:.1f} s"
    ]
    for label, values in result["timings"].items():
        lines.append(
            f"  {label:16} p50 {statistics.median(values) * 1000:6.1f} ms   "
            f"p95 {_percentile(values, 0.95) * 1000:6.1f} ms   n={len(values)}"
        )
    if result["errors"]:
        lines.append(f"  errors: {sorted(set(result['errors']))}")
    if result["retries"]:
        lines.append(f"  retried after an error page: {result['retries']}")
    stored = total - stored_before
    consistent = stored == result["acknowledged"] and total == distinct
    complete = result["acknowledged"] == users and not result["errors"]
    verdict = "OK" if consistent and complete else "FAIL"
    lines.append(
        f"  stored {stored} = acknowledged {result['acknowledged']}, "
        f"duplicates {total - distinct}: {verdict}"
    )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 50, 200])
    parser.add_argument(
        "--no-drills",
        action="store_true",
        help="skip the fault drills (they stop Redis and restart PostgreSQL)",
    )
    args = parser.parse_args(argv)
    _prepare_database()
    server = _start_gunicorn()
    lines: list[str] = []
    try:
        _burst(8)  # warm up: every process loads its templates and connects
        results = {}
        for users in args.users:
            before = _stored_responses()[0]
            results[users] = _burst(users)
            lines += _report(users, results[users], before)
        lines += _capacity(results)
        if not args.no_drills:
            lines += _redis_drill()
            lines += _postgres_drill()
    finally:
        server.terminate()
        server.wait()
    print("\n".join(["", "Respondent load (gunicorn 4x4 threads, PostgreSQL)", *lines]))


def _capacity(results: dict[int, dict]) -> list[str]:
    """Latency as context, and the bound that the machine's cores set on it.

    No latency target: on a shared machine wall times say more about the
    neighbours than about the code. The cost per respondent is measured as CPU
    time by `respondent_cpu`. With zero think time every user always has a
    request in flight, so by Little's law the mean response time is users /
    throughput, and throughput is at most cores / (CPU time per request).
    """
    lines = []
    for users, result in sorted(results.items()):
        values = [t for times in result["timings"].values() for t in times]
        p95 = _percentile(values, 0.95) * 1000
        lines.append(f"{users} users: p95 over all steps {p95:.0f} ms (context)")
    alone = results.get(1)
    if alone:
        values = [t for times in alone["timings"].values() for t in times]
        service = statistics.mean(values)
        cores = os.cpu_count() or 1
        lines.append(
            f"one user alone: {service * 1000:.1f} ms per step on average; on "
            f"{cores} cores at most {cores / service:.0f} steps/s, so at 50 users "
            f"the mean step takes at least {50 * service / cores * 1000:.0f} ms"
        )
    return lines


def _redis_drill() -> list[str]:
    """Stop Redis one second into a burst of 50 respondents; start it again."""
    before = _stored_responses()[0]
    port = urllib.parse.urlparse(REDIS_URL).port or 6379

    def _stop() -> None:
        time.sleep(1)
        subprocess.run(
            ["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False
        )

    stopper = threading.Thread(target=_stop)
    stopper.start()
    result = _burst(50)
    stopper.join()
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    return ["Fault drill: Redis stopped during the burst", *_report(50, result, before)]


def _postgres_drill() -> list[str]:
    """Restart PostgreSQL one second into a burst of 50 respondents. Those whose
    request fails get the 503 page and press again; all must end with exactly one
    stored response each."""
    before = _stored_responses()[0]
    cluster = subprocess.run(
        ["ls", "/etc/postgresql"], capture_output=True, text=True, check=True
    ).stdout.split()[0]

    def _restart() -> None:
        time.sleep(1)
        subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                cluster,
                "main",
                "restart",
            ],
            check=True,
        )

    restarter = threading.Thread(target=_restart)
    restarter.start()
    result = _burst(50)
    restarter.join()
    return [
        "Fault drill: PostgreSQL restarted during the burst",
        *_report(50, result, before),
    ]


if __name__ == "__main__":
    main()
