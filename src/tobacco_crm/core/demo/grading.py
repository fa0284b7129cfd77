"""Grading in the demo: the published 35/55/10 policy, the quarters around the build date,
some inspectors' deductions, and a published run for the last complete quarter, so that a
newcomer sees grades and their explanations on every retailer page.

Idempotent on a rebuild: the policy and periods are found again by name and code.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from tobacco_crm.accounts.models import User
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.grading import services
from tobacco_crm.grading.models import GradingPeriod, GradingPolicy
from tobacco_crm.retailers.models import Retailer

DEMO_POLICY_NAME = "演示县客户分类分级办法"
DEDUCTION_SHARE = 0.06


def quarter_of(day: date) -> tuple[str, date, date]:
    """The code (e.g. 2026Q3), first and last day of the quarter holding `day`."""
    quarter = (day.month - 1) // 3
    start = date(day.year, 3 * quarter + 1, 1)
    following = date(day.year + 1, 1, 1) if quarter == 3 else date(day.year, 3 * quarter + 4, 1)
    return f"{day.year}Q{quarter + 1}", start, following - timedelta(days=1)


def _period(day: date, actor: User) -> GradingPeriod:
    code, start, end = quarter_of(day)
    found = GradingPeriod.objects.filter(code=code).first()
    if found is not None:
        return found
    name = f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return services.grading_period_create(
        code=code, name=name, start_date=start, end_date=end, actor=actor
    )


def create_demo_grading(*, end_date: date, seed: int, admin: User, inspectors: list[User]) -> int:
    """Set up grading for the demo and publish the last complete quarter; returns the number
    of retailers graded (0 when there is nothing to grade)."""
    policy = GradingPolicy.objects.filter(name=DEMO_POLICY_NAME).order_by("-version").first()
    if policy is None:
        policy = services.grading_policy_save(
            name=DEMO_POLICY_NAME, data=EnginePolicy().to_dict(), actor=admin,
            note="公开的 35/55/10 计分办法（演示）",
        )  # fmt: skip
    _this_code, this_start, _ = quarter_of(end_date)
    last = _period(this_start - timedelta(days=1), admin)
    _period(end_date, admin)  # the open quarter, for new deductions and indicators
    if not last.locked:  # a rebuild finds the quarter already published and locked
        _record_deductions(period=last, policy=policy, seed=seed, inspectors=inspectors)
    run = services.grading_run_start(period=last, policy=policy, actor=admin)
    services.grading_run_publish(run=run, actor=admin)
    return run.retailer_count


def _record_deductions(
    *, period: GradingPeriod, policy: GradingPolicy, seed: int, inspectors: list[User]
) -> None:
    """A few deductions by the inspectors of each retailer's territory, mostly minor."""
    rng = np.random.default_rng([seed, 4004])
    items = services.engine_policy(policy).compliance.items
    minor = [item for item in items if not item.stops_supply]
    first_inspector: dict[int, int] = {}
    for pk, inspector_id in Retailer.objects.order_by("pk", "territory__inspectors").values_list(
        "pk", "territory__inspectors"
    ):
        first_inspector.setdefault(pk, inspector_id)
    rows = sorted(first_inspector.items())
    span = (period.end_date - period.start_date).days
    for pk, inspector_id in rows:
        if inspector_id is None or rng.random() >= DEDUCTION_SHARE:
            continue
        inspector = next(u for u in inspectors if u.pk == inspector_id)
        pool = items if rng.random() < 0.05 else minor
        item = pool[int(rng.integers(len(pool)))]
        services.deduction_record(
            retailer=Retailer(pk=pk), period=period, policy=policy, item_code=item.code,
            points=None, reason=f"检查发现：{item.label}", actor=inspector,
            occurred_on=period.start_date + timedelta(days=int(rng.integers(span + 1))),
            explained=bool(rng.random() < 0.7), note="",
        )  # fmt: skip
