"""Benchmark: Excel import of the retailer archive (零售客户档案).

Generates an .xlsx of N retailers (default 100,000; --quick: 2,000) and times, on its own
temporary SQLite database (or DATABASE_URL when given):

  * a dry run (read + validate + match, nothing written),
  * the real import (everything created, with one history record each),
  * a re-import of the same file (everything unchanged, nothing written),
  * an update file with 10% of the rows changed (phone and status),
  * the export of all of them (masked for the marketing manager who imports),
  * the baseline: the per-row path (`retailer_create`, full_clean + save) on a small sample,
    to print the speed-up of the bulk path.

The last line of the output is one JSON object (`peak_rss_mb` is the whole process's;
`import_peak_rss_mb` the peak up to the end of the real import). With DATABASE_URL, use an
empty database.

    .venv/bin/python benchmarks/retailer_import.py [--quick | --size N] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TERRITORIES = 60
SEED = 20240601


def _setup_django(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tobacco_crm.settings.dev")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'benchmark.sqlite3'}")
    os.environ.setdefault("TOBACCO_CRM_HOME", str(tmp))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Measure as in production: with DEBUG on, Django keeps the text of every statement.
    settings.DEBUG = False

    call_command("migrate", verbosity=0)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _rows(size: int, territory_codes: list[str], rng: random.Random):
    """Retailer rows in the import's column order, as a customer would type them."""
    from tobacco_crm.retailers.choices import (
        BusinessDistrict,
        BusinessFormat,
        BusinessScale,
        ChainType,
        MarketType,
        RetailerStatus,
    )

    formats = [str(label) for label in BusinessFormat.labels]
    markets = [str(label) for label in MarketType.labels]
    districts = [str(label) for label in BusinessDistrict.labels]
    chains = [str(label) for label in ChainType.labels]
    statuses = [str(label) for label in RetailerStatus.labels]
    scales = [str(label) for label in BusinessScale.labels]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    for i in range(size):
        opens = rng.choice(["06:30", "07:00", "07:30", "08:00"])
        closes = rng.choice(["21:00", "22:00", "23:00", "00:30"])
        yield [
            f"{510100000000 + i:012d}",
            f"{rng.choice(['便民', '好又多', '惠民', '万家', '红旗'])}商店{i}号",
            f"{rng.choice(surnames)}{rng.choice('建国明华丽强军芳')}",
            f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            f"城关镇人民路{i}号",
            round(30.4 + rng.random() * 0.4, 6),
            round(103.9 + rng.random() * 0.4, 6),
            rng.choice(formats),
            rng.choice(markets),
            rng.randint(1, 3),
            rng.choice(districts),
            rng.choice(chains),
            opens,
            closes,
            "是",
            rng.choice(statuses),
            date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 40)),
            rng.choice(["是", "否"]),
            rng.choice(scales),
            territory_codes[i % len(territory_codes)],
        ]


