"""Territory re-division: proposal figures, applying (moves + history with the actor), stale
proposals refused, all-or-nothing apply, the screens and their permission."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tobacco_crm.core.tests.factories import RetailerFactory, TerritoryFactory
from tobacco_crm.retailers.models import Retailer
from tobacco_crm.territories import adapters, services
from tobacco_crm.territories.models import RedivisionProposal

pytestmark = pytest.mark.django_db

K = 4
PER_TOWN = 30


@pytest.fixture
def county(company):
    """Four territories; 120 retailers in four towns around (30.57, 104.06), dealt to the
    territories round-robin (so a re-division has something to fix)."""
    territories = [TerritoryFactory(company=company, code=f"Q{j}") for j in range(K)]
    rng = np.random.default_rng(7)
    towns = [(30.50, 104.00), (30.50, 104.15), (30.62, 104.00), (30.62, 104.15)]
    retailers = []
    for t, (lat, lon) in enumerate(towns):
        for i in range(PER_TOWN):
            dlat, dlon = rng.normal(0, 0.01, 2)
            retailers.append(
                RetailerFactory(
                    territory=territories[(t + i) % K],
                    latitude=Decimal(f"{lat + dlat:.6f}"),
                    longitude=Decimal(f"{lon + dlon:.6f}"),
                )
            )
    return territories, retailers


def assignment(retailers):
    return dict(
        Retailer.objects.filter(pk__in=[r.pk for r in retailers]).values_list("pk", "territory_id")
    )


def test_projection_is_equirectangular_km():
    xy = adapters.project([30.0, 30.0, 31.0], [104.0, 105.0, 104.0])
    assert xy.mean(axis=0) == pytest.approx([0, 0], abs=1e-9)
    # One degree of latitude ≈ 111.2 km; of longitude at ~30.3° ≈ 96 km.
    assert xy[2, 1] - xy[0, 1] == pytest.approx(111.19, rel=1e-3)
    assert xy[1, 0] - xy[0, 0] == pytest.approx(111.19 * np.cos(np.radians(30 + 1 / 3)), rel=1e-3)


def test_proposal_figures_are_balanced_and_nothing_moves(county, company, marketing_manager):
    territories, retailers = county
    before = assignment(retailers)
    proposal = services.redivision_propose(company=company, actor=marketing_manager)
    assert proposal.k == K
    assert len(proposal.rows) == len(retailers)
    after = proposal.figures["after"]
    assert after["max_workload_dev_pct"] <= 5.0 + 1e-6
    assert after["empty_territories"] == 0
    assert after["distance_sum_km"] < proposal.figures["before"]["distance_sum_km"]
    # Default workload: no grade in force → every 2 weeks × 15 minutes = 7.5 min/week.
    assert {row[5] for row in proposal.rows} == {7.5}
    assert {row[2] for row in proposal.rows} <= {t.pk for t in territories}
    assert proposal.moved_count == sum(1 for row in proposal.rows if row[1] != row[2]) > 0
    assert assignment(retailers) == before


def test_apply_moves_retailers_and_writes_history(county, company, marketing_manager):
    _territories, retailers = county
    proposal = services.redivision_propose(company=company, actor=marketing_manager)
    moved = services.redivision_apply(proposal=proposal, actor=marketing_manager)
    assert moved == proposal.moved_count
    assert assignment(retailers) == {row[0]: row[2] for row in proposal.rows}
    proposal.refresh_from_db()
    assert proposal.applied_by == marketing_manager and proposal.applied_at is not None
    for pk, old_t, new_t, *_ in proposal.rows:
        if old_t != new_t:
            record = Retailer.objects.get(pk=pk).history.latest()
            assert record.history_user == marketing_manager
            assert f"#{proposal.pk}" in record.history_change_reason
    with pytest.raises(ValidationError):
        services.redivision_apply(proposal=proposal, actor=marketing_manager)


def test_stale_proposal_is_refused(county, company, marketing_manager):
    territories, retailers = county
    proposal = services.redivision_propose(company=company, actor=marketing_manager)
    first = Retailer.objects.get(pk=retailers[0].pk)
    first.territory = (
        territories[-1] if first.territory_id != territories[-1].pk else territories[0]
    )
    first.save()
    before = assignment(retailers)
    with pytest.raises(ValidationError, match="过期"):
        services.redivision_apply(proposal=proposal, actor=marketing_manager)
    assert assignment(retailers) == before
    proposal.refresh_from_db()
    assert proposal.applied_at is None


def test_failing_apply_writes_nothing(county, company, marketing_manager, monkeypatch):
    _territories, retailers = county
    proposal = services.redivision_propose(company=company, actor=marketing_manager)
    before = assignment(retailers)
    history_before = Retailer.history.count()
    real = services.retailers_reassign_territory
    calls = []

    def fail_second(**kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(services, "retailers_reassign_territory", fail_second)
    with pytest.raises(RuntimeError):
        services.redivision_apply(proposal=proposal, actor=marketing_manager)
    assert len(calls) == 2
    assert assignment(retailers) == before
    assert Retailer.history.count() == history_before
    proposal.refresh_from_db()
    assert proposal.applied_at is None and proposal.applied_by is None


def test_services_require_the_marketing_manager(county, company, manager_a, marketing_manager):
    with pytest.raises(PermissionDenied):
        services.redivision_propose(company=company, actor=manager_a)
    proposal = services.redivision_propose(company=company, actor=marketing_manager)
    with pytest.raises(PermissionDenied):
        services.redivision_apply(proposal=proposal, actor=manager_a)


def test_screens_forbidden_to_other_roles(client, county, company, manager_a, marketing_manager):
    proposal = services.redivision_propose(company=company, actor=marketing_manager)
    client.force_login(manager_a)
    assert client.get(reverse("territories-home")).status_code == 403
    assert client.get(reverse("territories-proposal", args=[proposal.pk])).status_code == 403
    assert client.post(reverse("territories-apply", args=[proposal.pk])).status_code == 403
    proposal.refresh_from_db()
    assert proposal.applied_at is None


def test_screens_compute_preview_and_apply(client, county, company, marketing_manager):
    territories, retailers = county
    client.force_login(marketing_manager)
    home = client.get(reverse("territories-home"))
    assert home.status_code == 200
    assert territories[0].code in home.content.decode()
    response = client.post(
        reverse("territories-home"),
        {"k": K, "minutes_per_visit": 15, "tolerance_pct": 5, "seed": 0},
    )
    proposal = RedivisionProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("territories-proposal", args=[proposal.pk])
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and page.count("<circle") == len(retailers)
    assert 'id="apply"' in page
    response = client.post(reverse("territories-apply", args=[proposal.pk]))
    assert response.status_code == 302
    assert assignment(retailers) == {row[0]: row[2] for row in proposal.rows}
    page = client.get(reverse("territories-proposal", args=[proposal.pk])).content.decode()
    assert 'id="applied"' in page and 'id="apply"' not in page


def test_k_above_the_territory_count_is_rejected(client, county, marketing_manager):
    client.force_login(marketing_manager)
    response = client.post(
        reverse("territories-home"),
        {"k": K + 1, "minutes_per_visit": 15, "tolerance_pct": 5, "seed": 0},
    )
    assert response.status_code == 200
    assert not RedivisionProposal.objects.exists()


def test_workload_follows_the_segment_in_force(county, company, marketing_manager):
    from tobacco_crm.grading.tests.factories import GradingRunFactory, RetailerGradeFactory

    _territories, retailers = county
    run = GradingRunFactory()
    RetailerGradeFactory(run=run, retailer=retailers[0], segment="top")
    RetailerGradeFactory(run=run, retailer=retailers[1], segment="bottom")
    RetailerGradeFactory(run=run, retailer=retailers[2], segment="volatile")
    data = adapters.read_retailers(company, minutes_per_visit=20)
    workload = dict(zip(data.ids, data.workload.tolist(), strict=True))
    assert workload[retailers[0].pk] == 20.0  # weekly
    assert workload[retailers[1].pk] == 5.0  # every 4 weeks
    assert workload[retailers[2].pk] == 10.0  # every 2 weeks
    assert workload[retailers[3].pk] == 10.0  # no grade: every 2 weeks


def test_apply_releases_open_planned_visits_of_moved_retailers(county, company, marketing_manager):
    """Applying moves open plans with the retailers: a moved retailer's unmade visits leave
    the old manager's plans of this and later weeks; made visits and past weeks stay."""
    import datetime as dt

    from django.utils import timezone

    from tobacco_crm.visits.choices import PlanStatus
    from tobacco_crm.visits.models import PlannedVisit, VisitPlan
    from tobacco_crm.visits.selectors import week_start_of

    territories, retailers = county
    monday = week_start_of(timezone.localdate())
    week = dt.timedelta(days=7)
    weeks = {"past": monday - week, "now": monday, "next": monday + week}
    plans = {
        (t.pk, name): VisitPlan.objects.create(
            manager=t.customer_manager,
            week_start=week,
            status=PlanStatus.CONFIRMED if name == "now" else PlanStatus.DRAFT,
        )
        for t in territories
        for name, week in weeks.items()
    }
    for i, r in enumerate(retailers):
        for name, week in weeks.items():
            PlannedVisit.objects.create(
                plan=plans[(r.territory_id, name)],
                retailer=r,
                day=week,
                visited_at=timezone.now() if (name == "now" and i % 10 == 0) else None,
            )
    proposal = services.redivision_propose(company=company, actor=marketing_manager)
    moved = {pk for pk, old_t, new_t, *_ in proposal.rows if old_t != new_t}
    assert moved
    services.redivision_apply(proposal=proposal, actor=marketing_manager)

    left = set(PlannedVisit.objects.values_list("retailer_id", "plan__week_start", "visited_at"))
    for i, r in enumerate(retailers):
        kept = {(week, v) for rid, week, v in left if rid == r.pk}
        weeks_kept = {week for week, _v in kept}
        if r.pk not in moved:
            assert weeks_kept == set(weeks.values())
        elif i % 10 == 0:  # the visit already made this week stays
            assert weeks_kept == {weeks["past"], weeks["now"]}
        else:
            assert weeks_kept == {weeks["past"]}
    released = sum(1 if i % 10 == 0 else 2 for i, r in enumerate(retailers) if r.pk in moved)
    proposal.refresh_from_db()
    assert proposal.figures["released_visits"] == released
    reason = proposal.history.latest().history_change_reason
    assert f"#{proposal.pk}" in reason and f"释放计划拜访 {released} 条" in reason
