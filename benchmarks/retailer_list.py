"""Benchmark: the retailer list and search page at company scale.

Builds N retailers (default 200,000; --quick: 5,000) in 40 territories on its own temporary
SQLite database (or the empty database DATABASE_URL names), then requests the retailer list
page through Django's test client — the whole view: scoping, filters, count, page query,
table rendering — for a marketing manager (whole company) and a customer manager (one
territory), with the queries users type: no filter, a shop-name substring, an owner name,
a license-number prefix, a phone prefix, territory + status filters, a sort by shop name,
and a late page. Prints p50/p95 per query and overall on the last line as JSON.

Set-up inserts retailers with plain bulk_create (no history rows): the benchmark measures
reads, and history is not read by the list.

    .venv/bin/python benchmarks/retailer_list.py [--quick | --size N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TERRITORIES = 40
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = list("建国华明丽芳军伟强平秀英红梅兰杰涛斌霞辉鹏宇飞春燕玲")
PREFIX = list("幸福平安兴旺顺发鑫源永和富民宏达金利祥瑞好运")
SUFFIX = ["便利店", "食杂店", "超市", "烟酒店", "商店", "小卖部", "百货", "副食店"]
PLACES = ["城关", "新华", "东风", "红星", "河西", "南街", "北关", "西城"]


def _setup_django(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tobacco_crm.settings.dev")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'benchmark.sqlite3'}")
    os.environ.setdefault("TOBACCO_CRM_HOME", str(tmp))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)


def _build(size: int, seed: int) -> dict:
    from tobacco_crm.accounts.choices import Role
    from tobacco_crm.accounts.models import Company, Territory, User
    from tobacco_crm.retailers.choices import class_code
    from tobacco_crm.retailers.models import Retailer

    rng = np.random.default_rng(seed)
    company = Company.objects.create(code="BENCH", name="基准测试公司")
    managers = [
        User.objects.create_user(f"cm{k:02d}", password="x", role=Role.CUSTOMER_MANAGER)
        for k in range(TERRITORIES)
    ]
    territories = [
        Territory.objects.create(
            company=company, code=f"T{k:03d}", name=f"第{k}片区", customer_manager=managers[k]
        )
        for k in range(TERRITORIES)
    ]
    User.objects.create_user("mm", password="x", role=Role.MARKETING_MANAGER)

    formats = np.array(list("ZZZZZZBBCSYFQ"))
    statuses = np.array(["normal"] * 18 + ["suspended", "closed"])
    pick = rng.integers
    batch = []
    for i in range(size):
        fmt = str(formats[pick(len(formats))])
        market = "C" if pick(10) < 4 else "X"
        scale = int(pick(1, 4))
        batch.append(
            Retailer(
                license_no=f"{510100000000 + i * 7:012d}",
                shop_name=f"{PLACES[pick(len(PLACES))]}{PREFIX[pick(len(PREFIX))]}"
                f"{PREFIX[pick(len(PREFIX))]}{SUFFIX[pick(len(SUFFIX))]}",
                owner_name=f"{SURNAMES[pick(len(SURNAMES))]}{GIVEN[pick(len(GIVEN))]}"
                f"{GIVEN[pick(len(GIVEN))]}",
                phone=f"1{pick(3, 10)}{pick(0, 10**9):09d}",
                address=f"{PLACES[pick(len(PLACES))]}镇人民路{pick(1, 500)}号",
                business_format=fmt,
                market_type=market,
                scale=scale,
                class_code=class_code(market, fmt, scale),
                status=str(statuses[pick(len(statuses))]),
                territory=territories[i % TERRITORIES],
            )
        )
        if len(batch) == 5000:
            Retailer.objects.bulk_create(batch)
            batch = []
    Retailer.objects.bulk_create(batch)
    sample = Retailer.objects.filter(territory=territories[0]).order_by("pk")[7]
    return {"territory": territories[0].pk, "sample": sample}


def _queries(ctx: dict) -> dict[str, dict[str, str]]:
    sample = ctx["sample"]
    return {
        "list": {},
        "name_substring": {"q": sample.shop_name[2:4]},
        "owner": {"q": sample.owner_name},
        "license_prefix": {"q": sample.license_no[:8]},
        "phone_prefix": {"q": sample.phone[:7]},
        "territory_status": {"territory": str(ctx["territory"]), "status": "normal"},
        "sort_shop_name": {"sort": "shop_name"},
        "late_page": {"page": "40"},
    }


def _time(client, params: dict[str, str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get("/retailers/", params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="5,000 retailers, few repeats")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    size = 5000 if args.quick else args.size
    repeat = 5 if args.quick else args.repeat

    tmp = Path(tempfile.mkdtemp(prefix="tobacco-crm-list-"))
    try:
        _setup_django(tmp)
        from django.db import connection
        from django.test import Client

        from tobacco_crm.accounts.models import User

        start = time.perf_counter()
        ctx = _build(size, args.seed)
        build_seconds = time.perf_counter() - start
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
            else:
                cursor.execute("ANALYZE")
        results: dict[str, dict[str, dict[str, float]]] = {}
        all_times: list[float] = []
        for who in ("mm", "cm00"):
            client = Client()
            client.force_login(User.objects.get(username=who))
            _time(client, {}, 2)  # warm caches and templates
            per_query = {}
            for name, params in _queries(ctx).items():
                times = _time(client, params, repeat)
                all_times += times
                per_query[name] = {
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(float(np.percentile(times, 95)), 1),
                }
            results["marketing_manager" if who == "mm" else "customer_manager"] = per_query
        worst = max(q["p95_ms"] for role in results.values() for q in role.values())
        report = {
            "benchmark": "retailer_list",
            "database": connection.vendor,
            "size": size,
            "seconds": round(sum(all_times) / 1000, 3),
            "requests": len(all_times),
            "p50_ms": round(statistics.median(all_times), 1),
            "p95_ms": round(float(np.percentile(all_times, 95)), 1),
            "worst_query_p95_ms": worst,
            "target_p95_ms": 100,
            "build_seconds": round(build_seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "queries": results,
        }
        print(json.dumps(report, ensure_ascii=False))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
