"""Benchmark of the routing engine (tobacco_crm.engines.routing), no Django.

1. Every TSPLIB instance in ../shared/benchmarks/tsplib/ (EUC_2D, distances rounded to the
   nearest integer, optimal lengths from optimal.csv): ``solve_tour(dist, time_limit_s=1)``,
   its gap to the optimum and its time; in the same process, on the same matrix, the baseline
   (nearest neighbour + 2-opt, vectorised NumPy) with its gap and time. Every tour is checked
   to be a permutation starting at 0.
2. A 60-stop day route (fixed seed): shops over 5 km × 5 km around the office, 25 km/h plus
   2 minutes to park, opening hours from 8:00-9:00 to 12:00-21:00, 5-12 minute visits, the
   day 8:00-18:00. The schedule is re-checked against the windows and the day.

    .venv/bin/python benchmarks/routing.py            # all 14 instances (about 5 s)
    .venv/bin/python benchmarks/routing.py --quick    # eil51, berlin52, st70

The last line of output is one JSON object: benchmark, size (instances), seconds (engine,
all instances), peak_rss_mb, mean_gap_pct, max_gap_pct, max_instance_seconds,
baseline_mean_gap_pct, baseline_seconds, speedup (baseline s ÷ engine s),
day_route_seconds, day_route_visits, day_route_unfit, valid, and per-instance details.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tobacco_crm.engines.routing import (  # noqa: E402
    baseline_tour,
    solve_day_route,
    solve_tour,
    tour_length,
)

TSPLIB = ROOT.parent / "shared" / "benchmarks" / "tsplib"
QUICK = ("eil51", "berlin52", "st70")


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def read_tsp(path: Path) -> np.ndarray:
    """TSPLIB EUC_2D → the matrix of nint(euclidean distance)."""
    coords: list[tuple[float, float]] = []
    in_coords = False
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("EDGE_WEIGHT_TYPE"):
            assert line.split(":")[1].strip() == "EUC_2D", line
        elif line.startswith("NODE_COORD_SECTION"):
            in_coords = True
        elif in_coords:
            if not line or line == "EOF":
                break
            _, x, y = line.split()[:3]
            coords.append((float(x), float(y)))
    pts = np.array(coords)
    d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
    return np.floor(d + 0.5).astype(np.int64)


def valid_tour(tour: list[int], n: int) -> bool:
    return sorted(tour) == list(range(n)) and tour[0] == 0


def day_instance(n: int = 61, seed: int = 60) -> tuple[np.ndarray, ...]:
    """The office (stop 0) and n - 1 shops."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 5000, (n, 2))
    pts[0] = (2500, 2500)
    dist = np.rint(np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))).astype(np.int64)
    travel = np.ceil(dist / (25_000 / 60)).astype(np.int64) + 2 * (dist > 0)
    opens = rng.choice([480, 510, 540], n)
    closes = rng.choice([720, 1080, 1200, 1260], n, p=[0.1, 0.3, 0.3, 0.3])
    service = rng.integers(5, 13, n)
    return dist, travel, np.c_[opens, closes], service


