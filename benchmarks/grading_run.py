"""Benchmark: a whole grading run through the database (read history, grade, store, publish).

Target (issue 3): 200,000 retailers in ≤ 60 s, on SQLite and on PostgreSQL.

Sets up, on its own temporary SQLite database (or DATABASE_URL when given), a company of N
retailers (default 200,000; --quick: 2,000) in 60 territories with:

  * 13 months of monthly sales aggregates per retailer (2026-09 back to 2025-09; about 2 % of
    the retailers are new: no sales before the graded quarter), generated with NumPy and
    inserted in bulk (COPY on PostgreSQL, executemany on SQLite);
  * deductions for about 8 % of the retailers (some stop supply, a few corrected);
  * the customer managers' own score for half of them (a manual indicator, blended 80/20);
  * a published run of the previous quarter (its tiers are the previous tiers).

The set-up writes rows directly (plain `bulk_create` of `Retailer` rows without history
records, raw inserts of sales, indicators and last quarter's grades): it is scaffolding, not
what is measured. Then it times `services.grading_run_start` (split into
`adapters.load_inputs`, the engine's `grade` and `adapters.store_results`) and
`services.grading_run_publish`; `seconds` is start + publish.

With a PostgreSQL DATABASE_URL the script creates that database (it must not exist) and
drops it at the end (unless --keep), connecting to the server's `postgres` database to do so:

    .venv/bin/python benchmarks/grading_run.py [--quick | --size N] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tobacco_crm_bench \\
        .venv/bin/python benchmarks/grading_run.py

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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from _harness import log as _log
from _harness import peak_rss_mb as _peak_rss_mb
from _harness import postgres_database as _postgres_database
from _harness import setup_django as _setup_django

ROOT = Path(__file__).resolve().parent.parent
TERRITORIES = 60
SEED = 20261001
MONTHS = 13
LAST_MONTH = dt.date(2026, 9, 1)
TARGET_SECONDS = 60.0


def _month(index_from_last: int) -> dt.date:
    """The first day of the month `index_from_last` months before LAST_MONTH."""
    k = LAST_MONTH.year * 12 + LAST_MONTH.month - 1 - index_from_last
    return dt.date(k // 12, k % 12 + 1, 1)


# Database set-up -------------------------------------------------------------------------


def _insert_rows(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """Insert plain tuples fast: COPY on PostgreSQL, executemany in batches elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= 50_000:
                cursor.executemany(statement, batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)


def _people() -> dict[str, Any]:
    from tobacco_crm.accounts.choices import Role
    from tobacco_crm.accounts.models import Company, Territory, User

    company = Company.objects.create(code="BENCH", name="基准测试公司")
    inspector = User.objects.create(username="insp", role=Role.INSPECTOR)
    marketing = User.objects.create(username="mm", role=Role.MARKETING_MANAGER)
    territories = []
    for n in range(TERRITORIES):
        manager = User.objects.create(username=f"cm{n}", role=Role.CUSTOMER_MANAGER)
        territory = Territory.objects.create(
            company=company, code=f"T{n:03d}", name=f"第{n}片区", customer_manager=manager
        )
        territory.inspectors.add(inspector)
        territories.append(territory)
    return {"inspector": inspector, "marketing": marketing, "territories": territories}


def _retailers(size: int, territories: list[Any], rng: np.random.Generator) -> np.ndarray:
    """Plain `bulk_create` of the archive rows (no history records: set-up only)."""
    from tobacco_crm.retailers.models import Retailer

    e_settlement = (rng.random(size) < 0.6).tolist()
    batch = [
        Retailer(
            license_no=f"{510100000000 + i:012d}",
            shop_name=f"基准商店{i}号",
            owner_name="王五",
            phone=f"138{i:08d}",
            address=f"城关镇人民路{i}号",
            business_format="Z",
            market_type="C",
            scale=2,
            class_code="CZ2",
            e_settlement=e_settlement[i],
            territory=territories[i % len(territories)],
        )
        for i in range(size)
    ]
    Retailer.objects.bulk_create(batch, batch_size=5000)
    return np.fromiter(
        Retailer.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64, count=size
    )


