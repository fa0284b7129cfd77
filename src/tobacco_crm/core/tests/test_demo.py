"""Tests of the demo county (tobacco_crm.core.demo) and the `demo` command."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import numpy as np
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum

from tobacco_crm.accounts.choices import Role
from tobacco_crm.accounts.models import Territory, User
from tobacco_crm.core.demo import DemoOptions, DemoResult, build_demo, flush_demo
from tobacco_crm.core.demo.archive import generate_retailers
from tobacco_crm.core.demo.census import CENSUS_FORMATS, CENSUS_HOURS, CENSUS_MARKET_TYPES
from tobacco_crm.core.demo.flush import DEMO_COMPANY_CODE
from tobacco_crm.core.demo.geography import SANTAI, Zone, partition_territories
from tobacco_crm.core.demo.names import chinese_number
from tobacco_crm.core.demo.orders import last_complete_week_end
from tobacco_crm.core.demo.products import CATALOGUE, price_class_of
from tobacco_crm.orders.models import Order, OrderLine
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer

# "Today" is Wednesday 2025-03-05: ten complete weeks run from Monday 2024-12-23 to Sunday
# 2025-03-02 and hold the Spring Festival of Wednesday 2025-01-29.
END = date(2025, 3, 5)
SPRING_FESTIVAL = date(2025, 1, 29)
SMALL = {"retailers": 120, "managers": 3, "seed": 7, "weeks": 10, "end_date": END}


def _build(**overrides: object) -> DemoResult:
    return build_demo(DemoOptions(**{**SMALL, **overrides}))  # type: ignore[arg-type]


def _snapshot() -> tuple[list, list, dict]:
    retailers = list(
        Retailer.objects.order_by("license_no").values_list(
            "license_no", "shop_name", "owner_name", "phone", "address", "latitude", "longitude",
            "business_format", "status", "territory__code", "territory__name",
        )
    )  # fmt: skip
    orders = list(
        Order.objects.order_by("retailer__license_no", "order_date").values_list(
            "retailer__license_no", "order_date", "total_cartons", "total_amount"
        )
    )
    lines = OrderLine.objects.aggregate(n=Count("id"), cartons=Sum("cartons"), amount=Sum("amount"))
    return retailers, orders, lines


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_county():
    _build()
    first = _snapshot()
    assert len(first[0]) == 120 and first[1]
    flush_demo(include_users=True)
    assert not Retailer.objects.exists() and not Order.objects.exists()
    assert not User.objects.filter(username="cm01").exists()
    _build()
    assert _snapshot() == first
    flush_demo(include_users=True)
    _build(seed=8)
    assert _snapshot()[0] != first[0]


@pytest.mark.django_db
def test_every_retailer_is_valid_unique_and_has_a_history_record():
    result = _build()
    retailers = list(Retailer.objects.all())
    assert len(retailers) == result.retailers == 120
    for retailer in retailers:
        retailer.full_clean()
        assert re.fullmatch(r"\d{12}", retailer.license_no)
        assert re.fullmatch(r"1[3-9]\d{9}", retailer.phone)
        assert retailer.latitude == retailer.latitude.quantize(Decimal("0.000001"))
        assert SANTAI.lat_range[0] <= retailer.latitude <= SANTAI.lat_range[1]
        assert SANTAI.lon_range[0] <= retailer.longitude <= SANTAI.lon_range[1]
        assert (
            retailer.class_code
            == f"{retailer.market_type}{retailer.business_format}{retailer.scale}"
        )
        assert retailer.address.startswith("三台县")
    assert len({r.license_no for r in retailers}) == len({r.phone for r in retailers}) == 120
    history = Retailer.history.model.objects  # type: ignore[attr-defined]
    assert history.count() == 120
    assert set(history.values_list("id", flat=True)) == {r.pk for r in retailers}
    assert set(history.values_list("history_change_reason", flat=True)) == {"演示数据"}


@pytest.mark.django_db
def test_each_territory_has_one_manager_and_an_inspector():
    _build()
    territories = list(Territory.objects.filter(company__code=DEMO_COMPANY_CODE))
    assert len(territories) == 3
    managers = [t.customer_manager for t in territories]
    assert all(m is not None and m.role == Role.CUSTOMER_MANAGER for m in managers)
    assert sorted(m.username for m in managers) == ["cm01", "cm02", "cm03"]
    for territory in territories:
        assert territory.inspectors.count() == 1
        assert territory.retailers.count() == 40
        assert territory.name.endswith("片区")
    covered = Counter(
        t.code for name in ("inspector01", "inspector02")
        for t in User.objects.get(username=name).inspected_territories.all()
    )  # fmt: skip
    assert sorted(covered) == sorted(t.code for t in territories)


@pytest.mark.django_db
def test_small_build_follows_the_census():
    _build()
    formats = Counter(Retailer.objects.values_list("business_format", flat=True))
    assert formats.most_common(1)[0][0] == "Z"
    assert formats["Z"] / 120 > 0.7
    assert formats["Q"] / 120 <= 0.05
    statuses = Counter(Retailer.objects.values_list("status", flat=True))
    assert statuses["normal"] / 120 > 0.95


def test_census_shares_at_scale():
    table = generate_retailers(seed=3, n=20_000, territories=10, end_date=END)
    census_zones = table.zone != Zone.SEAT_CORE  # the seat's centre blends in an urban profile
    active = table.status == "normal"
    formats = Counter(table.business_format[census_zones & active].tolist())
    total = sum(formats.values())
    for code in CENSUS_FORMATS.codes:
        assert abs(formats[code] / total - CENSUS_FORMATS.share(code)) < 0.01, code
    assert formats["B"] == formats["S"] == 0
    everywhere = Counter(table.business_format.tolist())
    assert 0.82 < everywhere["Z"] / 20_000 < 0.9
    assert everywhere["Q"] / 20_000 <= 0.05
    urban = float(np.mean(table.market_type == "C"))
    assert abs(urban - CENSUS_MARKET_TYPES.share("C")) < 0.02
    minutes = (table.closes_minute - table.opens_minute) % (24 * 60)
    hours = np.where(minutes == 0, 24 * 60, minutes)[census_zones] / 60
    assert abs(np.mean(hours >= 16) - CENSUS_HOURS.share("16_plus")) < 0.02
    assert abs(np.mean(hours < 12) - CENSUS_HOURS.share("under_12")) < 0.01
    assert abs(np.mean(table.status != "normal") - 2 / 214) < 0.004
    assert abs(np.mean(table.scale == 1) - 0.2) < 0.01
    # Scale ranks the size within the format; business scale is absolute.
    level = table.demand.level
    for code in set(table.business_format.tolist()):
        of_format = table.business_format == code
        by_scale = [level[of_format & (table.scale == s)] for s in (1, 2, 3)]
        assert all(a.min() >= b.max() for a, b in pairwise(by_scale) if a.size and b.size)
    groceries = table.business_format == "Z"
    assert set(table.business_scale[groceries & (table.scale == 3)].tolist()) == {"small"}
    assert "large" in set(table.business_scale[groceries & (table.scale == 1)].tolist())


@pytest.mark.django_db
def test_products_cover_the_price_classes_consistently():
    result = _build(weeks=0)
    products = list(Product.objects.filter(code__startswith="DEMO-"))
    assert result.products == len(products) == len(CATALOGUE) == 60
    assert {p.price_class for p in products} == {1, 2, 3, 4, 5}
    for product in products:
        product.full_clean()
        assert product.price_class == price_class_of(product.wholesale_price)
        assert product.retail_price > product.wholesale_price
    statuses = Counter(p.status for p in products)
    assert statuses["scarce"] and statuses["new"] and statuses["cultivated"]
    assert 1 <= statuses["stopped"] <= 2
    assert {p.brand for p in products} >= {
        "中华",
        "娇子",
        "玉溪",
        "云烟",
        "芙蓉王",
        "黄鹤楼",
        "利群",
    }
    assert Product.history.model.objects.count() == 60  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_orders_add_up_and_respect_the_calendar():
    result = _build()
    assert result.orders == Order.objects.count() > 0
    assert result.order_lines == OrderLine.objects.count()
    mismatched = Order.objects.annotate(
        line_cartons=Sum("lines__cartons"), line_amount=Sum("lines__amount")
    ).exclude(total_cartons=F("line_cartons"))
    assert not mismatched.exists()
    for order in Order.objects.annotate(line_amount=Sum("lines__amount")):
        assert order.total_amount == order.line_amount
    assert not OrderLine.objects.exclude(
        Q(retailer=F("order__retailer")) & Q(order_date=F("order__order_date"))
    ).exists()
    for cartons, amount, price in OrderLine.objects.values_list(
        "cartons", "amount", "product__wholesale_price"
    ):
        assert amount == cartons * price
    last_sunday = date(2025, 3, 2)
    first_monday = last_sunday - timedelta(weeks=10) + timedelta(days=1)
    dates = set(Order.objects.values_list("order_date", flat=True))
    assert min(dates) >= first_monday and max(dates) <= last_sunday
    assert all(d.weekday() < 5 for d in dates)
    # One order per retailer and week; inactive retailers stop ordering.
    weeks = Counter(
        (r, (d - first_monday).days // 7)
        for r, d in Order.objects.values_list("retailer", "order_date")
    )
    assert max(weeks.values()) == 1
    # Stopped products are not ordered after their stop.
    stopped = Product.objects.get(brand="钻石", name="硬红")
    assert not OrderLine.objects.filter(
        product=stopped, order_date__gte=last_sunday - timedelta(weeks=6, days=6)
    ).exists()


@pytest.mark.django_db
def test_orders_peak_before_the_spring_festival():
    _build()
    weekly: Counter[date] = Counter()
    for day, cartons in Order.objects.values_list("order_date", "total_cartons"):
        weekly[day - timedelta(days=day.weekday())] += cartons
    average = sum(weekly.values()) / len(weekly)
    before = [
        weekly[monday]
        for monday in weekly
        if timedelta(days=1) <= SPRING_FESTIVAL - monday <= timedelta(days=21)
    ]
    assert len(before) == 3
    assert sum(before) / len(before) > 1.25 * average
    busiest = max(weekly, key=lambda monday: weekly[monday])
    assert timedelta(0) < SPRING_FESTIVAL - busiest <= timedelta(days=21)


@pytest.mark.django_db
def test_premium_classes_go_to_bigger_urban_shops():
    _build(retailers=300, weeks=6, end_date=date(2025, 6, 18))
    rows = OrderLine.objects.values("retailer__market_type", "product__price_class").annotate(
        cartons=Sum("cartons")
    )
    by_market: dict[str, Counter[int]] = {"C": Counter(), "X": Counter()}
    for row in rows:
        by_market[row["retailer__market_type"]][row["product__price_class"]] += row["cartons"]

    def premium_share(counts: Counter[int]) -> float:
        return (counts[1] + counts[2]) / sum(counts.values())

    assert premium_share(by_market["C"]) > premium_share(by_market["X"]) + 0.05


@pytest.mark.django_db
def test_command_refuses_skips_and_flushes():
    args = ["--retailers=60", "--managers=2", "--weeks=2", "--end-date=2025-03-05", "--quiet"]
    out = StringIO()
    call_command("demo", *args, stdout=out)
    assert "零售户 60" in out.getvalue() and "cm01" in out.getvalue()
    licenses = set(Retailer.objects.values_list("license_no", flat=True))

    with pytest.raises(CommandError, match="--if-empty"):
        call_command("demo", *args, stdout=StringIO())

    out = StringIO()
    call_command("demo", *args, "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    assert "demo12345" in out.getvalue() and "inspector02" in out.getvalue()
    assert Retailer.objects.count() == 60

    call_command("demo", *args, "--flush", stdout=StringIO())
    assert set(Retailer.objects.values_list("license_no", flat=True)) == licenses
    assert Territory.objects.count() == 2


@pytest.mark.django_db
def test_demo_logins_work():
    _build(weeks=0)
    expected = {
        "cm01": Role.CUSTOMER_MANAGER,
        "cm03": Role.CUSTOMER_MANAGER,
        "inspector01": Role.INSPECTOR,
        "inspector02": Role.INSPECTOR,
        "marketing": Role.MARKETING_MANAGER,
        "ordertaker": Role.ORDER_TAKER,
        "admin": Role.ADMIN,
    }
    for username, role in expected.items():
        user = authenticate(username=username, password="demo12345")
        assert user is not None, username
        assert user.role == role
        assert user.display_name
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert authenticate(username="cm01", password="wrong") is None


@pytest.mark.django_db
def test_an_existing_account_keeps_its_password():
    User.objects.create_user(username="admin", password="own-secret-1", is_superuser=True)
    result = _build(weeks=0)
    assert result.users_kept == ["admin"]
    assert authenticate(username="admin", password="own-secret-1") is not None
    assert User.objects.get(username="admin").role == Role.ADMIN


def test_partition_gives_equal_compact_territories():
    rng = np.random.default_rng(0)
    lat = 31 + rng.normal(0, 0.1, 1001)
    lon = 105 + rng.normal(0, 0.1, 1001)
    for parts in (1, 3, 7, 16):
        sizes = np.bincount(partition_territories(lat, lon, parts), minlength=parts)
        assert sizes.size == parts and sizes.max() - sizes.min() <= 1


def test_the_last_week_is_the_last_complete_one():
    assert last_complete_week_end(date(2025, 3, 3)) == date(2025, 3, 2)  # Monday
    assert last_complete_week_end(date(2025, 3, 2)) == date(2025, 2, 23)  # Sunday
    assert last_complete_week_end(date(2025, 3, 5)) == date(2025, 3, 2)


def test_chinese_numbers():
    assert [chinese_number(i) for i in (1, 10, 12, 20, 35, 105)] == [
        "一", "十", "十二", "二十", "三十五", "一百零五",
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_last_complete_quarter_is_graded_and_published():
    from tobacco_crm.grading.choices import RunStatus
    from tobacco_crm.grading.models import Deduction, GradingRun

    result = _build(weeks=30)

    run = GradingRun.objects.get(status=RunStatus.PUBLISHED)
    assert (run.period.code, run.period.locked) == ("2024Q4", True)
    assert result.graded == run.retailer_count == 120
    assert run.grades.filter(rank=1).count() == 1
    assert Deduction.objects.filter(period=run.period).exists()
    assert run.summary["classes"]["A"] > 0


@pytest.mark.django_db
def test_this_weeks_scarce_supply_is_published_with_limits():
    from tobacco_crm.supply.choices import AllocationReason, PlanStatus
    from tobacco_crm.supply.models import RetailerLimit, SupplyPlan
    from tobacco_crm.supply.services import week_of

    _build(weeks=30)

    plan = SupplyPlan.objects.get(status=PlanStatus.PUBLISHED)
    assert plan.period.code == week_of(END)[0] == "2025-W10"
    scarce = set(Product.objects.filter(status="scarce").values_list("pk", flat=True))
    assert set(plan.lines.values_list("product_id", flat=True)) == scarce
    assert {line.basis for line in plan.lines.all()} >= {"tier", "ratio"}
    limits = RetailerLimit.objects.filter(plan=plan)
    assert limits.filter(limit__gt=0).values("retailer").distinct().count() > 20
    for line in plan.lines.all():
        given = sum(limits.filter(product=line.product).values_list("limit", flat=True))
        assert 0 < given == line.summary["total"] <= line.available
    assert set(limits.values_list("reason", flat=True)) <= set(AllocationReason.values)
    assert plan.summary["graded_retailers"] == plan.grading_run.retailer_count
