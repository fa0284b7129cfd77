"""The grading API: scoping (404 outside, 400 for an out-of-scope value), deductions recorded
by inspectors (403 for other roles), explanations, runs, appeals, and no N+1 on grades."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.engines.grading import TierSettings
from tobacco_crm.grading import services
from tobacco_crm.grading.choices import RunStatus
from tobacco_crm.grading.models import Appeal, Deduction, GradeAdjustment, GradingRun
from tobacco_crm.orders.models import RetailerMonthlySales

pytestmark = pytest.mark.django_db

Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def add_sales(retailer, cartons: int) -> None:
    RetailerMonthlySales.objects.bulk_create(
        RetailerMonthlySales(
            retailer=retailer,
            month=dt.date(2026, m, 1),
            cartons=cartons,
            amount=Decimal(cartons * 200),
            product_count=cartons // 10,
            premium_cartons=cartons // 4,
            order_count=4,
        )
        for m in (4, 5, 6, 7, 8, 9)
    )


@pytest.fixture
def setup(marketing_manager, inspector, territory_a, territory_b):
    """Two retailers of manager A, one of manager B; the inspector works in territory A.
    One published run of 2026Q3; a deduction for A's first retailer counts in it."""
    policy = services.grading_policy_save(
        name="默认政策",
        data=EnginePolicy(tiers=TierSettings(count=4)).to_dict(),
        actor=marketing_manager,
    )
    period = services.grading_period_create(
        code="2026Q3", name="2026 年三季度", start_date=Q3[0], end_date=Q3[1],
        actor=marketing_manager,
    )  # fmt: skip
    a1, a2 = RetailerFactory.create_batch(2, territory=territory_a)
    b1 = RetailerFactory(territory=territory_b)
    for shop, cartons in ((a1, 300), (a2, 200), (b1, 100)):
        add_sales(shop, cartons)
    territory_a.inspectors.add(inspector)
    deduction = services.deduction_record(
        retailer=a1, period=period, policy=policy, item_code="sell_to_minor", points=None,
        reason="向未成年人售烟", occurred_on=dt.date(2026, 8, 3), actor=inspector,
    )  # fmt: skip
    run = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    services.grading_run_publish(run=run, actor=marketing_manager)
    later = services.grading_period_create(
        code="2026Q4", name="2026 年四季度", start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 12, 31), actor=marketing_manager,
    )  # fmt: skip
    return {
        "policy": policy, "period": period, "later": later, "run": run, "a1": a1, "a2": a2,
        "b1": b1, "deduction": deduction,
    }  # fmt: skip


def grade_of(setup, shop):
    return setup["run"].grades.get(retailer=shop)


def test_url_names():
    assert reverse("api-grade-list") == "/api/grades/"
    assert reverse("api-grade-explanation", args=[3]) == "/api/grades/3/explanation/"
    assert reverse("api-grading-run-list") == "/api/grading-runs/"
    assert reverse("api-deduction-list") == "/api/deductions/"
    assert reverse("api-deduction-correct", args=[3]) == "/api/deductions/3/correct/"
    assert reverse("api-appeal-list") == "/api/appeals/"
    assert reverse("api-appeal-review", args=[3]) == "/api/appeals/3/review/"


def test_anonymous_is_refused(setup):
    for url in ("/api/grades/", "/api/grading-runs/", "/api/deductions/", "/api/appeals/"):
        assert APIClient().get(url).status_code in (401, 403)


# Grades ---------------------------------------------------------------------------------


def test_grades_are_scoped_to_the_callers_retailers(
    setup, manager_a, manager_b, marketing_manager, inspector
):
    a1, a2, b1 = (grade_of(setup, setup[k]) for k in ("a1", "a2", "b1"))

    assert ids(client_for(manager_a).get("/api/grades/")) == {a1.pk, a2.pk}
    assert ids(client_for(manager_b).get("/api/grades/")) == {b1.pk}
    assert ids(client_for(inspector).get("/api/grades/")) == {a1.pk, a2.pk}
    assert ids(client_for(marketing_manager).get("/api/grades/")) == {a1.pk, a2.pk, b1.pk}
    client = client_for(manager_a)
    assert client.get(f"/api/grades/{b1.pk}/").status_code == 404
    assert client.get(f"/api/grades/{b1.pk}/explanation/").status_code == 404
    assert client.get(f"/api/grades/{a1.pk}/").json()["retailer"] == setup["a1"].pk


