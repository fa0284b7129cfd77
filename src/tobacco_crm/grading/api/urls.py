"""Routes of the grading API; `tobacco_crm.api_urls` merges every app's router."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("grades", views.RetailerGradeViewSet, basename="api-grade")
router.register("grading-runs", views.GradingRunViewSet, basename="api-grading-run")
router.register("deductions", views.DeductionViewSet, basename="api-deduction")
router.register("appeals", views.AppealViewSet, basename="api-appeal")

urlpatterns = router.urls
