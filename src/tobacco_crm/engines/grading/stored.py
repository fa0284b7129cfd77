"""Storing a run: one small row per retailer and one context per run, both JSON types.

The Django side keeps a run of up to a few hundred thousand retailers and shows any one
retailer's explanation weeks later without the ``GradingResult``:

    context = result.context()                  # once per run (a few KB)
    for start in range(0, result.n, 1000):      # per retailer (~0.5 KB each), in batches
        rows = result.rows(start, start + 1000)
    ...
    explain_row(row, context) == explain(result, i)  # later, from the stored JSON alone

The context (``context``) is ``summary()`` (counts per tier, class, segment and star, the top
value of each indicator, the score that reaches each tier) plus ``format`` (this layout's
version) and ``policy`` (``GradingPolicy.to_dict()``). Everything an explanation needs that
depends on the whole population is either in the context (tops, tier floors) or already
computed into the row (indicator ranks, points), so the context stays small.

A row (``rows``), keys short because there is one per retailer; lists ``v``, ``p`` and ``r``
follow ``policy.business.indicators``; null stands for NaN (missing, not rated, unknown):

    id     retailer id                     bs     business score
    cp     compliance points               ms     manager score (null: none)
    ded    points deducted                 fs     final score
    cls    compliance class A/B/C/W        rank   rank (1 = best)
    pen    administrative penalties        st     score tier (from the score alone)
    stop   supply stopped                  t      tier (after the caps)
    dd     deductions: [[deduction id      adj    tier adjustments (bits: 1 step limit,
           (null: none given), item code,         2 new retailer, 4 class cap)
           points applied, cleared], ...]  prev   previous tier (0: none)
    v      indicator values                new    new retailer
    p      indicator points                ss     star score (null: not rated)
    r      indicator ranks (1 + the        stars  stars (0-5)
           number of retailers with a      s5     super five
           higher value; null: no value)   seg    segment code
    g      growth (null: unknown)          cv     cv of monthly sales (null: unknown)

Rows are built column-wise (one ``tolist()`` per array, then one comprehension) with the
cyclic garbage collector paused (the rows hold no cycles; without the pause the collector
would traverse the growing list of new containers again and again and triple the time):
about 0.5 s for 200,000 retailers.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .run import GradingResult

#: Version of the row and context layout; ``explain_row`` refuses other versions.
STORED_FORMAT = 1


def context(result: GradingResult) -> dict[str, Any]:
    """The run-level data of the explanations (see the module docstring)."""
    return {"format": STORED_FORMAT, "policy": result.policy.to_dict(), **result.summary()}


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _nullable(values: np.ndarray) -> list[Any]:
    """``values.tolist()`` with NaN as None."""
    return [None if x != x else x for x in values.tolist()]


def _transpose(columns: list[list[Any]]) -> list[list[Any]]:
    return list(map(list, zip(*columns, strict=True)))


def _deductions(result: GradingResult, start: int, stop: int) -> tuple[list[Any], list[int]]:
    """The deduction entries of retailers start..stop-1, grouped by retailer (in input order
    within a retailer), and the bounds of each retailer's group in that list."""
    order, bounds = result._deduction_index
    first, last = int(bounds[start]), int(bounds[stop])
    where = order[first:last]
    inputs = result.inputs
    k = where.shape[0]
    codes = np.array([item.code for item in result.policy.compliance.items], dtype=object)
    ids = inputs.deduction_ids[where].tolist() if inputs.deduction_ids is not None else [None] * k
    cleared = (
        inputs.deduction_cleared[where].tolist()
        if inputs.deduction_cleared is not None
        else [False] * k
    )
    entries = [
        [did, code, points, done]
        for did, code, points, done in zip(
            ids,
            codes[result.deduction_item_index[where]].tolist(),
            result.deduction_points[where].tolist(),
            cleared,
            strict=True,
        )
    ]
    return entries, (bounds[start : stop + 1] - first).tolist()


def rows(result: GradingResult, start: int, stop: int) -> list[dict[str, Any]]:
    """The rows of the retailers at positions start..stop-1 (see the module docstring)."""
    with _gc_paused():
        return _rows(result, start, stop)


def _rows(result: GradingResult, start: int, stop: int) -> list[dict[str, Any]]:
    part = slice(start, stop)
    inputs = result.inputs
    keys = [ind.key for ind in result.policy.business.indicators]
    values = _transpose([_nullable(inputs.indicators[key][part]) for key in keys])
    points = _transpose([result.indicator_points[key][part].tolist() for key in keys])
    ranks = _transpose(
        [[r or None for r in result.indicator_ranks(key)[part].tolist()] for key in keys]
    )
    entries, bounds = _deductions(result, start, stop)
    k = stop - start
    manager = (
        _nullable(inputs.manager_scores[part]) if inputs.manager_scores is not None else [None] * k
    )
    columns = (
        inputs.retailer_ids[part].tolist(),
        result.compliance_points[part].tolist(),
        result.deducted[part].tolist(),
        result.compliance_class[part].tolist(),
        result.penalty_counts[part].tolist(),
        result.supply_stopped[part].tolist(),
        bounds[:-1],
        bounds[1:],
        values,
        points,
        ranks,
        result.business_score[part].tolist(),
        manager,
        result.final_score[part].tolist(),
        result.rank[part].tolist(),
        result.score_tier[part].tolist(),
        result.tier[part].tolist(),
        result.tier_adjustments[part].tolist(),
        result.previous_tier[part].tolist(),
        result.is_new[part].tolist(),
        _nullable(result.star_score[part]),
        result.stars[part].tolist(),
        result.super_five[part].tolist(),
        result.segment[part].tolist(),
        _nullable(result.growth[part]),
        _nullable(result.cv[part]),
    )
    return [
        {
            "id": rid,
            "cp": cp,
            "ded": ded,
            "cls": cls,
            "pen": pen,
            "stop": stopped,
            "dd": entries[d0:d1],
            "v": v,
            "p": p,
            "r": r,
            "bs": bs,
            "ms": ms,
            "fs": fs,
            "rank": rank,
            "st": st,
            "t": t,
            "adj": adj,
            "prev": prev,
            "new": new,
            "ss": ss,
            "stars": stars,
            "s5": s5,
            "seg": seg,
            "g": g,
            "cv": cv,
        }
        for (
            rid,
            cp,
            ded,
            cls,
            pen,
            stopped,
            d0,
            d1,
            v,
            p,
            r,
            bs,
            ms,
            fs,
            rank,
            st,
            t,
            adj,
            prev,
            new,
            ss,
            stars,
            s5,
            seg,
            g,
            cv,
        ) in zip(*columns, strict=True)
    ]