def test_grade_shows_class_tier_and_labels(setup, manager_a):
    grade = grade_of(setup, setup["a1"])

    data = client_for(manager_a).get(f"/api/grades/{grade.pk}/").json()

    assert data["compliance_points"] == 90.0
    assert data["compliance_class"] == "B"
    assert data["compliance_class_display"] == "B 类"
    assert data["tier"] == grade.tier and data["adjusted_tier"] is None
    assert data["period_code"] == "2026Q3" and data["territory_code"] == "TA"
    assert data["segment"] == grade.segment
    assert "row" not in data


def test_grades_in_force_by_default_or_of_a_run(setup, manager_a, marketing_manager):
    dry = services.grading_run_start(
        period=setup["period"], policy=setup["policy"], actor=marketing_manager
    )
    published = setup["run"]
    manager, marketing = client_for(manager_a), client_for(marketing_manager)

    in_force = {g.pk for g in published.grades.all()}
    assert ids(marketing.get("/api/grades/")) == in_force
    assert ids(marketing.get("/api/grades/", {"run": dry.pk})) == {g.pk for g in dry.grades.all()}
    # A dry run is the marketing manager's work: for the others it is no valid value, and
    # its grades are not found.
    response = manager.get("/api/grades/", {"run": dry.pk})
    assert response.status_code == 400 and "run" in response.json()
    dry_grade = dry.grades.get(retailer=setup["a1"])
    assert manager.get(f"/api/grades/{dry_grade.pk}/").status_code == 404
    assert marketing.get(f"/api/grades/{dry_grade.pk}/").status_code == 200


def test_grade_filters(setup, manager_a, marketing_manager, territory_a, territory_b):
    client = client_for(marketing_manager)
    a1, a2, b1 = (grade_of(setup, setup[k]) for k in ("a1", "a2", "b1"))

    assert ids(client.get("/api/grades/", {"territory": territory_a.pk})) == {a1.pk, a2.pk}
    assert ids(client.get("/api/grades/", {"compliance_class": "B"})) == {a1.pk}
    assert ids(client.get("/api/grades/", {"tier": a2.tier})) == {
        g.pk for g in (a1, a2, b1) if g.tier == a2.tier
    }
    assert ids(client.get("/api/grades/", {"segment": b1.segment})) == {
        g.pk for g in (a1, a2, b1) if g.segment == b1.segment
    }
    assert ids(client.get("/api/grades/", {"retailer": setup["b1"].pk})) == {b1.pk}
    ranks = [r["rank"] for r in client.get("/api/grades/?ordering=-rank").json()["results"]]
    assert ranks == sorted(ranks, reverse=True)
    # Another manager's territory is not a valid filter value.
    response = client_for(manager_a).get("/api/grades/", {"territory": territory_b.pk})
    assert response.status_code == 400 and "territory" in response.json()


def test_explanation_shows_the_deduction_with_date_and_reason(setup, manager_a):
    grade = grade_of(setup, setup["a1"])

    response = client_for(manager_a).get(f"/api/grades/{grade.pk}/explanation/")

    assert response.status_code == 200
    data = response.json()
    assert data["retailer_id"] == setup["a1"].pk
    assert data["compliance"]["class"] == "B"
    [item] = data["compliance"]["deductions"]
    assert item["deduction_id"] == setup["deduction"].pk
    assert item["points"] == 10.0
    assert item["occurred_on"] == "2026-08-03"
    assert item["reason"] == "向未成年人售烟"
    assert data["tier"]["tier"] == grade.tier
    assert {c["indicator"] for c in data["business"]["contributions"]} == {
        "cartons", "amount", "product_count", "premium_cartons",
    }  # fmt: skip


