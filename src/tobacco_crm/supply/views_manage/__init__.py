"""The supply screens (货源投放): the marketing manager's plans (lines, Excel import,
simulation report, publishing) behind `manages_supply` (else 403), and what every signed-in
user may read of a published plan (the per-tier limit table, the limits export). Reads come
from `supply.selectors`, writes from `supply.services`."""

from .imports import PlanImportView, PlanTemplateView
from .overview import HomeView, PlanCreateView
from .plans import (
    LineDeleteView,
    LineEditView,
    PlanDetailView,
    PublishView,
    SimulateView,
    TerritoriesView,
)
from .public import LimitsExportView, TierTableView

__all__ = [
    "HomeView",
    "LimitsExportView",
    "LineDeleteView",
    "LineEditView",
    "PlanCreateView",
    "PlanDetailView",
    "PlanImportView",
    "PlanTemplateView",
    "PublishView",
    "SimulateView",
    "TerritoriesView",
    "TierTableView",
]