def day_valid(
    route: Any,
    dist: np.ndarray,
    travel: np.ndarray,
    windows: np.ndarray,
    service: np.ndarray,
    day_end: int,
) -> bool:
    ok = sorted(route.order + list(route.unfit)) == list(range(len(dist)))
    t, prev = route.departure, 0
    for i in route.visits:
        start = max(t + int(travel[prev, i]), int(windows[i, 0]))
        ok &= start + int(service[i]) <= int(windows[i, 1])
        t, prev = start + int(service[i]), i
    ok &= t + int(travel[prev, 0]) == route.return_time <= day_end
    return bool(ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--data", type=Path, default=TSPLIB, help="the TSPLIB folder")
    parser.add_argument("--time-limit", type=float, default=1.0)
    args = parser.parse_args()

    optimal_csv = args.data / "optimal.csv"
    if optimal_csv.exists():
        with optimal_csv.open() as f:
            optimal = {row["name"]: int(row["optimal_length"]) for row in csv.DictReader(f)}
    elif args.quick:
        # The smoke run (CI) still exercises the day route when the shared instances are not
        # next to this checkout; the full run needs them.
        print(f"no TSPLIB instances at {args.data}: day route only", file=sys.stderr)
        optimal = {}
    else:
        sys.exit(f"no TSPLIB instances at {args.data} (pass --data)")
    names = [name for name in optimal if not args.quick or name in QUICK]

    details: dict[str, Any] = {}
    gaps, base_gaps, times, base_times = [], [], [], []
    valid = True
    for name in names:
        dist = read_tsp(args.data / f"{name}.tsp")
        n, best = len(dist), optimal[name]
        start = time.perf_counter()
        tour = solve_tour(dist, time_limit_s=args.time_limit)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        base = baseline_tour(dist)
        base_seconds = time.perf_counter() - start
        length, base_length = tour_length(dist, tour), tour_length(dist, base)
        gap = 100 * (length - best) / best
        base_gap = 100 * (base_length - best) / best
        valid &= valid_tour(tour, n) and valid_tour(base, n) and length >= best
        gaps.append(gap)
        base_gaps.append(base_gap)
        times.append(seconds)
        base_times.append(base_seconds)
        details[name] = {
            "n": n,
            "optimal": best,
            "length": length,
            "gap_pct": round(gap, 3),
            "seconds": round(seconds, 3),
            "baseline_length": base_length,
            "baseline_gap_pct": round(base_gap, 3),
            "baseline_seconds": round(base_seconds, 3),
        }
        print(
            f"{name:>9} n={n:3d}: LKH {length:7d} gap {gap:5.2f}% {seconds:6.3f} s"
            f" | NN+2-opt {base_length:7d} gap {base_gap:5.2f}% {base_seconds:6.3f} s"
        )

    dist, travel, windows, service = day_instance()
    start = time.perf_counter()
    route = solve_day_route(
        dist, travel, windows, service, day_start=480, day_end=1080, time_limit_s=args.time_limit
    )
    day_seconds = time.perf_counter() - start
    day_ok = day_valid(route, dist, travel, windows, service, 1080)
    valid &= day_ok
    reasons: dict[str, int] = {}
    for reason in route.unfit.values():
        reasons[reason.value] = reasons.get(reason.value, 0) + 1
    print(
        f"day route, {len(dist) - 1} stops: {len(route.visits)} visited, unfit {reasons},"
        f" {route.distance_m / 1000:.1f} km, {route.departure // 60}:{route.departure % 60:02d}"
        f"-{route.return_time // 60}:{route.return_time % 60:02d}, {day_seconds:.3f} s,"
        f" valid {day_ok}"
    )

    total, base_total = sum(times), sum(base_times)
    summary = {
        "benchmark": "routing",
        "size": len(names),
        "seconds": round(total, 3),
        "peak_rss_mb": peak_rss_mb(),
        "tsplib_instances_found": bool(names),
        "mean_gap_pct": round(float(np.mean(gaps)), 4) if gaps else None,
        "max_gap_pct": round(float(np.max(gaps)), 4) if gaps else None,
        "max_instance_seconds": round(max(times), 3) if times else None,
        "baseline_mean_gap_pct": round(float(np.mean(base_gaps)), 3) if base_gaps else None,
        "baseline_max_gap_pct": round(float(np.max(base_gaps)), 3) if base_gaps else None,
        "baseline_seconds": round(base_total, 3),
        "speedup": round(base_total / total, 2) if total else None,
        "day_route_stops": len(dist) - 1,
        "day_route_seconds": round(day_seconds, 3),
        "day_route_visits": len(route.visits),
        "day_route_unfit": reasons,
        "day_route_km": round(route.distance_m / 1000, 2),
        "valid": bool(valid),
        "instances": details,
    }
    if gaps:
        print(
            f"mean gap {summary['mean_gap_pct']}% (baseline {summary['baseline_mean_gap_pct']}%),"
            f" engine {total:.2f} s, baseline {base_total:.2f} s"
        )
    print(json.dumps(summary, ensure_ascii=False))
    if not valid:
        sys.exit(1)


if __name__ == "__main__":
    main()
