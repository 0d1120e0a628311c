"""Screening benchmark: recall and precision on the labelled corpus, and what
deduce costs (load time, memory, time per text).

Both screenings score the sentences of tests/responses/screening_corpus.py;
then the thorough screening's costs: CPU seconds to load deduce (from
/proc/self/stat via os.times), resident memory it adds (VmRSS from
/proc/self/status), and the time per narrative-sized text, with the fast
screening's time per text as the reference in the same run. `--build` also
builds the lookup structures into a temporary directory, in a child process,
and reports its CPU time and peak memory.

    python bench/screening_bench.py [--build] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldcode_survey.settings")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _per_text_ms(screen, texts: list[str], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            screen(text)
        runs.append((time.perf_counter() - started) / len(texts))
    return 1000 * statistics.median(runs)


def _build(repeat_env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds and peak MB of `manage.py build_screening --force`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "manage.py", "build_screening", "--force"],
        cwd=ROOT,
        env=repeat_env,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, after.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="time a fresh build")
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args(argv)

    import django

    django.setup()
    from meldcode_survey.responses import deidentify
    from meldcode_survey.responses.screening import screen
    from tests.responses.screening_corpus import CORPUS, score

    if options.build:
        with tempfile.TemporaryDirectory(prefix="deduce-build-") as tmp:
            cpu, peak = _build({**os.environ, "DEDUCE_CACHE_DIR": tmp})
        print(f"build lookup structures: {cpu:.1f} s CPU, peak {peak:.0f} MB")
    if not deidentify.is_built():
        sys.exit(f"deduce is not built in {deidentify.cache_dir()}: run make")

    rss, cpu = _rss_mb(), _cpu()
    deidentify.load()
    print(
        f"load deduce: {_cpu() - cpu:.1f} s CPU, "
        f"+{_rss_mb() - rss:.0f} MB resident ({_rss_mb():.0f} MB in all)"
    )
    texts = [sentence.text for sentence in CORPUS]
    narrative = " ".join(texts[:8])  # about 600 characters, a long narrative
    fast = _per_text_ms(screen, texts, options.repeat)
    thorough = _per_text_ms(deidentify.thorough_screen, texts, options.repeat)
    long = _per_text_ms(deidentify.thorough_screen, [narrative], options.repeat * 5)
    print(
        f"per sentence: fast {fast:.3f} ms, thorough {thorough:.3f} ms "
        f"({thorough / fast:.1f}x); thorough per {len(narrative)}-character "
        f"narrative {long:.2f} ms"
    )
    for name, function in (("fast", screen), ("thorough", deidentify.thorough_screen)):
        result = score(function)
        print(f"\n{name} screening on {len(CORPUS)} sentences:")
        print("\n".join(result.lines()))
        if result.missed:
            print("missed:", ", ".join(f"{k} {f!r}" for k, f in result.missed[:12]))
        if result.false_flags:
            print("false:", ", ".join(f"{k} {f!r}" for k, f in result.false_flags))


if __name__ == "__main__":
    main()