def test_grade_list_query_count_does_not_grow(
    setup, marketing_manager, territory_a, django_assert_num_queries
):
    client = client_for(marketing_manager)
    # Session, user, the run in force, count, page (grade ⋈ run ⋈ period ⋈ retailer ⋈
    # territory, with the adjusted tier as a subquery).
    with django_assert_num_queries(5):
        assert client.get("/api/grades/").json()["count"] == 3

    for _ in range(20):
        add_sales(RetailerFactory(territory=territory_a), 50)
    run = services.grading_run_start(
        period=setup["period"], policy=setup["policy"], actor=marketing_manager
    )
    services.grading_run_publish(run=run, actor=marketing_manager)
    services.appeal_review(
        appeal=Appeal.objects.create(
            grade=run.grades.first(), reason="x", raised_by=marketing_manager
        ),
        accept=True, note="同意", new_tier=1, actor=marketing_manager,
    )  # fmt: skip
    with django_assert_num_queries(5):
        data = client.get("/api/grades/").json()
    assert data["count"] == 23
    assert [r["adjusted_tier"] for r in data["results"]].count(1) >= 1


# Runs -----------------------------------------------------------------------------------


def test_runs_all_for_the_marketing_manager_published_for_the_others(
    setup, manager_a, marketing_manager
):
    dry = services.grading_run_start(
        period=setup["period"], policy=setup["policy"], actor=marketing_manager
    )
    published = setup["run"]

    assert ids(client_for(marketing_manager).get("/api/grading-runs/")) == {dry.pk, published.pk}
    assert ids(client_for(manager_a).get("/api/grading-runs/")) == {published.pk}
    assert client_for(manager_a).get(f"/api/grading-runs/{dry.pk}/").status_code == 404
    data = client_for(manager_a).get(f"/api/grading-runs/{published.pk}/").json()
    assert data["status"] == RunStatus.PUBLISHED
    assert data["retailer_count"] == 3
    assert data["summary"]["classes"] == {"A": 2, "B": 1, "C": 0, "W": 0}
    assert sum(data["summary"]["tiers"].values()) == 3
    assert data["policy_version"] == 1 and data["period_code"] == "2026Q3"


# Deductions -----------------------------------------------------------------------------


def deduction_body(setup, **extra):
    return {
        "retailer": setup["a2"].pk,
        "period": setup["later"].pk,
        "item_code": "price_tag",
        "reason": "价签缺失",
        "occurred_on": "2026-10-09",
        **extra,
    }


def test_inspector_records_a_deduction(setup, inspector):
    response = client_for(inspector).post(
        "/api/deductions/", deduction_body(setup, note="柜台", explained=True), format="json"
    )

    assert response.status_code == 201, response.content
    data = response.json()
    deduction = Deduction.objects.get(pk=data["id"])
    assert deduction.inspector == inspector and deduction.period == setup["later"]
    assert data["points"] == "2.0"  # the item's default points
    assert data["item_label"] == "未明码标价"
    assert data["explained"] is True and data["note"] == "柜台"
    assert data["corrected"] is False
    assert deduction.history.get().history_user == inspector
    response = client_for(inspector).post(
        "/api/deductions/", deduction_body(setup, points="3.5"), format="json"
    )
    assert response.json()["points"] == "3.5"