def _write_file(path: Path, rows) -> None:
    from tobacco_crm.core.excel import SheetSpec, write_workbook
    from tobacco_crm.retailers.excel import COLUMNS

    spec = SheetSpec(title="零售客户档案", headers=[c.header for c in COLUMNS], rows=rows)
    path.write_bytes(write_workbook(spec))


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    _log(f"{label}: {seconds:.2f} s  {result}")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 rows")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    size = 2000 if args.quick else args.size

    tmp = Path(tempfile.mkdtemp(prefix="retailer_import_"))
    try:
        _setup_django(tmp)
        result = _run(size, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            _log(f"kept {tmp}")
    print(json.dumps(result, ensure_ascii=False))


def _run(size: int, tmp: Path) -> dict:
    from django.db import connection

    from tobacco_crm.accounts.choices import Role
    from tobacco_crm.accounts.models import Company, Territory, User
    from tobacco_crm.retailers.excel import retailers_export_workbook
    from tobacco_crm.retailers.importing import retailer_import
    from tobacco_crm.retailers.models import Retailer
    from tobacco_crm.retailers.services import retailer_create

    company = Company.objects.create(code="BENCH", name="基准测试公司")
    codes = []
    for n in range(TERRITORIES):
        manager = User.objects.create(username=f"cm{n}", role=Role.CUSTOMER_MANAGER)
        code = f"T{n:03d}"
        Territory.objects.create(
            company=company, code=code, name=f"第{n}片区", customer_manager=manager
        )
        codes.append(code)
    actor = User.objects.create(username="mm", role=Role.MARKETING_MANAGER)

    rng = random.Random(SEED)
    path = tmp / f"零售客户档案_{size}.xlsx"
    _, generate_seconds = _timed(
        f"generate {size} rows", lambda: _write_file(path, _rows(size, codes, rng))
    )

    def run(file: Path, dry_run: bool):
        with file.open("rb") as fh:
            report = retailer_import(file=fh, actor=actor, dry_run=dry_run)
        assert report.ok, report.errors[:5]
        return report

    dry, dry_seconds = _timed("dry run", lambda: run(path, True))
    assert dry.created == size and Retailer.objects.count() == 0
    real, seconds = _timed("import", lambda: run(path, False))
    assert real.created == size == Retailer.objects.count() == Retailer.history.count()
    import_peak_rss_mb = _peak_rss_mb()
    again, reimport_seconds = _timed("re-import", lambda: run(path, False))
    assert again.unchanged == size and Retailer.history.count() == size

    # 10% of the rows with a new phone and status.
    changed = []
    for row in _rows(size, codes, random.Random(SEED)):
        if int(row[0]) % 10 == 0:
            row[3] = f"139{int(row[0]) % 10**8:08d}"
            row[15] = "停业"
            changed.append(row)
    update_path = tmp / "零售客户档案_变更.xlsx"
    _write_file(update_path, changed)
    upd, update_seconds = _timed(f"update {len(changed)} rows", lambda: run(update_path, False))
    assert upd.updated == len(changed)

    exported, export_seconds = _timed(
        "export",
        lambda: len(retailers_export_workbook(retailers=Retailer.objects.all(), user=actor)),
    )

    # Baseline: the per-row service, on a sample of new retailers.
    sample = min(300, size)
    territory = Territory.objects.get(code=codes[0])
    baseline_rng = random.Random(SEED + 1)
    start = time.perf_counter()
    for n in range(sample):
        retailer_create(
            data={
                "license_no": f"{520100000000 + n:012d}",
                "shop_name": f"基准商店{n}",
                "owner_name": "王五",
                "phone": f"137{baseline_rng.randrange(10**8):08d}",
                "address": f"基准路{n}号",
                "business_format": "Z",
                "market_type": "C",
                "scale": 2,
                "territory": territory,
            },
            actor=actor,
            reason="baseline",
        )
    baseline_seconds = time.perf_counter() - start
    baseline_rps = sample / baseline_seconds
    _log(f"baseline retailer_create: {baseline_rps:.0f} rows/s")

    rows_per_second = size / seconds
    return {
        "benchmark": "retailer_import",
        "size": size,
        "seconds": round(seconds, 3),
        "dry_run_seconds": round(dry_seconds, 3),
        "reimport_seconds": round(reimport_seconds, 3),
        "update_rows": len(changed),
        "update_seconds": round(update_seconds, 3),
        "rows_per_second": round(rows_per_second, 1),
        "baseline_rows_per_second": round(baseline_rps, 1),
        "speedup_vs_baseline": round(rows_per_second / baseline_rps, 1),
        "export_seconds": round(export_seconds, 3),
        "export_mb": round(exported / 2**20, 2),
        "generate_seconds": round(generate_seconds, 3),
        "file_mb": round(path.stat().st_size / 2**20, 2),
        "database": connection.vendor,
        "import_peak_rss_mb": import_peak_rss_mb,
        "peak_rss_mb": _peak_rss_mb(),
    }


if __name__ == "__main__":
    main()
