"""Benchmark of the forecasting engine (tobacco_crm.engines.forecasting), no Django, no database.

History: the demo county's retailers (``core/demo/archive.generate_retailers``, seed 1, 8
territories) and their weekly orders (``core/demo/orders.generate_orders``), generated as NumPy
arrays exactly as ``make demo`` does, but over ``--weeks`` weeks (default 156, three years,
so that seasonal-naive has a year to look back on). The demo modules are loaded straight from
their files: the package ``tobacco_crm.core.demo`` imports Django in its ``__init__``, its
generators do not.

Series: every retailer × product pair with at least one order in the whole period; a series
starts at the later of the retailer's first order week and the product's launch, so pairs of a
product launched inside the hold-out have no history (the group's average then). Groups:
product × territory. The last 8 weeks are held out; on the same series, in the same run:

    engine            forecast(..., groups=product × territory, dates=week starts)
    seasonal_naive    the value 52 weeks before each hold-out week (last value when shorter)
    moving_average    the mean of the last 8 weeks (of those observed)

WAPE = Σ|y − ŷ| / Σy over all series and hold-out weeks; bias = Σ(ŷ − y) / Σy;
improvement_pct = 100 · (1 − WAPE_engine / min(WAPE baselines)). The headline ``wape``,
``bias`` and ``improvement_pct`` score the engine's point forecast, the **mean** (``point``,
what supply planning sums). Also reported, not the headline: ``*_median``, the engine's
median forecast (``Forecast.median``; WAPE is minimised by the median, but it is mostly 0 on
intermittent series and biased low), and ``*_oracle_mean``, each series' actual mean over the
hold-out repeated over its weeks: it sees the future, so it is a reference for how low the
weekly WAPE of an unbiased per-series forecast can go, not a method. Two hold-out windows: the
default ends on ``--end`` (2026-11-23, autumn) and ``spring`` ends on 2026-03-16, eight weeks
round the Spring Festival of 2026-02-17. The 80 % interval's hold-out coverage is printed too.

``--scale S`` then times a company of S retailers as S / 2,000 county shards (one engine call
per shard, groups within the shard), each generated with its own seed; ``--scale-shards K``
runs only K shards and extrapolates the time linearly (marked ``extrapolated``).

    .venv/bin/python benchmarks/forecasting.py              # 2,000 retailers
    .venv/bin/python benchmarks/forecasting.py --quick      # 200 retailers (CI)
    .venv/bin/python benchmarks/forecasting.py --scale 200000 --scale-shards 10

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tobacco_crm.engines.forecasting import forecast_intervals  # noqa: E402

HOLDOUT = 8
SEASON = 52
TERRITORIES = 8


def _demo_modules() -> tuple[ModuleType, ModuleType]:
    """``archive`` and ``orders`` of core/demo without running the package's Django imports."""
    name = "_demo_generators"
    if name not in sys.modules:
        spec = importlib.util.spec_from_loader(name, loader=None, is_package=True)
        assert spec is not None
        package = importlib.util.module_from_spec(spec)
        package.__path__ = [str(ROOT / "src" / "tobacco_crm" / "core" / "demo")]
        sys.modules[name] = package
    return importlib.import_module(f"{name}.archive"), importlib.import_module(f"{name}.orders")


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def county_history(retailers: int, weeks: int, end: date, seed: int) -> dict[str, Any]:
    """Weekly cartons per retailer × product (dense ``(retailers, weeks, products)``)."""
    archive, orders = _demo_modules()
    table = archive.generate_retailers(
        seed=seed, n=retailers, territories=TERRITORIES, end_date=end
    )
    cal = orders.week_calendar(end, weeks)
    catalogue = orders.catalogue_arrays(cal)
    products = catalogue.size
    cube = np.zeros((retailers, weeks, products), dtype=np.float32)
    chunk = orders.retailers_per_chunk(weeks)
    for start in range(0, retailers, chunk):
        stop = min(retailers, start + chunk)
        arrays = orders.generate_orders(
            archive.stream(seed, archive.STREAM_ORDERS, start),
            table.demand.slice(start, stop),
            catalogue,
            cal,
        )
        week = ((arrays.order_date - cal.mondays[0]).astype(np.int64)) // 7
        r = arrays.order_retailer[arrays.line_order] + start
        np.add.at(cube, (r, week[arrays.line_order], arrays.line_product), arrays.line_cartons)
    # Launch week of each product (first week with availability).
    launch = np.argmax(catalogue.availability > 0, axis=0)
    return {
        "cube": cube,
        "mondays": cal.mondays,
        "territory": np.asarray(table.territory),
        "launch": launch,
    }


def make_series(data: dict[str, Any], holdout: int) -> dict[str, Any]:
    cube = data["cube"]
    weeks = cube.shape[1]
    train_weeks = weeks - holdout
    active = cube.sum(axis=1) > 0  # (retailers, products)
    r, p = np.nonzero(active)
    any_order = cube.sum(axis=2) > 0
    first = np.where(any_order.any(axis=1), np.argmax(any_order, axis=1), weeks)
    start = np.maximum(first[r], data["launch"][p])
    history = [
        cube[i, s:train_weeks, j].astype(np.float64)
        for i, j, s in zip(r.tolist(), p.tolist(), start.tolist(), strict=True)
    ]
    actual = cube[r, train_weeks:, p].astype(np.float64)  # (n, holdout)
    groups = p * TERRITORIES + data["territory"][r]
    return {
        "history": history,
        "actual": actual,
        "groups": groups,
        "dates": data["mondays"][:train_weeks],
    }


