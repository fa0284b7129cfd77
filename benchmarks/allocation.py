"""Benchmark of the allocation engine (tobacco_crm.engines.allocation), no Django.

Builds N synthetic retailers (fixed seed; 30 tiers, about 90 % eligible, 1 % with supply
stopped, per-product history, demand, price-band history, agreed totals and scale codes) and
allocates one scarce product (available = 60 % of the demand) under each rule:

    tier             按档位, linear tier weights, leftovers per retailer
    tier+demand      组合: tier limits capped by demand
    tier whole-tier  按档位, leftovers only to whole tiers
    ratio+float      按比例 with the upper float (5/10/15 %) and a maximum per retailer
    demand           按需
    price_band×tier  按价位段 weighted by tier

Each rule is timed (best of 3) and, in the same process on the same data, so is a naive pure
Python baseline: per-retailer loops for eligibility, weights and caps, then one carton at a
time from a heap to the retailer with the highest next "average" weight ÷ (cartons + 1)
(D'Hondt; ties to the higher tier, then the lower id). Both results are checked with
``checks.violations`` (the engine's invariants; the baseline is a different but also valid
apportionment, so the count of retailers whose limits differ is printed too).

With ``--products P`` it then allocates P products over the N retailers (the rules in turn;
each product has its own history and demand) and checks every total exactly:
``limit.sum() == total``, ``total + undistributed == available`` and, for per-retailer
leftovers, ``total == min(available, room)``. The issue's target is
``--size 1000000 --products 100`` in at most 3 s.

    .venv/bin/python benchmarks/allocation.py                 # 200,000 retailers
    .venv/bin/python benchmarks/allocation.py --quick         # 5,000 retailers
    .venv/bin/python benchmarks/allocation.py --size 1000000 --products 100 --no-baseline

The last line of output is one JSON object: benchmark, size, seconds (engine, all rules),
peak_rss_mb, speedup (baseline seconds ÷ engine seconds over all rules) and details.
"""

from __future__ import annotations

import argparse
import heapq
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tobacco_crm.engines.allocation import (
    AllocationInputs,
    FloatRule,
    ProductRule,
    TierWeights,
    allocate,
    violations,
)

TIERS = 30
FLOAT = FloatRule({1: 5, 2: 10, 3: 15})


def make_retailers(n: int, seed: int) -> AllocationInputs:
    rng = np.random.default_rng(seed)
    ids = np.sort(rng.choice(n * 3, size=n, replace=False)).astype(np.int64)
    tier = np.clip(np.rint(rng.normal(15, 6, n)), 1, TIERS).astype(np.int64)
    inputs = AllocationInputs(
        retailer_id=ids,
        tier=tier,
        eligible=rng.random(n) < 0.9,
        supply_stopped=rng.random(n) < 0.01,
        scale=rng.integers(1, 4, n),
    )
    return with_product(inputs, rng)


def with_product(inputs: AllocationInputs, rng: np.random.Generator) -> AllocationInputs:
    """Another product's columns over the same retailers."""
    n, tier = inputs.size, inputs.tier
    demand = rng.poisson(tier / 3.0).astype(np.int64)
    history = np.round(rng.gamma(2.0, tier / 4.0), 1) * (rng.random(n) < 0.85)
    return inputs.replace(
        history=history,
        demand=demand,
        band_history=np.round(history * rng.uniform(1, 5, n), 1),
        agreed=np.rint(demand * rng.uniform(2, 5, n)).astype(np.int64),
        agreed_used=rng.integers(0, 3, n),
    )


def make_rules(available: int) -> list[ProductRule]:
    return [
        ProductRule("tier", available),
        ProductRule("tier+demand", available, cap_by_demand=True),
        ProductRule("tier whole-tier", available, leftover="tier"),
        ProductRule("ratio+float", available, basis="ratio", float_cap=FLOAT, max_per_retailer=40),
        ProductRule("demand", available, basis="demand"),
        ProductRule("price_band×tier", available, basis="price_band", tier_weights=TierWeights()),
    ]


# ------------------------------------------------------------------ the naive baseline


def naive_allocate(columns: dict[str, list[Any]], rule: ProductRule) -> list[int]:
    """Per-retailer Python: who takes part, weight, cap; then one carton at a time (D'Hondt)."""
    n = len(columns["retailer_id"])
    pct = dict(FLOAT.entries)
    heap: list[tuple[float, int, int, int]] = []
    weight = [0.0] * n
    cap: list[int | None] = [None] * n
    for i in range(n):
        t = columns["tier"][i]
        if columns["supply_stopped"][i] or not columns["eligible"][i]:
            continue
        tier_w = float(max(t, 0))
        if rule.basis == "tier":
            w = tier_w
        elif rule.basis == "ratio":
            w = columns["history"][i]
        elif rule.basis == "demand":
            w = float(columns["demand"][i])
        else:
            w = columns["band_history"][i] * (tier_w if rule.tier_weights else 1.0)
        limits = []
        if rule.caps_by_demand:
            limits.append(columns["demand"][i])
        if rule.float_cap is not None and columns["agreed"][i] >= 0:
            bp = round(pct[columns["scale"][i]] * 100)
            upper = columns["agreed"][i] * (10_000 + bp) // 10_000 - columns["agreed_used"][i]
            limits.append(max(upper, 0))
        if rule.max_per_retailer is not None:
            limits.append(rule.max_per_retailer)
        weight[i] = w
        cap[i] = min(limits) if limits else None
        if w > 0 and (cap[i] is None or cap[i] > 0):
            heap.append((-w, -t, columns["retailer_id"][i], i))
    heapq.heapify(heap)
    x = [0] * n
    left = rule.available
    while left and heap:
        _, neg_tier, rid, i = heapq.heappop(heap)
        x[i] += 1
        left -= 1
        c = cap[i]
        if c is None or x[i] < c:
            heapq.heappush(heap, (-weight[i] / (x[i] + 1), neg_tier, rid, i))
    return x


