"""Server CPU per respondent: what one completed questionnaire costs the server.

Serves the product under gunicorn (5 sync workers, production settings, a
PostgreSQL database of its own) and walks the seed questionnaire with a
closed-loop burst of virtual users (zero think time; half of them in English),
each going landing, start, every page and submit, again and again for a fixed
time. The CPU time (utime + stime from /proc) of the gunicorn processes and of
their PostgreSQL backends is read before and after: CPU seconds hold on a busy,
shared machine where wall times do not. A Celery worker serves the tasks queued
after a submit; its CPU is shown apart (it is not in a respondent's request).

Then the same client walks a bare Django page of the seed questionnaire's
dilemma page shape (30 crispy Likert items, a submit that INSERTs one row;
bench/reference_site.py) served the same way, and the ratio is printed.

    python bench/respondent_cpu.py [--users 10] [--seconds 20] [--no-reference]

Environment: BENCH_DATABASE_URL (a database this bench drops and makes),
BENCH_REDIS_URL, BENCH_PORT (and BENCH_PORT + 1 for the reference site).
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
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("BENCH_PORT", "8797"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/meldcode_respondent"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
DB_NAME = urllib.parse.urlparse(DATABASE_URL).path.lstrip("/")
SLUG = "brede-reflectie"
WORKERS = 5
TARGET_PER_QUESTIONNAIRE_MS = 60.0
TARGET_PER_REQUEST_MS = 9.0
TICKS = os.sysconf("SC_CLK_TCK")

ANSWERS = {
    "profiel": {
        "q_sector": "kinderopvang",
        "q_beroep": "Pedagogisch medewerker",
        "q_ervaring": "2_5",
        "q_toegepast": "yes",
    },
    "dilemmas": {f"q_D{i:02d}": str(i % 5 + 1) for i in range(1, 11)},
    "casus": {
        "q_casus_voorbeeld": "Een kind kwam vaak met vieze kleding op de groep.",
        "q_casus_met_dilemma": "yes",
        "q_casus_dilemma": "Hoe ernstig is een slechte verzorging?",
        "q_casus_opvolging": "Overlegd met de aandachtsfunctionaris.",
        "q_casus_uitkomst": "hulp",
    },
    "afsluiting": {"q_tips": "Meer voorbeelden uit de kinderopvang."},
}
# Answer rows one walk stores (the narrative's three texts are stored apart).
ANSWER_ROWS = 4 + 10 + 2 + 1

SECRET_KEY = secrets.token_urlsafe(64)
STATIC_ROOT = tempfile.mkdtemp(prefix="meldcode-respondent-static-")


def _url(application: str) -> str:
    return f"{DATABASE_URL}?application_name={application}"


def _env(application: str = "bench-web") -> dict[str, str]:
    """Production mode, minus the TLS redirect: the bench talks plain HTTP to
    gunicorn, as a TLS-terminating proxy would."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": STATIC_ROOT,
        "DATABASE_URL": _url(application),
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }


def _psql(sql: str, database: str = DB_NAME) -> str:
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def _manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env("bench-setup"),
        check=True,
        capture_output=True,
    )


def _prepare_database() -> None:
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME}", "postgres")
    _psql(f"CREATE DATABASE {DB_NAME}", "postgres")
    _manage("migrate", "--noinput")
    _manage("collectstatic", "--noinput")
    _manage("load_seed_questionnaire")
    _psql(
        "CREATE TABLE bench_reference_submission (id bigserial PRIMARY KEY, "
        "answers jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
    )


def _start(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)


