"""Benchmark of the grading engine (tobacco_crm.engines.grading), no Django.

Grades N synthetic retailers (fixed seed; 13 months of monthly sales, 6 indicators of which 2
by percentile, a 20 % manager blend, deductions for about 10 % of retailers, penalties, new
retailers, 30 tiers by rank, stars with sub-scores, segments) and times ``grade`` with the
construction of its inputs (validation included), best of 3 runs. Then, in the same process,
the first ``--baseline-size`` retailers are graded both by the engine and by a straightforward
per-retailer Python loop (``naive_grade`` below, the same formulas as plain Python), the
outputs are compared, and the ratio of the two times (best of 3 each) is printed as
``speedup``.

Last, storing the run (``stored`` below): ``result.context()`` once and ``result.rows()`` for
every retailer, all at once (best of 3, and the first call, which also sorts each indicator for
the ranks) and in batches of 1,000 (best of 3, freeing each batch: the memory-bounded way to
write them), their sizes as compact UTF-8 JSON, the time of ``explain_row`` per retailer, and a
check that ``explain_row`` on JSON round-tripped rows and context equals ``explain(result, i)``
on a sample. ``peak_rss_mb`` is read before this part, ``peak_rss_mb_with_rows`` after it.

    .venv/bin/python benchmarks/grading.py              # 1,000,000 retailers, baseline 50,000
    .venv/bin/python benchmarks/grading.py --size 200000
    .venv/bin/python benchmarks/grading.py --quick      # 5,000 retailers

The last line of output is one JSON object: benchmark, size, seconds (engine, full size),
peak_rss_mb, speedup, the storage figures (context_seconds, context_bytes, rows_seconds,
rows_seconds_first, rows_batched_seconds, row_bytes_mean, row_bytes_max, rows_mb, explain_row_us,
stored_agrees) and details.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tobacco_crm.engines.grading import (
    BusinessSettings,
    GradingInputs,
    GradingPolicy,
    Indicator,
    StarSettings,
    StarSubScore,
    explain,
    explain_row,
    grade,
)

MONTHS = 13


def make_policy() -> GradingPolicy:
    return GradingPolicy(
        name="benchmark",
        business=BusinessSettings(
            indicators=(
                Indicator("cartons", "卷烟销量", 30.0, unit="条"),
                Indicator("amount", "卷烟销售额", 45.0, unit="元"),
                Indicator("product_count", "订购规格数", 5.0, unit="个"),
                Indicator("premium_cartons", "二类及以上卷烟销量", 5.0, unit="条"),
                Indicator("e_settlement", "电子结算率", 5.0, method="percentile"),
                Indicator("order_regularity", "订货规律性", 10.0, method="percentile"),
            ),
            manager_weight=0.2,
        ),
        stars=StarSettings(
            eligible_top_share=0.5,
            sub_scores=(
                StarSubScore("@business", "销售贡献度", 50.0),
                StarSubScore("price_tags", "明码标价", 25.0),
                StarSubScore("@compliance", "规范度", 25.0),
            ),
            super_five_max_count=100,
        ),
    )


def make_data(n: int, seed: int = 20240401) -> dict[str, Any]:
    """Synthetic inputs as plain arrays (retailer ids shuffled so ties need the id rule)."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(n).astype(np.int64) + 1_000_000
    level = rng.lognormal(mean=3.5, sigma=0.8, size=n)
    season = 1.0 + 0.25 * np.cos(np.arange(MONTHS) / 12.0 * 2 * np.pi)
    trend = 1.0 + rng.normal(0.0, 0.02, size=n)[:, None] * np.arange(MONTHS)
    noise = rng.lognormal(0.0, rng.uniform(0.05, 0.5, size=n)[:, None], size=(n, MONTHS))
    monthly = np.round(level[:, None] * season * trend.clip(0.1) * noise)
    quarter = monthly[:, -3:].sum(axis=1)
    price = rng.lognormal(np.log(180.0), 0.3, size=n)
    indicators = {
        "cartons": quarter,
        "amount": np.round(quarter * price, 2),
        "product_count": rng.integers(5, 80, size=n).astype(np.float64),
        "premium_cartons": np.round(quarter * rng.beta(2, 5, size=n)),
        "e_settlement": np.round(rng.uniform(0.0, 1.0, size=n), 2),
        "order_regularity": rng.integers(0, 14, size=n).astype(np.float64),
        "price_tags": rng.integers(60, 101, size=n).astype(np.float64),
    }
    indicators["e_settlement"][rng.random(n) < 0.05] = np.nan
    items = np.array([item.code for item in GradingPolicy().compliance.items])
    m = n // 5
    deduction_retailer = rng.integers(0, n, size=m // 2).repeat(2)[:m]  # some have several
    points = np.where(rng.random(m) < 0.7, np.nan, rng.integers(1, 6, size=m).astype(float))
    manager = rng.uniform(60.0, 100.0, size=n).round(1)
    manager[rng.random(n) < 0.1] = np.nan
    return {
        "retailer_ids": ids,
        "indicators": indicators,
        "deduction_retailer": deduction_retailer.astype(np.int64),
        "deduction_item": items[rng.choice(items.size, size=m, p=_item_odds(items.size))],
        "deduction_points": points,
        "deduction_cleared": rng.random(m) < 0.3,
        "penalty_counts": rng.poisson(0.05, size=n).astype(np.int64),
        "manager_scores": manager,
        "is_new": rng.random(n) < 0.01,
        "monthly_sales": monthly,
        "previous_tier": np.where(rng.random(n) < 0.95, rng.integers(1, 31, size=n), 0),
    }


def _item_odds(k: int) -> np.ndarray:
    odds = np.array([30.0, 20, 20, 10, 5, 3, 1, 1][:k] + [1.0] * max(0, k - 8))
    return odds / odds.sum()


def subset(data: dict[str, Any], k: int) -> dict[str, Any]:
    """The first k retailers and their deductions."""
    keep = data["deduction_retailer"] < k
    out = {
        key: value[:k]
        for key, value in data.items()
        if key not in ("indicators",) and not key.startswith("deduction_")
    }
    out["indicators"] = {key: value[:k] for key, value in data["indicators"].items()}
    for key in ("deduction_retailer", "deduction_item", "deduction_points", "deduction_cleared"):
        out[key] = data[key][keep]
    return out


def largest_remainder(shares: list[float], n: int, prefer_last: bool) -> list[int]:
    total = sum(shares)
    quotas = [s / total * n for s in shares]
    sizes = [math.floor(q) for q in quotas]
    idx = list(range(len(shares)))
    idx.sort(key=lambda j: (-(quotas[j] - sizes[j]), -j if prefer_last else j))
    for j in idx[: n - sum(sizes)]:
        sizes[j] += 1
    return sizes


def naive_grade(d: dict[str, Any], policy: GradingPolicy) -> dict[str, list[Any]]:
    """The same formulas, one retailer at a time, in plain Python (the features this
    benchmark's policy uses: no tier step limit, rank mapping, growth from monthly sales)."""
    comp, biz, tiers, stars, seg = (
        policy.compliance,
        policy.business,
        policy.tiers,
        policy.stars,
        policy.segments,
    )
    ids = d["retailer_ids"].tolist()
    n = len(ids)
    items = {item.code: item for item in comp.items}
    by_retailer: dict[int, list[tuple[str, float, bool]]] = {}
    for r, code, pts, cleared in zip(
        d["deduction_retailer"].tolist(),
        d["deduction_item"].tolist(),
        d["deduction_points"].tolist(),
        d["deduction_cleared"].tolist(),
        strict=True,
    ):
        by_retailer.setdefault(r, []).append((code, pts, cleared))
    penalties = d["penalty_counts"].tolist()
    cls: list[str] = []
    points_c: list[float] = []
    stopped: list[bool] = []
    for i in range(n):
        deducted, stop = 0.0, False
        for code, pts, cleared in by_retailer.get(i, []):
            item = items[code]
            deducted += item.default_points if math.isnan(pts) else pts
            stop = stop or (item.stops_supply and not cleared)
        p = max(comp.base_points - deducted, 0.0)
        if p < comp.class_c_min or penalties[i] >= comp.w_penalty_count:
            c = "W"
        elif p >= comp.class_a_min:
            c = "A"
        elif p >= comp.class_b_min:
            c = "B"
        else:
            c = "C"
        cls.append(c)
        points_c.append(p)
        stopped.append(stop)

    values = {k: v.tolist() for k, v in d["indicators"].items()}
    prepared = {}
    for ind in biz.indicators:
        present = sorted(v for v in values[ind.key] if not math.isnan(v))
        prepared[ind.key] = present
    scale = 10.0**biz.score_decimals
    business: list[float] = []
    final: list[float] = []
    manager = d["manager_scores"].tolist()
    for i in range(n):
        total = 0.0
        for ind in biz.indicators:
            v = values[ind.key][i]
            present = prepared[ind.key]
            if math.isnan(v) or not present:
                pts = 0.0
            elif ind.method == "percentile":
                pts = bisect.bisect_right(present, v) / len(present) * ind.max_points
            else:
                top = present[-1]
                pts = min(max(v / top, 0.0), 1.0) * ind.max_points if top > 0 else 0.0
            total += pts
        ms = manager[i]
        m = (
            total
            if math.isnan(ms)
            else min(max(ms / biz.manager_score_max, 0.0), 1.0) * (biz.max_score)
        )
        f = (1.0 - biz.manager_weight) * total + biz.manager_weight * m
        business.append(round(total * scale) / scale)
        final.append(round(f * scale) / scale)

    order = sorted(range(n), key=lambda i: (-final[i], ids[i]))
    rank = [0] * n
    for pos, i in enumerate(order):
        rank[i] = pos + 1
    sizes = largest_remainder(list(tiers.shares or ()), n, prefer_last=True)
    slots = [t for t in range(tiers.count, 0, -1) for _ in range(sizes[t - 1])]
    score_tier = [0] * n
    for pos, i in enumerate(order):
        same = pos > 0 and final[i] == final[order[pos - 1]]
        score_tier[i] = score_tier[order[pos - 1]] if same else slots[pos]
    is_new = d["is_new"].tolist()
    tier = []
    for i in range(n):
        t = tiers.new_retailer_tier if is_new[i] else score_tier[i]
        tier.append(min(t, tiers.cap(cls[i])))

    computed = {
        "@business": [b / biz.max_score * 100.0 for b in business],
        "@final": [f / biz.max_score * 100.0 for f in final],
        "@compliance": [p / comp.base_points * 100.0 for p in points_c],
    }
    eligible = [i for i in order if cls[i] == "A" and not stopped[i]]
    k = math.floor(stars.eligible_top_share * len(eligible) + 0.5)
    rated = eligible[:k]
    star_count = [0] * n
    star_scores = {}
    weights = sum(s.weight for s in stars.sub_scores)
    for i in rated:
        total = 0.0
        for sub in stars.sub_scores:
            if sub.key.startswith("@"):
                v = computed[sub.key][i]
            else:
                v = min(max(values[sub.key][i] / sub.max_value, 0.0), 1.0) * 100.0
            total += sub.weight * (0.0 if math.isnan(v) else v)
        s = round(total / weights * scale) / scale
        star_scores[i] = s
        star_count[i] = bisect.bisect_right(list(stars.thresholds), s)
    fives = [
        i for i in rated if star_count[i] == 5 and star_scores[i] >= stars.super_five_min_score
    ]
    fives.sort(key=lambda i: -star_scores[i])  # stable: rank order kept among equal scores
    super_five = set(fives[: stars.super_five_max_count])

    monthly = d["monthly_sales"].tolist()
    n_top, n_mid, _ = largest_remainder(
        [seg.top_share, 1 - seg.top_share - seg.bottom_share, seg.bottom_share],
        n,
        prefer_last=False,
    )
    seg_order = sorted(range(n), key=lambda i: (-business[i], ids[i]))
    segment = [""] * n
    w, lag = seg.growth_window_months, seg.growth_lag_months
    for pos, i in enumerate(seg_order):
        if pos < n_top:
            segment[i] = "top"
            continue
        if pos >= n_top + n_mid:
            segment[i] = "bottom"
            continue
        row = monthly[i][-seg.cv_months :]
        mean = sum(row) / len(row)
        cv = math.sqrt(sum((x - mean) ** 2 for x in row) / len(row)) / mean if mean > 0 else None
        earlier = sum(monthly[i][-lag - w : -lag])
        growth = sum(monthly[i][-w:]) / earlier - 1.0 if earlier > 0 else None
        if cv is not None and cv >= seg.volatile_min_cv:
            segment[i] = "volatile"
        elif growth is not None and growth >= seg.high_potential_min_growth:
            segment[i] = "high_potential"
        else:
            segment[i] = "stable"
    return {
        "compliance_class": cls,
        "final_score": final,
        "rank": rank,
        "tier": tier,
        "stars": star_count,
        "super_five": [i in super_five for i in range(n)],
        "segment": segment,
    }


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def stored(result: Any, samples: int = 1000, batch: int = 1000) -> dict[str, Any]:
    """Time ``context()`` and ``rows()`` of a fresh result; sizes; ``explain_row`` per row."""
    n = result.n
    start = time.perf_counter()
    context = result.context()
    context_seconds = time.perf_counter() - start
    rows, rows_seconds, rows_first = best_of(3, result.rows)  # first: with the rank sorts
    sizes = np.array([_json_bytes(row) for row in rows])
    del rows

    def batches() -> None:
        for first in range(0, n, batch):
            result.rows(first, first + batch)

    _, batched_seconds, _ = best_of(3, batches)

    picked = np.linspace(0, n - 1, min(samples, n)).astype(int).tolist() if n else []
    stored_context = json.loads(json.dumps(context))
    stored_rows = [json.loads(json.dumps(result.row(i))) for i in picked]
    start = time.perf_counter()
    explained = [explain_row(row, stored_context) for row in stored_rows]
    explain_seconds = time.perf_counter() - start
    agrees = all(
        json.dumps(e, sort_keys=True) == json.dumps(explain(result, i), sort_keys=True)
        for e, i in zip(explained, picked, strict=True)
    )
    return {
        "context_seconds": round(context_seconds, 4),
        "context_bytes": _json_bytes(context),
        "rows_seconds": round(rows_seconds, 3),
        "rows_seconds_first": round(rows_first, 3),
        "rows_batched_seconds": round(batched_seconds, 3),
        "row_bytes_mean": round(float(sizes.mean()), 1) if n else 0.0,
        "row_bytes_max": int(sizes.max()) if n else 0,
        "rows_mb": round(float(sizes.sum()) / 1e6, 1),
        "explain_row_us": round(explain_seconds / max(len(picked), 1) * 1e6, 1),
        "stored_agrees": agrees,
    }


def run_engine(data: dict[str, Any], policy: GradingPolicy) -> tuple[Any, float]:
    start = time.perf_counter()
    result = grade(GradingInputs(**data), policy)
    return result, time.perf_counter() - start


def best_of(repeats: int, fn: Any) -> tuple[Any, float, float]:
    """(last result, fastest time, first time) of ``repeats`` calls."""
    times = []
    result = None
    for _ in range(repeats):
        result = None  # let the previous result go before the next run
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, min(times), times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--baseline-size", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="5,000 retailers")
    args = parser.parse_args()
    size = 5_000 if args.quick else args.size
    base_size = min(size, args.baseline_size)

    policy = make_policy()
    data = make_data(size)
    run_engine(subset(data, min(size, 1000)), policy)  # warm-up (imports, first calls)
    result, seconds, first = best_of(3, lambda: grade(GradingInputs(**data), policy))
    print(f"engine: {size:,} retailers graded in {seconds:.3f} s (best of 3; first {first:.3f} s)")

    small = subset(data, base_size)
    engine_small, engine_small_seconds, _ = best_of(
        3, lambda: grade(GradingInputs(**small), policy)
    )
    naive, naive_seconds, _ = best_of(3, lambda: naive_grade(small, policy))
    mismatches = {
        key: int(np.count_nonzero(np.asarray(naive[key]) != np.asarray(getattr(engine_small, key))))
        for key in naive
    }
    speedup = naive_seconds / engine_small_seconds
    print(
        f"baseline: {base_size:,} retailers, engine {engine_small_seconds:.4f} s, "
        f"per-retailer Python {naive_seconds:.3f} s, speedup {speedup:.0f}x"
    )
    print(f"outputs that differ from the baseline: {mismatches}")
    summary = result.summary()
    print(
        f"classes {summary['classes']}, segments {summary['segments']}, "
        f"stars {summary['stars']}, super five {summary['super_five']}"
    )
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    storage = stored(result)
    print(
        f"stored: context {storage['context_bytes']:,} bytes in {storage['context_seconds']} s; "
        f"rows {storage['rows_seconds']} s (batches of 1,000: "
        f"{storage['rows_batched_seconds']} s), {storage['row_bytes_mean']:.0f} bytes a row "
        f"(max {storage['row_bytes_max']}), {storage['rows_mb']} MB in all; explain_row "
        f"{storage['explain_row_us']} µs; agrees with explain: {storage['stored_agrees']}"
    )
    peak_with_rows = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(
        json.dumps(
            {
                "benchmark": "grading",
                "size": size,
                "months": MONTHS,
                "seconds": round(seconds, 4),
                "seconds_first_run": round(first, 4),
                "peak_rss_mb": round(peak_rss_mb, 1),
                "speedup": round(speedup, 1),
                "baseline_size": base_size,
                "baseline_seconds": round(naive_seconds, 4),
                "engine_seconds_on_baseline": round(engine_small_seconds, 5),
                "baseline_agrees": not any(mismatches.values()),
                "mismatches": mismatches,
                **storage,
                "peak_rss_mb_with_rows": round(peak_with_rows, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
