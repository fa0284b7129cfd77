"""Benchmark of the territory engine (tobacco_crm.engines.territory), no Django.

Builds N synthetic retailers in a 60 × 60 km county (fixed seed): a county seat holding 45 % of
them (a dense core and a sprawl), townships of 30-200 retailers, and scattered villages of 1-6
shops. Workload is visit minutes per week: a lognormal visit length (longer for the larger
shops of the county seat) times 1 or 2 visits a week. It divides them into K territories with
``partition`` and, in the same process on the same data, with the baseline of issue 5: a
balanced k-means (capacitated assignment by linear programming with every territory's workload
within ±5 % of the mean, squared distances to the mean position, re-centred until the labels
are stable; the same number of k-means++ starts, the best by its own objective kept).

Both are scored by ``evaluate``: the largest workload deviation from the mean (target ≤ 5 %)
and the sum of distances from every retailer to its territory's centre (geometric median; the
distance to the mean position is printed too). Target: ours ≤ 1.05 × the baseline.

    .venv/bin/python benchmarks/territory.py             # 2,000 retailers, 8 territories
    .venv/bin/python benchmarks/territory.py --quick     # 400 retailers, 4 territories

The last line of output is one JSON object: benchmark, size, k, seconds (engine),
peak_rss_mb, max_workload_dev_pct, distance_sum_km, baseline_distance_sum_km, distance_ratio
(ours ÷ baseline), the baseline's seconds and deviation, the centroid-distance figures, and
``targets_met``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tobacco_crm.engines.territory import compare, evaluate, partition

COUNTY_KM = 60.0
TOLERANCE = 0.05


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def make_retailers(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (km) and weekly visit minutes of n retailers in towns of very unequal size."""
    rng = np.random.default_rng(seed)
    seat_n = round(0.45 * n)
    town_sizes = [round(s * n / 2000) for s in (200, 160, 130, 100, 80, 60, 45, 30)]
    village_n = n - seat_n - sum(town_sizes)
    seat = np.array([COUNTY_KM * 0.45, COUNTY_KM * 0.55])
    core = rng.normal(seat, 1.2, (seat_n * 2 // 3, 2))
    sprawl = rng.normal(seat, 3.5, (seat_n - core.shape[0], 2))
    parts = [core, sprawl]
    for size in town_sizes:
        centre = rng.uniform(5, COUNTY_KM - 5, 2)
        parts.append(rng.normal(centre, 0.4 + 0.004 * size, (size, 2)))
    villages: list[np.ndarray] = []
    while sum(v.shape[0] for v in villages) < village_n:
        shops = min(int(rng.integers(1, 7)), village_n - sum(v.shape[0] for v in villages))
        villages.append(rng.normal(rng.uniform(0, COUNTY_KM, 2), 0.15, (shops, 2)))
    parts.extend(villages)
    xy = np.clip(np.concatenate(parts), 0, COUNTY_KM)
    minutes = rng.lognormal(np.log(20), 0.35, n)
    minutes[:seat_n] *= 1.3
    per_week = np.where(rng.random(n) < 0.3, 2, 1)
    order = rng.permutation(n)  # no structure in the row order
    return xy[order], np.round(minutes * per_week, 1)[order]


# ------------------------------------------------------------------ the baseline


def _kmeanspp(xy: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centres = [xy[int(rng.integers(len(xy)))]]
    d2 = np.sum((xy - centres[0]) ** 2, axis=1)
    for _ in range(1, k):
        i = int(np.searchsorted(np.cumsum(d2), rng.random() * d2.sum(), side="right"))
        centres.append(xy[min(i, len(xy) - 1)])
        d2 = np.minimum(d2, np.sum((xy - centres[-1]) ** 2, axis=1))
    return np.array(centres)


def _lp_assign(cost: np.ndarray, w: np.ndarray, lo: float, hi: float) -> np.ndarray:
    n, k = cost.shape
    cols = np.arange(n * k)
    a_eq = sp.csr_array((np.ones(n * k), (np.repeat(np.arange(n), k), cols)), shape=(n, n * k))
    load = sp.csr_array((np.repeat(w, k), (np.tile(np.arange(k), n), cols)), shape=(k, n * k))
    res = linprog(
        cost.ravel(),
        A_ub=sp.vstack([load, -load]),
        b_ub=np.concatenate([np.full(k, hi), np.full(k, -lo)]),
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=(0, 1),
        method="highs",
    )
    assert res.status == 0, res.message
    return np.argmax(res.x.reshape(n, k), axis=1)


def balanced_kmeans(xy: np.ndarray, w: np.ndarray, k: int, seed: int, starts: int) -> np.ndarray:
    """Capacitated k-means: LP assignment on squared distances within ±5 % of the mean
    workload, centres at the mean position, until the labels are stable; best SSE of the
    starts."""
    rng = np.random.default_rng(seed)
    mean = w.sum() / k
    lo, hi = mean * (1 - TOLERANCE), mean * (1 + TOLERANCE)
    best: tuple[float, np.ndarray] | None = None
    for _ in range(starts):
        centres = _kmeanspp(xy, k, rng)
        labels = np.full(len(xy), -1)
        for _ in range(100):
            cost = np.sum((xy[:, None, :] - centres[None, :, :]) ** 2, axis=2)
            new = _lp_assign(cost, w, lo, hi)
            centres = np.array([xy[new == j].mean(axis=0) for j in range(k)])
            if np.array_equal(new, labels):
                break
            labels = new
        sse = float(np.sum((xy - centres[labels]) ** 2))
        if best is None or sse < best[0]:
            best = (sse, labels)
    assert best is not None
    return best[1]


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="retailers")
    parser.add_argument("--k", type=int, default=8, help="territories")
    parser.add_argument("--quick", action="store_true", help="400 retailers, 4 territories")
    parser.add_argument("--starts", type=int, default=4, help="seeded starts (both methods)")
    parser.add_argument("--seed", type=int, default=20240605)
    args = parser.parse_args()
    size, k = (400, 4) if args.quick else (args.size, args.k)
    xy, w = make_retailers(size, args.seed)
    print(f"{size} retailers, {k} territories, total workload {w.sum():.0f} min/week")

    t0 = time.perf_counter()
    labels = partition(xy, w, k, seed=args.seed, tolerance=TOLERANCE, starts=args.starts)
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    base_labels = balanced_kmeans(xy, w, k, args.seed, args.starts)
    base_seconds = time.perf_counter() - t0

    ours, base = evaluate(xy, w, labels, k), evaluate(xy, w, base_labels, k)
    for name, fig, secs in (("partition", ours, seconds), ("baseline", base, base_seconds)):
        print(
            f"{name:9s} {secs:6.2f} s  max dev {fig['max_workload_dev_pct']:5.2f} %  "
            f"distance sum {fig['distance_sum_km']:9.1f} km (to mean position "
            f"{fig['distance_sum_centroid_km']:9.1f})  largest radius {fig['max_radius_km']:.1f} km"
        )
        for t in fig["territories"]:
            print(
                f"    {t['territory']}: {t['retailers']:4d} retailers  workload "
                f"{t['workload']:8.1f} ({t['deviation_pct']:+6.2f} %)  distances "
                f"{t['distance_sum_km']:8.1f} km  radius {t['radius_km']:5.1f} km  "
                f"hull {t['hull_area_km2']:7.1f} km²"
            )
    ratio = ours["distance_sum_km"] / base["distance_sum_km"]
    ratio_centroid = ours["distance_sum_centroid_km"] / base["distance_sum_centroid_km"]
    changed = compare(base_labels, labels).changed
    met = ours["max_workload_dev_pct"] <= 100 * TOLERANCE + 1e-6 and ratio <= 1.05
    print(
        f"distance ratio {ratio:.4f} (to mean positions {ratio_centroid:.4f}); "
        f"{changed} retailers differ from the baseline after matching; targets met: {met}"
    )
    print(
        json.dumps(
            {
                "benchmark": "territory",
                "size": size,
                "k": k,
                "seconds": round(seconds, 3),
                "peak_rss_mb": peak_rss_mb(),
                "max_workload_dev_pct": ours["max_workload_dev_pct"],
                "distance_sum_km": ours["distance_sum_km"],
                "baseline_distance_sum_km": base["distance_sum_km"],
                "distance_ratio": round(ratio, 4),
                "baseline_seconds": round(base_seconds, 3),
                "baseline_max_workload_dev_pct": base["max_workload_dev_pct"],
                "distance_sum_centroid_km": ours["distance_sum_centroid_km"],
                "baseline_distance_sum_centroid_km": base["distance_sum_centroid_km"],
                "distance_ratio_centroid": round(ratio_centroid, 4),
                "max_radius_km": ours["max_radius_km"],
                "baseline_max_radius_km": base["max_radius_km"],
                "changed_vs_baseline": changed,
                "targets_met": met,
            },
            ensure_ascii=False,
        )
    )
    if not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
