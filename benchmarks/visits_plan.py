"""Benchmark: the week's visit plans (拜访计划) of every customer manager, through the database.

Target (issue 5): weekly plans for all managers of a 200,000-retailer company in ≤ 10 minutes.

Sets up, on its own temporary SQLite database (or DATABASE_URL when given), a company of N
retailers (default 200,000; --quick: 2,000) in K territories (default N / 250, i.e. 800;
--quick: 8), each with its own customer manager. The territories' centres lie on a grid over
a county of about 60 × 60 km around (30.57, 104.06); each retailer lies around its
territory's centre (σ ≈ 1.2 km). Business formats and opening hours vary (most shops
07:00-22:00, some 09:00-21:00 or 10:00-14:00, a few with no hours recorded: open all day).
A published grading run gives every retailer a segment (`RetailerGrade` rows inserted in
bulk: top / high potential / stable / volatile / bottom at 20/20/25/15/20 %). Nobody has been
visited yet, so every retailer is due and each plan fills the week (5 days × 12 visits) with
the rest left out as over capacity. The company has no coordinates: each manager's route
starts and ends at his home base (his stops' centroid).

The set-up writes rows directly (scaffolding, not what is measured). Then it times
`services.visit_plan_draft` per manager for the week of 2026-11-30, with the default
per-day routing time limit (`time_limit_s`, a cap; the engine stops at its solution limit
first). With --sample M (default: every manager for --quick, 40 evenly spread managers for
a larger size) only M managers are drafted and the total is extrapolated from the mean per
manager (`extrapolated: true` in the JSON); --all drafts every manager.

    .venv/bin/python benchmarks/visits_plan.py [--quick | --size N] [--sample M | --all]

The last line of the output is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import inspect
import json
import math
import os
import shutil
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from _harness import log as _log
from _harness import peak_rss_mb as _peak_rss_mb
from _harness import postgres_database as _postgres_database
from _harness import setup_django as _setup_django

SEED = 20261130
PER_TERRITORY = 250
CENTRE = (30.57, 104.06)
COUNTY_KM = 60.0
SPREAD_KM = 1.2
WEEK = dt.date(2026, 11, 30)
TARGET_SECONDS = 600.0
DEFAULT_SAMPLE = 40
FORMATS = ["Z", "B", "C", "Y", "F", "Q", "S"]
FORMAT_SHARES = [0.55, 0.15, 0.08, 0.12, 0.04, 0.04, 0.02]
HOURS = [
    (dt.time(7, 0), dt.time(22, 0)),
    (dt.time(9, 0), dt.time(21, 0)),
    (dt.time(10, 0), dt.time(14, 0)),
    (None, None),
]
HOUR_SHARES = [0.75, 0.15, 0.03, 0.07]
SEGMENTS = ["top", "high_potential", "stable", "volatile", "bottom"]
SEGMENT_SHARES = [0.20, 0.20, 0.25, 0.15, 0.20]


# Database set-up -------------------------------------------------------------------------


def _people(k: int) -> dict[str, Any]:
    from tobacco_crm.accounts.choices import Role
    from tobacco_crm.accounts.models import Company, Territory, User

    company = Company.objects.create(code="BENCH", name="基准测试公司")
    marketing = User.objects.create(username="mm", role=Role.MARKETING_MANAGER)
    User.objects.bulk_create(
        [User(username=f"cm{n}", role=Role.CUSTOMER_MANAGER) for n in range(k)], batch_size=2000
    )
    managers = list(User.objects.filter(username__startswith="cm").order_by("pk"))
    Territory.objects.bulk_create(
        [
            Territory(company=company, code=f"T{n:04d}", name=f"第{n}片区", customer_manager=m)
            for n, m in enumerate(managers)
        ],
        batch_size=2000,
    )
    territories = list(Territory.objects.filter(company=company).order_by("code"))
    return {"marketing": marketing, "managers": managers, "territories": territories}


def _centres(k: int) -> np.ndarray:
    """k territory centres (lat, lon) on a grid over the county."""
    cols = math.ceil(math.sqrt(k))
    rows = math.ceil(k / cols)
    km_lat = 111.19
    km_lon = km_lat * math.cos(math.radians(CENTRE[0]))
    ys = (np.arange(rows) + 0.5) / rows * COUNTY_KM - COUNTY_KM / 2
    xs = (np.arange(cols) + 0.5) / cols * COUNTY_KM - COUNTY_KM / 2
    grid = np.array([(y, x) for y in ys for x in xs])[:k]
    return np.column_stack([CENTRE[0] + grid[:, 0] / km_lat, CENTRE[1] + grid[:, 1] / km_lon])


def _retailers(size: int, territories: list[Any], rng: np.random.Generator) -> np.ndarray:
    """Plain `bulk_create` of the archive rows (no history records: set-up only)."""
    from tobacco_crm.retailers.models import Retailer

    k = len(territories)
    centres = _centres(k)
    label = np.arange(size) % k
    km_lat = 111.19
    km_lon = km_lat * math.cos(math.radians(CENTRE[0]))
    noise = rng.normal(0, SPREAD_KM, (size, 2))
    lat = centres[label, 0] + noise[:, 0] / km_lat
    lon = centres[label, 1] + noise[:, 1] / km_lon
    fmt = rng.choice(len(FORMATS), size, p=FORMAT_SHARES)
    hours = rng.choice(len(HOURS), size, p=HOUR_SHARES)
    batch = []
    for i in range(size):
        opens, closes = HOURS[hours[i]]
        code = FORMATS[fmt[i]]
        batch.append(
            Retailer(
                license_no=f"{510100000000 + i:012d}",
                shop_name=f"基准商店{i}号",
                owner_name="王五",
                phone=f"138{i:08d}",
                address=f"城关镇人民路{i}号",
                business_format=code,
                market_type="C",
                scale=2,
                class_code=f"C{code}2",
                latitude=Decimal(f"{lat[i]:.6f}"),
                longitude=Decimal(f"{lon[i]:.6f}"),
                opens_at=opens,
                closes_at=closes,
                territory=territories[label[i]],
            )
        )
    Retailer.objects.bulk_create(batch, batch_size=5000)
    return np.fromiter(
        Retailer.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64, count=size
    )


def _grades(ids: np.ndarray, marketing: Any, rng: np.random.Generator) -> dict[str, int]:
    """A published run of 2026Q3 giving every retailer a segment (rows inserted in bulk)."""
    from django.utils import timezone

    from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
    from tobacco_crm.grading.choices import RunStatus
    from tobacco_crm.grading.models import GradingPeriod, GradingPolicy, GradingRun, RetailerGrade

    policy = GradingPolicy.objects.create(
        name="基准政策", version=1, data=EnginePolicy().to_dict(), created_by=marketing
    )
    period = GradingPeriod.objects.create(
        code="2026Q3", name="2026 年三季度", start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 9, 30), locked=True,
    )  # fmt: skip
    run = GradingRun.objects.create(
        period=period, policy=policy, status=RunStatus.PUBLISHED, retailer_count=len(ids),
        created_by=marketing, published_by=marketing, published_at=timezone.now(),
    )  # fmt: skip
    segment = rng.choice(len(SEGMENTS), len(ids), p=SEGMENT_SHARES)
    RetailerGrade.objects.bulk_create(
        (
            RetailerGrade(
                run=run,
                retailer_id=int(pk),
                compliance_points=100.0,
                compliance_class="A",
                business_score=50.0,
                final_score=50.0,
                rank=i + 1,
                tier=15,
                segment=SEGMENTS[segment[i]],
            )
            for i, pk in enumerate(ids)
        ),
        batch_size=5000,
    )
    return {s: int((segment == j).sum()) for j, s in enumerate(SEGMENTS)}


# The measured part ------------------------------------------------------------------------


def _sample(managers: list[Any], sample: int | None) -> list[Any]:
    if sample is None or sample >= len(managers):
        return managers
    step = len(managers) / sample
    return [managers[int(j * step)] for j in range(sample)]


def _run(size: int, k: int, sample: int | None) -> dict[str, Any]:
    from django.db import connection, transaction

    from tobacco_crm.visits import services
    from tobacco_crm.visits.models import PlannedVisit, VisitPlan

    rng = np.random.default_rng(SEED)
    start = time.perf_counter()
    with transaction.atomic():  # one commit (SQLite would otherwise sync every row)
        people = _people(k)
        ids = _retailers(size, people["territories"], rng)
        _log(f"{size} retailers in {k} territories: {time.perf_counter() - start:.1f} s")
        t = time.perf_counter()
        segments = _grades(ids, people["marketing"], rng)
        _log(f"grades: {time.perf_counter() - t:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup_seconds = time.perf_counter() - start
    setup_rss = _peak_rss_mb()

    time_limit_s = inspect.signature(services.visit_plan_draft).parameters["time_limit_s"].default
    drafted = _sample(people["managers"], sample)
    per_manager: list[float] = []
    t_all = time.perf_counter()
    for n, manager in enumerate(drafted, start=1):
        t = time.perf_counter()
        services.visit_plan_draft(manager=manager, week_start=WEEK, actor=manager)
        per_manager.append(time.perf_counter() - t)
        if n % 10 == 0 or n == len(drafted):
            _log(f"{n}/{len(drafted)} plans: {time.perf_counter() - t_all:.1f} s")
    measured = time.perf_counter() - t_all

    plans = VisitPlan.objects.filter(week_start=WEEK).count()
    visits = PlannedVisit.objects.filter(plan__week_start=WEEK).count()
    left_out = sum(len(x) for x in VisitPlan.objects.values_list("left_out", flat=True))
    assert plans == len(drafted)
    extrapolated = len(drafted) < k
    mean = statistics.fmean(per_manager)
    seconds = mean * k if extrapolated else measured
    result: dict[str, Any] = {
        "benchmark": "visits_plan",
        "size": size,
        "managers": k,
        "seconds": round(seconds, 3),
        "target_seconds": TARGET_SECONDS,
        "within_target": seconds <= TARGET_SECONDS,
        "extrapolated": extrapolated,
        "sampled_managers": len(drafted),
        "measured_seconds": round(measured, 3),
        "per_manager_seconds": round(mean, 4),
        "per_manager_max_seconds": round(max(per_manager), 4),
        "per_manager_median_seconds": round(statistics.median(per_manager), 4),
        "plans": plans,
        "visits": visits,
        "visits_per_plan": round(visits / plans, 1),
        "left_out": left_out,
        "routing_time_limit_s_per_day": time_limit_s,
        "week_start": WEEK.isoformat(),
        "segments": segments,
        "database": connection.vendor,
        "setup_seconds": round(setup_seconds, 3),
        "setup_peak_rss_mb": setup_rss,
        "peak_rss_mb": _peak_rss_mb(),
    }
    if extrapolated:
        result["visits_extrapolated"] = round(visits / plans * k)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="2,000 retailers, 8 managers")
    parser.add_argument("--managers", type=int, help="territories (default size / 250)")
    parser.add_argument("--sample", type=int, help="draft this many managers, extrapolate")
    parser.add_argument("--all", action="store_true", help="draft every manager")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    size = 2000 if args.quick else args.size
    k = args.managers or max(1, size // PER_TERRITORY)
    sample = None if (args.all or args.quick) and args.sample is None else args.sample
    if sample is None and not (args.all or args.quick) and k > DEFAULT_SAMPLE:
        sample = DEFAULT_SAMPLE

    url = os.environ.get("DATABASE_URL", "")
    tmp = Path(tempfile.mkdtemp(prefix="visits_plan_"))
    database = (
        _postgres_database(url, args.keep)
        if url.startswith(("postgres://", "postgresql://"))
        else contextlib.nullcontext()
    )
    try:
        with database:
            _setup_django(tmp)
            result = _run(size, k, sample)
    finally:
        if args.keep:
            _log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