def _gunicorn(app: str, port: int, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    server = _start(
        [
            str(BIN / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        env,
        cwd,
    )
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.1)
    _stop(server)
    raise RuntimeError(f"gunicorn for {app} did not start")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- CPU from /proc -----------------------------------------------------------


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """(utime, stime) of one process in seconds, zeros if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0, 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


def _family(root: int) -> list[int]:
    """The process and its children (gunicorn's master and workers)."""
    pids = [root]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == root:
            pids.append(int(entry.name))
    return pids


def _backends(application: str) -> list[int]:
    out = _psql(
        "SELECT pid FROM pg_stat_activity "
        f"WHERE datname = '{DB_NAME}' AND application_name = '{application}'"
    )
    return [int(pid) for pid in out.split()]


@dataclass
class CpuMeter:
    """CPU of a process family and of PostgreSQL backends by application name:
    user + system time by kind ("server", "postgres"), and under "kernel" the
    system time of both (machines differ most in what the kernel costs)."""

    root: int
    application: str
    start: dict[int, tuple[float, float]] = field(default_factory=dict)

    def _pids(self) -> dict[int, str]:
        pids = {pid: "server" for pid in _family(self.root)}
        pids.update({pid: "postgres" for pid in _backends(self.application)})
        return pids

    def begin(self) -> None:
        self.start = {pid: _cpu_seconds(pid) for pid in self._pids()}

    def end(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for pid, kind in self._pids().items():
            user, system = _cpu_seconds(pid)
            user_before, system_before = self.start.get(pid, (0.0, 0.0))
            totals[kind] += user - user_before + system - system_before
            totals["kernel"] += system - system_before
        return totals


# --- The client ---------------------------------------------------------------


class FlowError(Exception):
    pass


class Visitor:
    """One browser: its cookies, and the page it is on."""

    def __init__(self, port: int, english: bool, record: dict) -> None:
        self.port = port
        self.cookies: dict[str, str] = {"django_language": "en"} if english else {}
        self.record = record
        self.requests = 0
        self.path = ""
        self.body = ""

    def _send(self, label: str, method: str, path: str, data: dict | None) -> None:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        self.record[label].append(time.perf_counter() - started)
        self.requests += 1
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if response.status in (301, 302, 303):
            location = urllib.parse.urlparse(response.getheader("Location"))
            self._send("redirect", "GET", location.path, None)
            return
        if response.status != 200:
            raise FlowError(f"{method} {path}: {response.status}")
        self.path, self.body = path, text

    def get(self, label: str, path: str) -> None:
        self._send(label, "GET", path, None)

    def post(self, label: str, data: dict) -> None:
        self._send(
            label,
            "POST",
            self.path,
            {**data, "csrfmiddlewaretoken": self.field("csrfmiddlewaretoken")},
        )

    def field(self, name: str) -> str:
        match = re.search(rf'name="{name}" value="([^"]*)"', self.body)
        return html.unescape(match.group(1)) if match else ""


def walk_product(visitor: Visitor) -> bool:
    """Landing, start, every page, submit; True when the thanks page shows."""
    base = f"/q/{SLUG}"
    visitor.get("landing", f"{base}/")
    visitor.post("start", {"website": ""})
    for _ in range(20):
        path = visitor.path
        if path.endswith("/bedankt/"):
            return True
        if path.endswith("/opgeslagen/"):
            visitor.get("resume code page", f"{base}/verder/")
        elif "/pagina/" in path:
            code = path.rstrip("/").rsplit("/", 1)[-1]
            answers = {**ANSWERS[code], "draft": visitor.field("draft")}
            visitor.post(f"save {code}", {**answers, "action": "next"})
        elif path.endswith("/controleren/"):
            keys = ("draft", "submission_key")
            visitor.post("submit", {k: visitor.field(k) for k in keys})
        else:
            raise FlowError(f"unexpected page {path}")
    raise FlowError("no end in sight")


def walk_reference(visitor: Visitor) -> bool:
    visitor.get("page", "/")
    answers = {f"q_D{i:02d}": str(i % 5 + 1) for i in range(1, 31)}
    visitor.post("submit", answers)
    return "Bedankt" in visitor.body


@dataclass
class Burst:
    requests: int = 0
    completed: int = 0
    errors: list[str] = field(default_factory=list)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)


def burst(port: int, walk, users: int, seconds: float, meter: CpuMeter) -> Burst:  # noqa: ANN001
    """Closed loop: each user walks again as soon as it is done, until time is up;
    walks in progress then finish, and the CPU is read when all have stopped."""
    result = Burst()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def _user(index: int) -> None:
        record: dict[str, list[float]] = defaultdict(list)
        requests = completed = 0
        while time.monotonic() < deadline:
            visitor = Visitor(port, english=index % 2 == 1, record=record)
            try:
                completed += walk(visitor)
            except (FlowError, OSError, http.client.HTTPException) as error:
                with lock:
                    result.errors.append(str(error))
            requests += visitor.requests
        with lock:
            result.requests += requests
            result.completed += completed
            for label, values in record.items():
                result.timings[label] += values

    threads = [threading.Thread(target=_user, args=(i,)) for i in range(users)]
    meter.begin()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.cpu = meter.end()
    return result


def _warm_up(port: int, walk) -> None:  # noqa: ANN001
    """Every worker loads its templates and translations and connects."""
    threads = [
        threading.Thread(
            target=lambda i=i: walk(Visitor(port, i % 2 == 1, defaultdict(list)))
        )
        for i in range(WORKERS * 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- Report -------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _cpu(totals: dict[str, float]) -> float:
    """The CPU seconds of a meter's reading (its "kernel" share is part of them)."""
    return totals.get("server", 0.0) + totals.get("postgres", 0.0)


def _cost_lines(name: str, result: Burst) -> list[str]:
    server, database = result.cpu.get("server", 0.0), result.cpu.get("postgres", 0.0)
    kernel = result.cpu.get("kernel", 0.0)
    total = (server + database) * 1000
    per_request = total / max(result.requests, 1)
    per_walk = total / max(result.completed, 1)
    lines = [
        f"{name}: {result.requests} requests, {result.completed} completed "
        f"({result.requests / max(result.completed, 1):.1f} requests each) in "
        f"{result.seconds:.1f} s, {len(result.errors)} errors",
        f"  server CPU {server:.2f} s (gunicorn) + {database:.2f} s (PostgreSQL)",
        f"  per request {per_request:.2f} ms "
        f"(gunicorn {server * 1000 / max(result.requests, 1):.2f} + PostgreSQL "
        f"{database * 1000 / max(result.requests, 1):.2f})",
        f"  per completed questionnaire {per_walk:.1f} ms "
        f"(of which in the kernel {kernel * 1000 / max(result.completed, 1):.1f} ms)",
    ]
    if result.errors:
        lines.append(f"  errors: {sorted(set(result.errors))[:5]}")
    return lines


def _latency_lines(result: Burst) -> list[str]:
    lines = ["  latency (context only, the machine is shared):"]
    for label, values in sorted(result.timings.items()):
        lines.append(
            f"    {label:18} p50 {statistics.median(values) * 1000:6.1f} ms   "
            f"p95 {_percentile(values, 0.95) * 1000:6.1f} ms   n={len(values)}"
        )
    return lines


def _stored() -> tuple[int, int, int]:
    out = _psql(
        "SELECT count(*), count(DISTINCT submission_key), "
        "(SELECT count(*) FROM responses_answer) FROM responses_response"
    )
    total, distinct, answers = (int(v) for v in out.split("|"))
    return total, distinct, answers


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def run_product(users: int, seconds: float) -> tuple[list[str], Burst]:
    server = _gunicorn("meldcode_survey.wsgi", PORT, _env(), ROOT)
    worker = _start(
        [
            str(BIN / "celery"),
            "-A",
            "meldcode_survey",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        _env("bench-worker"),
        ROOT,
    )
    try:
        _warm_up(PORT, walk_product)
        time.sleep(2)  # the worker drains what the warm-up queued
        before = _stored()
        worker_meter = CpuMeter(worker.pid, "bench-worker")
        worker_meter.begin()
        result = burst(
            PORT, walk_product, users, seconds, CpuMeter(server.pid, "bench-web")
        )
        time.sleep(3)
        worker_cpu = worker_meter.end()
    finally:
        _stop(server)
        _stop(worker)
    total, distinct, answers = _stored()
    stored = total - before[0]
    per_response = (answers - before[2]) / max(stored, 1)
    ok = stored == result.completed and total == distinct and not result.errors
    cpu = _cpu(result.cpu) * 1000
    per_walk = cpu / max(result.completed, 1)
    per_request = cpu / max(result.requests, 1)
    worker_ms = _cpu(worker_cpu) * 1000 / max(result.completed, 1)
    lines = [
        *_cost_lines(f"meldcode-survey ({users} users, {seconds:.0f} s)", result),
        f"  target per questionnaire <= {TARGET_PER_QUESTIONNAIRE_MS:.0f} ms: "
        f"{_verdict(per_walk, TARGET_PER_QUESTIONNAIRE_MS)}; per request <= "
        f"{TARGET_PER_REQUEST_MS:.0f} ms: "
        f"{_verdict(per_request, TARGET_PER_REQUEST_MS)}",
        f"  stored {stored} = acknowledged {result.completed}, duplicates "
        f"{total - distinct}, {per_response:.1f} answer rows each (expected "
        f"{ANSWER_ROWS}): {'OK' if ok and per_response == ANSWER_ROWS else 'FAIL'}",
        f"  Celery worker after the submits (outside the requests): "
        f"{worker_ms:.1f} ms CPU per questionnaire (worker + its PostgreSQL)",
        *_latency_lines(result),
    ]
    return lines, result


def run_reference(users: int, seconds: float) -> tuple[list[str], Burst]:
    env = {**_env("bench-reference"), "DJANGO_SETTINGS_MODULE": "reference_site"}
    server = _gunicorn("reference_site:application", PORT + 1, env, BENCH)
    try:
        _warm_up(PORT + 1, walk_reference)
        result = burst(
            PORT + 1,
            walk_reference,
            users,
            seconds,
            CpuMeter(server.pid, "bench-reference"),
        )
    finally:
        _stop(server)
    name = (
        f"reference: bare Django, 30 crispy Likert items + one INSERT ({users} users)"
    )
    return [*_cost_lines(name, result), *_latency_lines(result)], result


def _ratio_lines(product: Burst, reference: Burst) -> list[str]:
    def cost(result: Burst, per: int) -> float:
        return _cpu(result.cpu) * 1000 / max(per, 1)

    per_request = cost(product, product.requests) / cost(reference, reference.requests)
    per_walk = cost(product, product.completed) / cost(reference, reference.completed)
    return [
        f"ratio meldcode-survey / reference: {per_request:.1f}x per request, "
        f"{per_walk:.1f}x per completed questionnaire"
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args(argv)
    _prepare_database()
    lines, product = run_product(args.users, args.seconds)
    print(
        "\n".join(["", "Server CPU per respondent (gunicorn 5 sync workers)", *lines])
    )
    if not args.no_reference:
        reference_lines, reference = run_reference(args.users, args.seconds)
        print("\n".join([*reference_lines, *_ratio_lines(product, reference)]))


if __name__ == "__main__":
    main()
