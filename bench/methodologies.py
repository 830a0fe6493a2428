"""Bench: reading the ranking methodology files, cached (``rankings.services.methodologies``,
parsed again only when a file's name or bytes change, ADR 0792) against parsing every file on
every call (``engines.ranking.load_methodologies``, what every call did before) in the same run.

    .venv/bin/python bench/methodologies.py            # 50 calls each
    .venv/bin/python bench/methodologies.py --runs 200

Prints the median of each and their ratio; the last line is one JSON object. Both read the
shipped files (``innolink/rankings/methodologies``); the two results are checked equal.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _median_ms(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from innolink.engines.ranking import load_methodologies
    from innolink.rankings.services import methodologies, methodology_dir

    folder = methodology_dir()
    cached, parsed = methodologies(), load_methodologies(folder)
    assert set(cached) == set(parsed), (sorted(cached), sorted(parsed))
    baseline = _median_ms(lambda: load_methodologies(folder), args.runs)
    ours = _median_ms(methodologies, args.runs)
    result = {"files": len(parsed), "runs": args.runs, "parse_every_call_ms": round(baseline, 2),
              "cached_ms": round(ours, 3), "ratio": round(baseline / ours, 1)}
    print(f"{len(parsed)} methodology files: parse every call {baseline:.2f} ms, "
          f"cached {ours:.3f} ms ({baseline / ours:.0f}x)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
