"""Throughput of the CAO unravelling engine against the minute-by-minute oracle.

    .venv/bin/python benchmarks/unravel_bench.py [--weeks 10000] [--oracle-weeks 300] [--seed 2026]

Builds seeded, realistic random worker-weeks (day, evening, night and weekend shifts, breaks,
on-call workers, the whole of 2026 including both DST weekends and the holidays) and unravels
them under each example scheme of shared/cao/examples.json. The oracle (tests/timesheets/
unravel/oracle.py) is timed on a subset of the same weeks and extrapolated per shift.
Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "timesheets" / "unravel")]

from oracle import oracle_unravel  # noqa: E402

from timesheets.unravel import load_scheme, unravel  # noqa: E402

EXAMPLES = REPO / "timesheets" / "fixtures" / "cao_examples.json"

# (start, end, declared break) of the kinds of shift a week is made of.
DAY_SHIFTS = [
    ("07:00", "15:30", 30),
    ("08:00", "17:00", 45),
    ("06:00", "14:30", 30),
    ("09:00", "13:00", 0),
]
EVENING_SHIFTS = [("14:00", "22:30", 30), ("15:00", "23:00", 30), ("17:00", "21:00", 0)]
NIGHT_SHIFTS = [("22:00", "06:00", 30), ("23:00", "07:00", 30), ("21:30", "06:00", 45)]
WEEKEND_SHIFTS = [("08:00", "16:00", 30), ("10:00", "14:00", 0), ("07:00", "19:00", 45)]


def _jitter(rng: random.Random, hhmm: str) -> str:
    """Move a time by up to half an hour in steps of 15 minutes, as real rosters vary."""
    h, m = map(int, hhmm.split(":"))
    total = (h * 60 + m + rng.choice([-30, -15, 0, 0, 0, 15, 30])) % 1440
    return f"{total // 60:02d}:{total % 60:02d}"


def make_weeks(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    first_monday = date(2025, 12, 29)
    weeks = []
    for _ in range(count):
        monday = first_monday + timedelta(weeks=rng.randrange(53))
        pattern = rng.choice(["day", "day", "day", "evening", "night", "mixed", "on_call"])
        days = sorted(rng.sample(range(7), rng.choice([3, 4, 5, 5, 5, 6])))
        shifts = []
        for i, weekday in enumerate(days):
            if weekday >= 5 and pattern != "night":
                kind = WEEKEND_SHIFTS
            elif pattern == "mixed":
                kind = rng.choice([DAY_SHIFTS, EVENING_SHIFTS])
            elif pattern == "on_call":
                kind = [("09:00", "11:00", 0), ("13:00", "15:00", 0), ("08:00", "16:30", 30)]
            else:
                kind = {"day": DAY_SHIFTS, "evening": EVENING_SHIFTS, "night": NIGHT_SHIFTS}[
                    pattern
                ]
            start, end, brk = rng.choice(kind)
            if pattern != "night" or i == 0:
                start, end = _jitter(rng, start), _jitter(rng, end)
            shifts.append(
                {
                    "date": (monday + timedelta(days=weekday)).isoformat(),
                    "start": start,
                    "end": end,
                    "break_minutes": rng.choice([brk, brk, brk, 0, 15]),
                }
            )
        on_call = pattern == "on_call"
        weeks.append(
            {
                "worker": {
                    "contract": {
                        "hours_per_week": None if on_call else rng.choice([40, 38, 32, 12]),
                        "fixed_times": not on_call and rng.random() < 0.8,
                    }
                },
                "shifts": shifts,
            }
        )
    return weeks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=10_000)
    parser.add_argument("--oracle-weeks", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    weeks = make_weeks(args.weeks, args.seed)
    shift_count = sum(len(w["shifts"]) for w in weeks)
    sample = weeks[: args.oracle_weeks]
    sample_shifts = sum(len(w["shifts"]) for w in sample)
    schemes = json.loads(EXAMPLES.read_text(encoding="utf-8"))["schemes"]
    print(
        f"{args.weeks} worker-weeks, {shift_count} shifts (seed {args.seed}); oracle timed on "
        f"the first {args.oracle_weeks} weeks ({sample_shifts} shifts) and extrapolated per shift"
    )
    print(
        f"{'scheme':<20} {'cold s':>7} {'warm s':>7} {'shifts/s warm':>14} "
        f"{'50k shifts s':>12} {'oracle shifts/s':>15} {'x oracle':>9} {'errors':>6}"
    )
    for scheme_id, doc in schemes.items():
        scheme = load_scheme(doc)  # fresh: the first pass fills the per-date caches
        t0 = time.perf_counter()
        results = [unravel(scheme, w) for w in weeks]
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        for w in weeks:
            unravel(scheme, w)
        warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        expected = [oracle_unravel(doc, w) for w in sample]
        oracle_time = time.perf_counter() - t0
        mismatches = sum(a != b for a, b in zip(results, expected, strict=False))
        assert mismatches == 0, f"engine and oracle disagree on {mismatches} weeks"
        rate = shift_count / warm
        oracle_rate = sample_shifts / oracle_time
        errors = sum(r["error"] is not None for r in results)
        print(
            f"{scheme_id + ' ' + doc['id'][:18]:<20} {cold:7.3f} {warm:7.3f} {rate:14,.0f} "
            f"{50_000 / rate:12.3f} {oracle_rate:15,.0f} {rate / oracle_rate:9.0f} {errors:6d}"
        )
    print("cold = first pass over the weeks with a freshly loaded scheme (caches empty)")
    print("warm = second pass; 50k shifts s = warm time for 50,000 shifts at the warm rate")


if __name__ == "__main__":
    main()
