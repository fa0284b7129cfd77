"""Scarce supply in the demo: this week's plan for the scarce products (紧俏), simulated and
published through the services, so that a newcomer sees limits with their reasons on every
retailer page, the per-tier limit table, and order entry refusing a line over its limit.

About half a carton per graded retailer of each product, by rules a county company uses:
tier limits (按档位, linear or by a table of tier weights for class A and B retailers) for
some products, shares of each retailer's history weighted by tier (按比例 × 档位, 组合投放)
with a per-retailer maximum for the others.

Idempotent on a rebuild: the week's period is found again and the new plan supersedes a plan
published there by an earlier build.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tobacco_crm.accounts.models import User
from tobacco_crm.grading.selectors import run_in_force
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.products.models import Product
from tobacco_crm.supply import services
from tobacco_crm.supply.choices import Basis
from tobacco_crm.supply.models import SupplyPlan

#: Cartons available per graded retailer, product by product (cycled).
SHARES = (0.5, 0.3, 0.4, 0.2)
#: The rule of each product (cycled): basis, engine options, eligibility filters.
RULES: tuple[tuple[str, dict[str, Any], dict[str, list[str]]], ...] = (
    (Basis.TIER, {}, {}),
    (
        Basis.TIER,
        {
            "tier_weights": {"policy": "table", "table": {"1": 1, "10": 2, "20": 3, "25": 4}},
            "max_per_retailer": 5,
        },
        {"compliance_classes": ["A", "B"]},
    ),
    (Basis.RATIO, {"tier_weights": {"policy": "linear"}, "max_per_retailer": 6}, {}),
    (Basis.RATIO, {"max_per_retailer": 3}, {"compliance_classes": ["A"]}),
)


def create_demo_supply(*, end_date: date, admin: User) -> SupplyPlan | None:
    """Plan, simulate and publish the scarce products of the week holding `end_date`;
    returns the published plan (None without a published grading run or scarce products)."""
    run = run_in_force()
    products = list(Product.objects.filter(status=ProductStatus.SCARCE).order_by("code"))
    if run is None or not products:
        return None
    graded = run.grades.count()
    period = services.supply_period_for(day=end_date)
    plan = services.supply_plan_create(
        period=period, name=f"{period.code} 紧俏卷烟投放（演示）", actor=admin
    )
    for index, product in enumerate(products):
        basis, rule, eligibility = RULES[index % len(RULES)]
        services.supply_plan_line_set(
            plan=plan, product=product, basis=basis, rule=rule, eligibility=eligibility,
            available=max(1, round(graded * SHARES[index % len(SHARES)])), actor=admin,
        )  # fmt: skip
    services.supply_plan_simulate(plan=plan, actor=admin)
    return services.supply_plan_publish(plan=plan, actor=admin)