def test_only_inspectors_record_deductions(setup, manager_a, marketing_manager):
    for user in (manager_a, marketing_manager):
        response = client_for(user).post("/api/deductions/", deduction_body(setup), format="json")
        assert response.status_code == 403
    assert Deduction.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"item_code": "no_such_item"}, "item_code"),
        ({"points": "150"}, "points"),
        ({"reason": ""}, "reason"),
        ({"occurred_on": "yesterday"}, "occurred_on"),
        ({"period": "PERIOD_Q3"}, "period"),  # locked by the publication
        ({"retailer": "B1"}, "retailer"),  # out of the inspector's territories
    ],
)
def test_bad_deductions_answer_400_naming_the_field(setup, inspector, change, field):
    placeholders = {"PERIOD_Q3": setup["period"].pk, "B1": setup["b1"].pk}
    body = deduction_body(setup, **{k: placeholders.get(v, v) for k, v in change.items()})

    response = client_for(inspector).post("/api/deductions/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Deduction.objects.count() == 1


def test_deductions_are_scoped(setup, manager_a, manager_b, inspector):
    mine = setup["deduction"]

    assert ids(client_for(manager_a).get("/api/deductions/")) == {mine.pk}
    assert ids(client_for(inspector).get("/api/deductions/")) == {mine.pk}
    assert ids(client_for(manager_b).get("/api/deductions/")) == set()
    assert client_for(manager_b).get(f"/api/deductions/{mine.pk}/").status_code == 404


def test_inspector_corrects_a_deduction_in_a_locked_period(setup, inspector, manager_a):
    original = setup["deduction"]
    url = f"/api/deductions/{original.pk}/correct/"

    assert client_for(manager_a).post(url, {"points": 0, "reason": "x"}).status_code == 403
    response = client_for(inspector).post(url, {"points": "0", "reason": "复查：误判"})

    assert response.status_code == 201, response.content
    assert response.json()["corrects"] == original.pk
    listed = {r["id"]: r for r in client_for(inspector).get("/api/deductions/").json()["results"]}
    assert listed[original.pk]["corrected"] is True
    again = client_for(inspector).post(url, {"points": "1", "reason": "再改"})
    assert again.status_code == 400 and "deduction" in again.json()


# Appeals --------------------------------------------------------------------------------


def test_manager_raises_an_appeal_for_his_retailer(setup, manager_a, manager_b, inspector):
    own, other = grade_of(setup, setup["a2"]), grade_of(setup, setup["b1"])
    body = {"grade": own.pk, "reason": "漏统计了批发单", "requested_tier": 4}

    assert client_for(inspector).post("/api/appeals/", body).status_code == 403
    response = client_for(manager_a).post("/api/appeals/", body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "open" and data["retailer"] == setup["a2"].pk
    assert data["tier"] == own.tier and data["adjusted_tier"] is None
    response = client_for(manager_a).post("/api/appeals/", {"grade": other.pk, "reason": "x"})
    assert response.status_code == 400 and "grade" in response.json()
    assert ids(client_for(manager_b).get("/api/appeals/")) == set()
    assert ids(client_for(manager_a).get("/api/appeals/")) == {data["id"]}


def test_appeal_on_a_dry_run_answers_400(setup, manager_a, marketing_manager):
    dry = services.grading_run_start(
        period=setup["period"], policy=setup["policy"], actor=marketing_manager
    )

    response = client_for(manager_a).post(
        "/api/appeals/", {"grade": dry.grades.get(retailer=setup["a1"]).pk, "reason": "偏低"}
    )

    assert response.status_code == 400 and "grade" in response.json()


def test_marketing_manager_reviews_an_appeal(setup, manager_a, marketing_manager):
    grade = grade_of(setup, setup["a2"])
    appeal = services.appeal_raise(grade=grade, reason="偏低", actor=manager_a, requested_tier=1)
    url = f"/api/appeals/{appeal.pk}/review/"

    assert client_for(manager_a).post(url, {"accept": True, "note": "x"}).status_code == 403
    response = client_for(marketing_manager).post(url, {"accept": True, "note": "属实"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert response.json()["adjusted_tier"] == 1
    adjustment = GradeAdjustment.objects.get()
    assert (adjustment.old_tier, adjustment.new_tier) == (grade.tier, 1)
    again = client_for(marketing_manager).post(url, {"accept": False, "note": "x"})
    assert again.status_code == 400 and "status" in again.json()
    grades = client_for(manager_a).get("/api/grades/").json()["results"]
    assert {r["id"]: r["adjusted_tier"] for r in grades}[grade.pk] == 1
    assert GradingRun.objects.get(pk=setup["run"].pk).status == RunStatus.PUBLISHED