def seasonal_naive(history: list[np.ndarray], horizon: int, season: int) -> np.ndarray:
    out = np.zeros((len(history), horizon))
    for i, h in enumerate(history):
        if h.size >= season:
            out[i] = h[h.size - season : h.size - season + horizon]
        elif h.size:
            out[i] = h[-1]
    return out


def moving_average(history: list[np.ndarray], horizon: int, window: int) -> np.ndarray:
    means = np.asarray([h[-window:].mean() if h.size else 0.0 for h in history])
    return np.repeat(means[:, None], horizon, axis=1)


def scores(actual: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    total = float(actual.sum())
    return (
        round(float(np.abs(actual - predicted).sum()) / total, 4),
        round(float((predicted - actual).sum()) / total, 4),
    )


def group_totals(matrix: np.ndarray, groups: np.ndarray) -> np.ndarray:
    _, codes = np.unique(groups, return_inverse=True)
    out = np.zeros((int(codes.max()) + 1, matrix.shape[1]))
    np.add.at(out, codes.reshape(-1), matrix)
    return out


def evaluate(retailers: int, weeks: int, end: date, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    data = county_history(retailers, weeks, end, seed)
    series = make_series(data, HOLDOUT)
    prepared = time.perf_counter() - started
    start = time.perf_counter()
    result = forecast_intervals(
        series["history"], HOLDOUT, SEASON, groups=series["groups"], dates=series["dates"]
    )
    seconds = time.perf_counter() - start
    actual = series["actual"]
    wape, bias = scores(actual, result.point)
    naive_wape, naive_bias = scores(actual, seasonal_naive(series["history"], HOLDOUT, SEASON))
    ma_wape, ma_bias = scores(actual, moving_average(series["history"], HOLDOUT, HOLDOUT))
    best = min(naive_wape, ma_wape)
    median_wape, median_bias = scores(actual, result.median)
    oracle_wape, _ = scores(actual, np.repeat(actual.mean(axis=1, keepdims=True), HOLDOUT, 1))
    naive = seasonal_naive(series["history"], HOLDOUT, SEASON)
    average = moving_average(series["history"], HOLDOUT, HOLDOUT)
    levels = {
        # each series' 8-week total (what a supply period's plan uses)
        "series_8_weeks": lambda m: m.sum(axis=1, keepdims=True),
        # product × territory weekly totals (supply planning)
        "group_week": lambda m: group_totals(m, series["groups"]),
    }
    coarser = {
        name: {
            method: scores(level(actual), level(pred))[0]
            for method, pred in (
                ("engine", result.point),
                ("seasonal_naive", naive),
                ("moving_average", average),
            )
        }
        for name, level in levels.items()
    }
    covered = (actual >= result.lower) & (actual <= result.upper)
    new = np.asarray([h.size == 0 for h in series["history"]])
    return {
        "end": end.isoformat(),
        "size": len(series["history"]),
        "new_series": int(new.sum()),
        "seconds": round(seconds, 3),
        "generate_seconds": round(prepared, 2),
        "wape": wape,
        "bias": bias,
        "wape_seasonal_naive": naive_wape,
        "bias_seasonal_naive": naive_bias,
        "wape_moving_average": ma_wape,
        "bias_moving_average": ma_bias,
        "improvement_pct": round(100 * (1 - wape / best), 1),
        "wape_median": median_wape,
        "bias_median": median_bias,
        "improvement_pct_median": round(100 * (1 - median_wape / best), 1),
        "wape_oracle_mean": oracle_wape,
        "improvement_pct_oracle_mean": round(100 * (1 - oracle_wape / best), 1),
        "interval_coverage_80": round(float(covered.mean()), 3),
        "wape_coarser": coarser,
    }


def scale_run(size: int, shards_run: int | None, weeks: int, end: date) -> dict[str, Any]:
    shard = 2000
    shards = -(-size // shard)
    run = shards if shards_run is None else min(shards, shards_run)
    engine = generate = 0.0
    series = 0
    for k in range(run):
        started = time.perf_counter()
        data = county_history(shard, weeks, end, seed=100 + k)
        s = make_series(data, 0)
        generate += time.perf_counter() - started
        started = time.perf_counter()
        forecast_intervals(s["history"], HOLDOUT, SEASON, groups=s["groups"], dates=s["dates"])
        engine += time.perf_counter() - started
        series += len(s["history"])
        del data, s
    factor = shards / run
    return {
        "retailers": size,
        "shards": shards,
        "shards_run": run,
        "extrapolated": run < shards,
        "series": int(series * factor),
        "engine_seconds": round(engine * factor, 1),
        "generate_seconds": round(generate * factor, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retailers", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="200 retailers, one window")
    parser.add_argument("--weeks", type=int, default=156, help="weeks of history generated")
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 23))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=int, default=0, help="also time S retailers in shards")
    parser.add_argument("--scale-shards", type=int, default=None)
    args = parser.parse_args()
    retailers = 200 if args.quick else args.retailers

    windows = {"default": evaluate(retailers, args.weeks, args.end, args.seed)}
    if not args.quick:
        windows["spring"] = evaluate(retailers, args.weeks, date(2026, 3, 16), args.seed)
    for name, figures in windows.items():
        print(name, json.dumps(figures, ensure_ascii=False))
    headline = windows["default"]
    out: dict[str, Any] = {
        "benchmark": "forecasting",
        "retailers": retailers,
        **{k: v for k, v in headline.items() if k != "end"},
        "peak_rss_mb": peak_rss_mb(),
        "windows": windows,
    }
    if args.scale:
        out["scale"] = scale_run(args.scale, args.scale_shards, args.weeks, args.end)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