def _monthly_sales(ids: np.ndarray, rng: np.random.Generator) -> int:
    """13 months per retailer: a level per retailer, seasonality and noise, all vectorised.
    About 2 % of retailers are new (nothing before the graded quarter) and 3 % of the months
    have no order at all."""
    n = int(ids.shape[0])
    level = rng.lognormal(mean=4.0, sigma=0.8, size=n)  # cartons a month, median ~55
    season = 1 + 0.15 * np.sin(np.arange(MONTHS) / 12 * 2 * np.pi)
    cartons = np.rint(
        level[:, None] * season[None, :] * rng.normal(1.0, 0.2, size=(n, MONTHS)).clip(0.2)
    ).astype(np.int64)
    cartons[rng.random((n, MONTHS)) < 0.03] = 0
    new = rng.random(n) < 0.02
    cartons[new, : MONTHS - 3] = 0  # columns run oldest → newest; the last 3 are the quarter
    price = rng.normal(180.0, 40.0, size=(n, 1)).clip(60.0)
    amount = np.round(cartons * price * rng.normal(1.0, 0.05, size=(n, MONTHS)).clip(0.5), 2)
    premium = np.rint(cartons * rng.uniform(0.0, 0.5, size=(n, 1))).astype(np.int64)
    products = np.minimum(np.rint(np.sqrt(cartons) * 2), 80).astype(np.int64)
    orders = np.where(cartons > 0, rng.integers(1, 6, size=(n, MONTHS)), 0)
    keep = cartons > 0
    rows_r, rows_m = np.nonzero(keep)
    months = [_month(MONTHS - 1 - k) for k in range(MONTHS)]
    columns = (
        ids[rows_r].tolist(),
        [months[k] for k in rows_m.tolist()],
        cartons[keep].tolist(),
        [f"{a:.2f}" for a in amount[keep].tolist()],
        premium[keep].tolist(),
        products[keep].tolist(),
        orders[keep].tolist(),
    )
    _insert_rows(
        "orders_retailermonthlysales",
        ["retailer_id", "month", "cartons", "amount", "premium_cartons", "product_count",
         "order_count"],
        zip(*columns, strict=True),
    )  # fmt: skip
    return int(keep.sum())


def _grading_data(ids: np.ndarray, people: dict[str, Any], rng: np.random.Generator) -> dict:
    """The policy (35/55/10 with an 80/20 blend of the manager's score), the graded quarter
    and the previous one with a published run, deductions and manual indicators."""
    from tobacco_crm.engines.grading import BusinessSettings
    from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
    from tobacco_crm.grading import services
    from tobacco_crm.grading.choices import RunStatus
    from tobacco_crm.grading.models import Deduction, GradingRun

    marketing, inspector = people["marketing"], people["inspector"]
    policy = services.grading_policy_save(
        name="基准政策",
        data=EnginePolicy(business=BusinessSettings(manager_weight=0.2)).to_dict(),
        actor=marketing,
    )
    q2 = services.grading_period_create(
        code="2026Q2", name="2026 年二季度", start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2026, 6, 30), actor=marketing,
    )  # fmt: skip
    q3 = services.grading_period_create(
        code="2026Q3", name="2026 年三季度", start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 9, 30), actor=marketing,
    )  # fmt: skip
    n = int(ids.shape[0])

    # Last quarter's published run: its tiers are this run's previous tiers.
    previous = GradingRun.objects.create(
        period=q2, policy=policy, status=RunStatus.PUBLISHED, created_by=marketing,
        published_by=marketing, retailer_count=n,
    )  # fmt: skip
    tiers = rng.integers(1, 31, size=n)
    _insert_rows(
        "grading_retailergrade",
        ["run_id", "retailer_id", "compliance_points", "compliance_class", "supply_stopped",
         "business_score", "final_score", "rank", "tier", "previous_tier", "stars",
         "super_five", "segment", "row"],
        (
            (previous.pk, rid, 100.0, "A", False, 50.0, 50.0, k + 1, tier, 0, 0, False,
             "stable", "{}")
            for k, (rid, tier) in enumerate(zip(ids.tolist(), tiers.tolist(), strict=True))
        ),
    )  # fmt: skip

    # Deductions: ~8 % of retailers, mostly small items, some stopping supply.
    items = [
        ("price_tag", "未明码标价", 2),
        ("license_display", "未亮证经营", 2),
        ("minor_sign", "未张贴不向未成年人售烟标识", 2),
        ("address_change", "擅自变更经营地址", 5),
        ("sell_to_minor", "向未成年人售烟", 10),
        ("illegal_channel", "非法渠道进货", 10),
        ("counterfeit", "销售假冒卷烟", 20),
    ]
    chosen = np.flatnonzero(rng.random(n) < 0.08)
    which = rng.choice(len(items), size=chosen.shape[0], p=[0.3, 0.25, 0.2, 0.1, 0.08, 0.04, 0.03])
    deductions = [
        Deduction(
            retailer_id=int(ids[i]),
            period=q3,
            occurred_on=dt.date(2026, 7, 1 + k % 28),
            item_code=items[w][0],
            item_label=items[w][1],
            points=items[w][2],
            reason="基准检查",
            inspector=inspector,
        )
        for k, (i, w) in enumerate(zip(chosen.tolist(), which.tolist(), strict=True))
    ]
    Deduction.objects.bulk_create(deductions, batch_size=5000)
    # One in 50 cancelled by a correction (which replaces it in the run).
    corrections = [
        Deduction(
            retailer_id=d.retailer_id,
            period=q3,
            occurred_on=d.occurred_on,
            item_code=d.item_code,
            item_label=d.item_label,
            points=0,
            reason="复查撤销",
            corrects_id=d.pk,
            inspector=inspector,
        )
        for d in Deduction.objects.filter(period=q3).order_by("pk")[::50]
    ]
    Deduction.objects.bulk_create(corrections, batch_size=5000)

    # The customer managers' own scores for half of the retailers.
    scored = np.flatnonzero(rng.random(n) < 0.5)
    scores = np.round(rng.uniform(40, 100, size=scored.shape[0]), 1)
    manager_of = [t.customer_manager_id for t in people["territories"]]
    now = dt.datetime.now(dt.UTC)
    _insert_rows(
        "grading_manualindicator",
        ["retailer_id", "period_id", "key", "value", "entered_by_id", "entered_at"],
        (
            (int(ids[i]), q3.pk, "manager_score", s, manager_of[i % TERRITORIES], now)
            for i, s in zip(scored.tolist(), scores.tolist(), strict=True)
        ),
    )  # fmt: skip
    return {
        "policy": policy, "period": q3, "deductions": len(deductions) + len(corrections),
        "manual_indicators": int(scored.shape[0]),
    }  # fmt: skip


