"""Benchmark: simulating and publishing a real week of scarce supply through the database.

Target (issue 4): 200,000 retailers and 20 scarce products in ≤ 30 s (simulate + publish), on
SQLite and on PostgreSQL.

Sets up, on its own temporary SQLite database (or DATABASE_URL when given), a company of N
retailers (default 200,000; --quick: 2,000 retailers and 5 products) in 60 territories with
varied formats, market types, districts and business scales, and:

  * a published grading run: tiers 1..30 (more retailers in the middle tiers), about 10 %
    class B and 4 % class C, 1 % with supply stopped, 1 % not graded, a few hundred tiers
    changed by accepted appeals;
  * 13 weeks of orders before the week for 30 % of the retailers: the scarce products and
    some normal products of the same price classes (the price-band history), 2 % cancelled;
  * reported demand (需求提报) for the products of demand rules, from a quarter of the retailers;
  * a plan of the week with one line per scarce product, mixing the bases (tier, ratio,
    demand, price band), tier tables (as weights and as limits), demand caps, per-retailer
    maxima, whole-tier leftovers, tier ranges and eligibility filters (class, format, market
    type, district, territory), about half a carton per retailer available of each.

The set-up writes rows directly with `core.bulk.fast_insert` (COPY on PostgreSQL, executemany
on SQLite; retailers and orders with explicit ids): it is scaffolding, not what is measured.
Then it times `services.supply_plan_simulate` (split into loading the inputs, the engine and
storing the limits) and `services.supply_plan_publish`; `seconds` is simulate + publish.

With a PostgreSQL DATABASE_URL the script creates that database (it must not exist) and
drops it at the end (unless --keep), connecting to the server's `postgres` database to do so:

    .venv/bin/python benchmarks/supply_run.py [--quick | --size N --products P] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tobacco_crm_supply_bench \\
        .venv/bin/python benchmarks/supply_run.py

The last line of the output is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _harness import log as _log
from _harness import peak_rss_mb as _peak_rss_mb
from _harness import postgres_database as _postgres_database
from _harness import setup_django as _setup_django

ROOT = Path(__file__).resolve().parent.parent
TERRITORIES = 60
SEED = 20261123
DAY = dt.date(2026, 11, 25)  # a Wednesday of 2026-W48
HISTORY_WEEKS = 13
ORDERING_SHARE = 0.3
TARGET_SECONDS = 30.0


# Database set-up -------------------------------------------------------------------------


def _insert(model: Any, columns: list[str], columns_data: tuple[list[Any], ...]) -> int:
    from tobacco_crm.core.bulk import fast_insert

    return fast_insert(model, columns, zip(*columns_data, strict=True))


def _people() -> dict[str, Any]:
    from tobacco_crm.accounts.choices import Role
    from tobacco_crm.accounts.models import Company, Territory, User

    company = Company.objects.create(code="BENCH", name="基准测试公司")
    marketing = User.objects.create(username="mm", role=Role.MARKETING_MANAGER)
    taker = User.objects.create(username="taker", role=Role.ORDER_TAKER)
    territories = []
    for n in range(TERRITORIES):
        manager = User.objects.create(username=f"cm{n}", role=Role.CUSTOMER_MANAGER)
        territories.append(
            Territory.objects.create(
                company=company, code=f"T{n:03d}", name=f"第{n}片区", customer_manager=manager
            )
        )
    return {"marketing": marketing, "taker": taker, "territories": territories}


def _retailers(size: int, territories: list[Any], rng: np.random.Generator) -> np.ndarray:
    """The archive rows, with explicit ids 1..size and varied attributes."""
    from tobacco_crm.core.bulk import fast_insert
    from tobacco_crm.retailers.models import Retailer

    ids = np.arange(1, size + 1, dtype=np.int64)
    formats = rng.choice(list("ZYBCFQ"), size, p=[0.7, 0.12, 0.08, 0.05, 0.03, 0.02])
    markets = rng.choice(["C", "X"], size, p=[0.45, 0.55])
    scales = rng.integers(1, 4, size)
    districts = rng.choice(
        np.array(["commercial", "residential", "industrial", "school", "transport", "tourist",
                  "rural_market", "other"]),
        size, p=[0.2, 0.4, 0.05, 0.05, 0.05, 0.03, 0.17, 0.05],
    )  # fmt: skip
    business_scale = rng.choice(["large", "medium", "small"], size, p=[0.1, 0.3, 0.6])
    territory_ids = np.array([t.pk for t in territories])[ids % len(territories)]
    statuses = rng.choice(["normal", "suspended", "cancelled"], size, p=[0.97, 0.02, 0.01])
    now = dt.datetime.now(dt.UTC)
    columns = [
        "id", "license_no", "shop_name", "owner_name", "phone", "address", "business_format",
        "market_type", "scale", "class_code", "business_district", "chain_type", "licensed",
        "status", "important_dates", "e_settlement", "business_scale", "territory_id",
        "created_at", "updated_at",
    ]  # fmt: skip
    rows = (
        (i, f"{510100000000 + i:012d}", f"基准商店{i}号", "王五", f"138{i:08d}", f"人民路{i}号",
         f, m, s, f"{m}{f}{s}", d, "none", True, st, "[]", False, b, t, now, now)
        for i, f, m, s, d, st, b, t in zip(
            ids.tolist(), formats.tolist(), markets.tolist(), scales.tolist(),
            districts.tolist(), statuses.tolist(), business_scale.tolist(),
            territory_ids.tolist(), strict=True,
        )
    )  # fmt: skip
    fast_insert(Retailer, columns, rows)
    return ids


def _products(count: int) -> tuple[list[Any], list[Any]]:
    """`count` scarce products (price classes 1 and 2) and as many normal ones of the same
    classes (their history is the scarce products' price-band history)."""
    from tobacco_crm.products.models import Product

    def make(prefix: str, k: int, status: str) -> Any:
        return Product(
            code=f"{prefix}{k:02d}", brand="基准", name=f"{prefix}{k}", price_class=1 + k % 2,
            wholesale_price=600 - 10 * k, retail_price=700 - 10 * k, status=status,
        )  # fmt: skip

    scarce = Product.objects.bulk_create([make("S", k, "scarce") for k in range(count)])
    normal = Product.objects.bulk_create([make("N", k, "normal") for k in range(count)])
    return scarce, normal


def _grading(ids: np.ndarray, people: dict[str, Any], rng: np.random.Generator) -> Any:
    """A published run: tiers 1..30 bunched in the middle, some class B and C, some stopped,
    1 % not graded, and a few hundred tiers changed by accepted appeals."""
    from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
    from tobacco_crm.grading import services
    from tobacco_crm.grading.choices import AppealStatus, RunStatus
    from tobacco_crm.grading.models import Appeal, GradeAdjustment, GradingRun, RetailerGrade

    marketing = people["marketing"]
    policy = services.grading_policy_save(
        name="基准政策", data=EnginePolicy().to_dict(), actor=marketing
    )
    period = services.grading_period_create(
        code="2026Q3", name="2026 年三季度", start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 9, 30), actor=marketing,
    )  # fmt: skip
    run = GradingRun.objects.create(
        period=period, policy=policy, status=RunStatus.PUBLISHED, created_by=marketing,
        published_by=marketing, retailer_count=len(ids),
    )  # fmt: skip
    graded = ids[rng.random(len(ids)) >= 0.01]
    n = len(graded)
    tiers = np.clip(np.rint(rng.normal(15.5, 7, n)), 1, 30).astype(np.int64)
    classes = rng.choice(np.array(["A", "B", "C"]), n, p=[0.86, 0.10, 0.04])
    stopped = (classes == "C") & (rng.random(n) < 0.25)
    rank = np.argsort(np.argsort(-tiers, kind="stable")) + 1
    _insert_grades(run.pk, graded, classes, stopped, rank, tiers)
    # Accepted appeals: a new tier for a few hundred grades.
    picked = rng.choice(n, size=min(300, n // 10), replace=False)
    grade_ids = dict(
        RetailerGrade.objects.filter(run=run, retailer_id__in=graded[picked].tolist()).values_list(
            "retailer_id", "pk"
        )
    )
    now = dt.datetime.now(dt.UTC)
    for i in picked.tolist():
        grade_id = grade_ids[int(graded[i])]
        appeal = Appeal.objects.create(
            grade_id=grade_id, reason="基准复核", status=AppealStatus.ACCEPTED,
            raised_by=marketing, reviewed_by=marketing, reviewed_at=now, review_note="同意",
        )  # fmt: skip
        GradeAdjustment.objects.create(
            grade_id=grade_id, appeal=appeal, old_tier=int(tiers[i]),
            new_tier=int(min(30, tiers[i] + 3)), reason="同意", made_by=marketing,
        )  # fmt: skip
    return run


def _insert_grades(
    run_id: int, graded: np.ndarray, classes: np.ndarray, stopped: np.ndarray,
    rank: np.ndarray, tiers: np.ndarray,
) -> int:  # fmt: skip
    from tobacco_crm.grading.models import RetailerGrade

    n = len(graded)
    return _insert(
        RetailerGrade,
        ["run_id", "retailer_id", "compliance_points", "compliance_class", "supply_stopped",
         "business_score", "final_score", "rank", "tier", "previous_tier", "stars",
         "super_five", "segment", "row"],
        ([run_id] * n, graded.tolist(), [95.0] * n, classes.tolist(), stopped.tolist(),
         [50.0] * n, [50.0] * n, rank.tolist(), tiers.tolist(), [0] * n, [0] * n,
         [False] * n, ["stable"] * n, ["{}"] * n),
    )  # fmt: skip


def _orders(
    ids: np.ndarray, scarce: list[Any], normal: list[Any], monday: dt.date,
    rng: np.random.Generator,
) -> tuple[int, int]:  # fmt: skip
    """13 weeks of orders before `monday` for 30 % of the retailers (vectorised): each orders
    in most weeks, a few scarce products and one normal product per order."""
    from tobacco_crm.orders.models import Order, OrderLine

    buyers = ids[rng.random(len(ids)) < ORDERING_SHARE]
    weeks = np.arange(1, HISTORY_WEEKS + 1)
    ordered = rng.random((len(buyers), HISTORY_WEEKS)) < 0.85
    who, week = np.nonzero(ordered)
    k = len(who)
    order_ids = np.arange(1, k + 1, dtype=np.int64)
    order_retailer = buyers[who]
    offsets = (-7 * weeks[week] + rng.integers(0, 5, k)).tolist()
    order_date = [monday + dt.timedelta(days=o) for o in offsets]
    status = np.where(rng.random(k) < 0.02, "cancelled", "confirmed")
    # Lines: each scarce product with its popularity, plus one normal product per order.
    popularity = np.linspace(0.02, 0.12, len(scarce))
    line_order: list[np.ndarray] = []
    line_product: list[np.ndarray] = []
    line_price: list[np.ndarray] = []
    for product, p in zip(scarce, popularity.tolist(), strict=True):
        chosen = np.flatnonzero(rng.random(k) < p)
        line_order.append(chosen)
        line_product.append(np.full(len(chosen), product.pk))
        line_price.append(np.full(len(chosen), float(product.wholesale_price)))
    pick = rng.integers(0, len(normal), k)
    line_order.append(np.arange(k))
    line_product.append(np.array([p.pk for p in normal])[pick])
    line_price.append(np.array([float(p.wholesale_price) for p in normal])[pick])
    lo = np.concatenate(line_order)
    lp = np.concatenate(line_product)
    price = np.concatenate(line_price)
    cartons = rng.integers(1, 6, len(lo))
    amount = cartons * price
    total_cartons = np.bincount(lo, weights=cartons, minlength=k).astype(np.int64)
    total_amount = np.bincount(lo, weights=amount, minlength=k)
    now = dt.datetime.now(dt.UTC)
    _insert(
        Order,
        ["id", "retailer_id", "order_date", "status", "total_cartons", "total_amount",
         "client_token", "created_at"],
        (order_ids.tolist(), order_retailer.tolist(), order_date, status.tolist(),
         total_cartons.tolist(), [f"{a:.2f}" for a in total_amount.tolist()], [""] * k,
         [now] * k),
    )  # fmt: skip
    line_dates = [order_date[i] for i in lo.tolist()]
    _insert(
        OrderLine,
        ["order_id", "product_id", "retailer_id", "order_date", "cartons", "amount"],
        (order_ids[lo].tolist(), lp.tolist(), order_retailer[lo].tolist(), line_dates,
         cartons.tolist(), [f"{a:.2f}" for a in amount.tolist()]),
    )  # fmt: skip
    return k, len(lo)


def _demand(
    ids: np.ndarray, products: list[Any], period: Any, taker: Any, rng: np.random.Generator
) -> int:
    """Reported demand from a quarter of the retailers for each of `products`."""
    from tobacco_crm.supply.models import DemandReport

    now = dt.datetime.now(dt.UTC)
    written = 0
    for product in products:
        who = ids[rng.random(len(ids)) < 0.25]
        m = len(who)
        written += _insert(
            DemandReport,
            ["period_id", "retailer_id", "product_id", "cartons", "reported_by_id",
             "reported_at"],
            ([period.pk] * m, who.tolist(), [product.pk] * m, rng.integers(1, 8, m).tolist(),
             [taker.pk] * m, [now] * m),
        )  # fmt: skip
    return written


# The lines of the plan: (basis, rule, eligibility, share of a carton per retailer).
LINES: list[tuple[str, dict[str, Any], dict[str, list[str]], float]] = [
    ("tier", {}, {}, 0.5),
    ("tier", {"tier_weights": {"policy": "table", "table": {"1": 1, "10": 2, "20": 3, "30": 5}}},
     {"compliance_classes": ["A", "B"]}, 0.6),
    ("ratio", {}, {}, 0.3),
    ("demand", {}, {}, 0.4),
    ("price_band", {}, {"compliance_classes": ["A"]}, 0.3),
    ("tier", {"tier_weights": {"policy": "table", "table": {"1": 1, "10": 2, "20": 4, "30": 6},
                               "as_limits": True}}, {}, 0.5),
    ("tier", {"leftover": "tier", "min_tier": 5}, {}, 0.5),
    ("tier", {"cap_by_demand": True}, {}, 0.4),
    ("tier", {"max_per_retailer": 3}, {"territories": [f"T{n:03d}" for n in range(30)]}, 0.5),
    ("tier", {"tier_weights": {"policy": "table", "table": {"5": 1, "15": 2, "25": 3}}},
     {"market_types": ["C"]}, 0.4),
    ("ratio", {"tier_weights": {"policy": "linear"}}, {"business_formats": ["Z", "Y"]}, 0.4),
    ("ratio", {"max_per_retailer": 10}, {"compliance_classes": ["A"]}, 0.3),
    ("ratio", {}, {"business_districts": ["commercial", "residential", "transport"]}, 0.3),
    ("ratio", {"min_tier": 10}, {}, 0.3),
    ("demand", {"tier_weights": {"policy": "linear"}}, {}, 0.3),
    ("demand", {}, {"territories": [f"T{n:03d}" for n in range(0, 60, 2)]}, 0.3),
    ("demand", {"max_per_retailer": 5}, {}, 0.5),
    ("tier", {}, {"compliance_classes": ["A"], "business_formats": ["Z"]}, 0.7),
    ("price_band", {"tier_weights": {"policy": "table", "table": {"1": 1, "15": 2}}}, {}, 0.4),
    ("tier", {"max_per_retailer": 2, "min_tier": 3, "max_tier": 28}, {}, 1.0),
]  # fmt: skip


def _plan(size: int, scarce: list[Any], people: dict[str, Any]) -> Any:
    from tobacco_crm.supply import services

    marketing = people["marketing"]
    period = services.supply_period_for(day=DAY)
    plan = services.supply_plan_create(period=period, name="第48周投放", actor=marketing)
    for product, (basis, rule, eligibility, share) in zip(scarce, LINES, strict=False):
        services.supply_plan_line_set(
            plan=plan, product=product, available=max(1, int(size * share)), basis=basis,
            rule=rule, eligibility=eligibility, actor=marketing,
        )  # fmt: skip
    return plan


# The measured run ------------------------------------------------------------------------


def _timing(module: Any, name: str, seconds: dict[str, float], key: str) -> None:
    """Wrap `module.name` so each call adds its duration to `seconds[key]`."""
    original: Callable[..., Any] = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - start

    setattr(module, name, timed)


def _run(size: int, products: int) -> dict[str, Any]:
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Sum

    from tobacco_crm.orders.models import Order
    from tobacco_crm.retailers.models import Retailer
    from tobacco_crm.supply import adapters, services
    from tobacco_crm.supply.choices import PlanStatus
    from tobacco_crm.supply.models import RetailerLimit, SupplyPlan

    rng = np.random.default_rng(SEED)
    start = time.perf_counter()
    monday = DAY - dt.timedelta(days=DAY.weekday())
    with transaction.atomic():  # one commit (SQLite would otherwise sync every row)
        people = _people()
        ids = _retailers(size, people["territories"], rng)
        _log(f"{size} retailers: {time.perf_counter() - start:.1f} s")
        scarce, normal = _products(products)
        t = time.perf_counter()
        _grading(ids, people, rng)
        _log(f"grading run: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        orders, lines = _orders(ids, scarce, normal, monday, rng)
        _log(f"{orders} orders, {lines} order lines: {time.perf_counter() - t:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [Retailer, Order]):
                    cursor.execute(statement)
        plan = _plan(size, scarce, people)
        demand_products = [
            p for p, line in zip(scarce, LINES, strict=False)
            if line[0] == "demand" or line[1].get("cap_by_demand")
        ]  # fmt: skip
        demands = _demand(ids, demand_products, plan.period, people["taker"], rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup_seconds = time.perf_counter() - start
    setup_rss = _peak_rss_mb()
    _log(f"set-up: {setup_seconds:.1f} s")

    seconds: dict[str, float] = {}
    for name in ("load_base", "line_inputs", "load_history"):
        if hasattr(adapters, name):
            _timing(adapters, name, seconds, "load")
    _timing(services, "allocate", seconds, "engine")
    _timing(adapters, "store_limits", seconds, "store")
    marketing = people["marketing"]
    t = time.perf_counter()
    plan = services.supply_plan_simulate(plan=plan, actor=marketing)
    simulate_seconds = time.perf_counter() - t
    # The rest: the plan's bookkeeping and the commit (on PostgreSQL the deferred foreign-key
    # checks of every limit row written run then).
    other = simulate_seconds - seconds["load"] - seconds["engine"] - seconds["store"]
    _log(
        f"supply_plan_simulate: {simulate_seconds:.2f} s (load {seconds['load']:.2f}, "
        f"engine {seconds['engine']:.2f}, store {seconds['store']:.2f}, commit and other "
        f"{other:.2f})"
    )
    t = time.perf_counter()
    services.supply_plan_publish(plan=plan, actor=marketing)
    publish_seconds = time.perf_counter() - t
    _log(f"supply_plan_publish: {publish_seconds:.2f} s")

    plan = SupplyPlan.objects.get(pk=plan.pk)
    assert plan.status == PlanStatus.PUBLISHED
    written = RetailerLimit.objects.filter(plan=plan).count()
    assert written == plan.summary["limits"]
    assert plan.summary["allocated"] + plan.summary["undistributed"] == plan.summary["available"]
    stored = dict(
        RetailerLimit.objects.filter(plan=plan)
        .values("product_id")
        .annotate(total=Sum("limit"))
        .values_list("product_id", "total")
    )
    for line in plan.lines.all():  # exact totals, line by line, as stored
        assert stored.get(line.product_id, 0) == line.summary["total"] <= line.available
    total = simulate_seconds + publish_seconds
    return {
        "benchmark": "supply_run",
        "size": size,
        "products": products,
        "seconds": round(total, 3),
        "target_seconds": TARGET_SECONDS,
        "within_target": total <= TARGET_SECONDS,
        "simulate_seconds": round(simulate_seconds, 3),
        "load_seconds": round(seconds["load"], 3),
        "engine_seconds": round(seconds["engine"], 3),
        "store_seconds": round(seconds["store"], 3),
        "commit_and_other_seconds": round(other, 3),
        "publish_seconds": round(publish_seconds, 3),
        "limits_written": written,
        "available": plan.summary["available"],
        "allocated": plan.summary["allocated"],
        "database": connection.vendor,
        "orders": orders,
        "order_lines": lines,
        "demand_reports": demands,
        "setup_seconds": round(setup_seconds, 3),
        "setup_peak_rss_mb": setup_rss,
        "peak_rss_mb": _peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--products", type=int, default=len(LINES))
    parser.add_argument("--quick", action="store_true", help="2,000 retailers, 5 products")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    size, products = (2000, 5) if args.quick else (args.size, args.products)
    if not 1 <= products <= len(LINES):
        parser.error(f"--products must be between 1 and {len(LINES)}")

    url = os.environ.get("DATABASE_URL", "")
    tmp = Path(tempfile.mkdtemp(prefix="supply_run_"))
    database = (
        _postgres_database(url, args.keep)
        if url.startswith(("postgres://", "postgresql://"))
        else contextlib.nullcontext()
    )
    try:
        with database:
            _setup_django(tmp)
            result = _run(size, products)
    finally:
        if args.keep:
            _log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