# ------------------------------------------------------------------ timing helpers


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def exact_totals(inputs: AllocationInputs, rule: ProductRule, result: Any) -> bool:
    """The cheap exact checks of the many-products run."""
    ok = int(result.limit.sum()) == result.total
    ok &= result.total + result.undistributed == rule.available
    ok &= 0 <= result.total <= rule.available and int(result.limit.min(initial=0)) >= 0
    if rule.leftover == "retailer":
        active = result.weight > 0
        capped = result.cap >= 0
        if not active.any():
            room = 0
        elif np.any(active & ~capped):
            room = rule.available
        else:
            room = min(rule.available, int(result.cap[active].sum()))
        ok &= result.total == room
    return bool(ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000, help="retailers")
    parser.add_argument("--quick", action="store_true", help="5,000 retailers")
    parser.add_argument("--products", type=int, default=0, help="also allocate P products")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    size = 5_000 if args.quick else args.size

    start = time.perf_counter()
    inputs = make_retailers(size, args.seed)
    assert inputs.demand is not None
    print(f"{size} retailers built in {time.perf_counter() - start:.2f} s")
    available = int(inputs.demand.sum() * 0.6)
    columns = {
        name: getattr(inputs, name).tolist()
        for name in (
            "retailer_id",
            "tier",
            "eligible",
            "supply_stopped",
            "history",
            "demand",
            "band_history",
            "agreed",
            "agreed_used",
            "scale",
        )
    }

    details: dict[str, Any] = {}
    engine_total = baseline_total = 0.0
    all_valid = True
    for rule in make_rules(available):
        seconds, result = best_of(3, lambda rule=rule: allocate(inputs, rule))
        problems = violations(inputs, rule, result.limit, result)
        row: dict[str, Any] = {
            "seconds": round(seconds, 4),
            "total": result.total,
            "undistributed": result.undistributed,
            "why": result.undistributed_reason.value,
            "valid": not problems,
        }
        engine_total += seconds
        all_valid &= not problems
        line = f"{rule.product:>16}: engine {seconds * 1000:8.1f} ms, total {result.total}"
        if not args.no_baseline:
            base_seconds, naive = best_of(1, lambda rule=rule: naive_allocate(columns, rule))
            naive_limit = np.array(naive, dtype=np.int64)
            base_problems = violations(inputs, rule, naive_limit)
            if rule.leftover == "tier":  # the baseline hands out everything: compare sizes only
                base_problems = [p for p in base_problems if not p.startswith("total")]
            baseline_total += base_seconds
            all_valid &= not base_problems
            row.update(
                baseline_seconds=round(base_seconds, 3),
                speedup=round(base_seconds / seconds, 1),
                baseline_valid=not base_problems,
                differing=int(np.count_nonzero(naive_limit != result.limit)),
            )
            line += (
                f" | baseline {base_seconds:7.2f} s, total {int(naive_limit.sum())}"
                f" | speedup {base_seconds / seconds:7.1f}x"
                f" | valid: engine {not problems}, baseline {not base_problems}"
                f" | {row['differing']} limits differ"
            )
        for problem in problems:
            line += f"\n    engine: {problem}"
        print(line)
        details[rule.product] = row

    many: dict[str, Any] = {}
    if args.products:
        rng = np.random.default_rng(args.seed + 1)
        seconds_many = 0.0
        exact = True
        for p in range(args.products):
            product_inputs = with_product(inputs, rng)
            assert product_inputs.demand is not None
            rules = make_rules(int(product_inputs.demand.sum() * rng.uniform(0.3, 1.1)))
            rule = rules[p % len(rules)]
            start = time.perf_counter()
            result = allocate(product_inputs, rule)
            seconds_many += time.perf_counter() - start
            exact &= exact_totals(product_inputs, rule, result)
        all_valid &= exact
        many = {"products": args.products, "seconds": round(seconds_many, 3), "exact": exact}
        print(
            f"{args.products} products × {size} retailers: {seconds_many:.2f} s "
            f"({seconds_many / args.products * 1000:.1f} ms each), totals exact: {exact}"
        )

    speedup = round(baseline_total / engine_total, 1) if baseline_total else None
    if speedup:
        print(
            f"all rules: engine {engine_total:.3f} s, baseline {baseline_total:.2f} s, "
            f"speedup {speedup}x"
        )
    print(
        json.dumps(
            {
                "benchmark": "allocation",
                "size": size,
                "seconds": round(engine_total, 4),
                "peak_rss_mb": peak_rss_mb(),
                "speedup": speedup,
                "baseline_seconds": round(baseline_total, 3) if baseline_total else None,
                "valid": bool(all_valid),
                "rules": details,
                "many_products": many or None,
            },
            ensure_ascii=False,
        )
    )
    if not all_valid:
        sys.exit(1)


if __name__ == "__main__":
    main()
