"""Run the benchmarks: `make bench` runs `python bench/run.py`.

Each module in BENCHES has a `main(argv)` that prints its own figures. Name
modules on the command line to run only those:

    python bench/run.py [dashboard_bench exports_bench ...]
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BENCHES = [
    "dashboard_bench",
    "exports_bench",
    "load_bench",
    "respondent_cpu",
    "worker_drill",
    "screening_bench",
]


def main(argv: list[str] | None = None) -> None:
    names = (sys.argv[1:] if argv is None else argv) or BENCHES
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        sys.exit(f"Unknown benchmark(s): {', '.join(unknown)}; known: {BENCHES}")
    for name in names:
        print(f"\n### {name}", flush=True)
        importlib.import_module(name).main([])


if __name__ == "__main__":
    main()