# The measured run ------------------------------------------------------------------------


def _timing(module: Any, name: str, seconds: dict[str, float]) -> None:
    """Wrap `module.name` so each call adds its duration to `seconds[name]`."""
    original: Callable[..., Any] = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start

    setattr(module, name, timed)


def _run(size: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from tobacco_crm.grading import adapters, services
    from tobacco_crm.grading.choices import RunStatus
    from tobacco_crm.grading.models import GradingPeriod, RetailerGrade

    rng = np.random.default_rng(SEED)
    start = time.perf_counter()
    with transaction.atomic():  # one commit (SQLite would otherwise sync every row)
        people = _people()
        ids = _retailers(size, people["territories"], rng)
        _log(f"{size} retailers: {time.perf_counter() - start:.1f} s")
        t = time.perf_counter()
        sales_rows = _monthly_sales(ids, rng)
        _log(f"{sales_rows} monthly sales rows: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        data = _grading_data(ids, people, rng)
        _log(f"grading data: {time.perf_counter() - t:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup_seconds = time.perf_counter() - start
    setup_rss = _peak_rss_mb()

    seconds: dict[str, float] = {}
    _timing(adapters, "load_inputs", seconds)
    _timing(services, "grade", seconds)
    _timing(adapters, "store_results", seconds)
    marketing = people["marketing"]
    t = time.perf_counter()
    run = services.grading_run_start(period=data["period"], policy=data["policy"], actor=marketing)
    start_seconds = time.perf_counter() - t
    _log(
        f"grading_run_start: {start_seconds:.2f} s (load {seconds['load_inputs']:.2f}, "
        f"engine {seconds['grade']:.2f}, store {seconds['store_results']:.2f})"
    )
    t = time.perf_counter()
    services.grading_run_publish(run=run, actor=marketing)
    publish_seconds = time.perf_counter() - t
    _log(f"grading_run_publish: {publish_seconds:.2f} s")

    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED and run.retailer_count == size
    assert RetailerGrade.objects.filter(run=run).count() == size
    assert GradingPeriod.objects.get(pk=data["period"].pk).locked
    summary = run.summary
    total = start_seconds + publish_seconds
    return {
        "benchmark": "grading_run",
        "size": size,
        "seconds": round(total, 3),
        "target_seconds": TARGET_SECONDS,
        "within_target": total <= TARGET_SECONDS,
        "load_seconds": round(seconds["load_inputs"], 3),
        "engine_seconds": round(seconds["grade"], 3),
        "store_seconds": round(seconds["store_results"], 3),
        "start_seconds": round(start_seconds, 3),
        "publish_seconds": round(publish_seconds, 3),
        "database": connection.vendor,
        "monthly_sales_rows": sales_rows,
        "deductions": data["deductions"],
        "manual_indicators": data["manual_indicators"],
        "classes": summary["classes"],
        "supply_stopped": summary["supply_stopped"],
        "setup_seconds": round(setup_seconds, 3),
        "setup_peak_rss_mb": setup_rss,
        "peak_rss_mb": _peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="2,000 retailers")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    size = 2000 if args.quick else args.size

    url = os.environ.get("DATABASE_URL", "")
    tmp = Path(tempfile.mkdtemp(prefix="grading_run_"))
    database = (
        _postgres_database(url, args.keep)
        if url.startswith(("postgres://", "postgresql://"))
        else contextlib.nullcontext()
    )
    try:
        with database:
            _setup_django(tmp)
            result = _run(size)
    finally:
        if args.keep:
            _log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
