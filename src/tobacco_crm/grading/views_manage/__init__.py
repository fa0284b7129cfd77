"""The management side of grading (the marketing manager's screens): overview, policies,
periods, runs and their grades, appeals. Every screen requires `manages_grading` (else 403);
reads come from selectors (and `reads`), writes from `grading.services`."""

from .appeals import AppealListView, AppealReviewView
from .overview import HomeView, PeriodCreateView, PeriodListView
from .policies import (
    PolicyCreateView,
    PolicyDetailView,
    PolicyEditView,
    PolicyExportView,
    PolicyImportView,
    PolicyListView,
)
from .runs import (
    RunDetailView,
    RunDiscardView,
    RunExportView,
    RunGradesView,
    RunListView,
    RunPublishView,
    RunStartView,
)

__all__ = [
    "AppealListView",
    "AppealReviewView",
    "HomeView",
    "PeriodCreateView",
    "PeriodListView",
    "PolicyCreateView",
    "PolicyDetailView",
    "PolicyEditView",
    "PolicyExportView",
    "PolicyImportView",
    "PolicyListView",
    "RunDetailView",
    "RunDiscardView",
    "RunExportView",
    "RunGradesView",
    "RunListView",
    "RunPublishView",
    "RunStartView",
]
