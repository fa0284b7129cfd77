"""Write the demo county into the database: company, logins, territories, products, retailers
(with history) and weekly orders, in one transaction.

Generation is pure NumPy (archive.py, orders.py); this module turns the arrays into rows and
inserts them in batches: retailers through `retailers_bulk_create` (one history record each,
reason 演示数据), products with history, orders with plain `bulk_create` and order lines with
one prepared INSERT over many rows (historic data, no history; see `_insert_lines`), a chunk
of retailers at a time so memory stays bounded whatever the county's size.

The demo data carries markers (flush.py deletes by them): the company coded ``DEMO-510722``,
the products coded ``DEMO-nnn`` and the demo logins (logins.py).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from datetime import time as clock
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import connections, reset_queries, router, transaction
from simple_history.utils import bulk_create_with_history

from tobacco_crm.accounts.choices import Role
from tobacco_crm.accounts.models import Company, Territory, User
from tobacco_crm.orders.choices import OrderStatus
from tobacco_crm.orders.models import Order, OrderLine
from tobacco_crm.orders.services import monthly_sales_refresh
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer
from tobacco_crm.retailers.services import retailers_bulk_create

from .archive import STREAM_ORDERS, RetailerTable, generate_retailers, stream
from .errors import DemoDataExists, DemoError
from .flush import DEMO_COMPANY_CODE, flush_demo
from .geography import SANTAI
from .grading import create_demo_grading
from .logins import create_logins, manager_username
from .names import territory_names
from .orders import (
    OrderArrays,
    catalogue_arrays,
    generate_orders,
    retailers_per_chunk,
    week_calendar,
)
from .products import CATALOGUE, DEMO_PRODUCT_CODES
from .supply import create_demo_supply

DEMO_REASON = "演示数据"
DEMO_COMPANY_NAME = "三台县烟草专卖局（分公司）"
RETAILER_CHUNK = 2000
LINE_BATCH = 20_000
INSERT_BATCH = 2000
MAX_RETAILERS = 999_999

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    retailers: int = 2000
    managers: int = 8
    seed: int = 1
    weeks: int = 56
    end_date: date = field(default_factory=date.today)

    def check(self) -> None:
        if not 1 <= self.retailers <= MAX_RETAILERS:
            raise DemoError(f"--retailers 须在 1 到 {MAX_RETAILERS} 之间。")
        if not 1 <= self.managers <= self.retailers:
            raise DemoError("--managers 须至少为 1，且不多于零售户数。")
        if self.weeks < 0:
            raise DemoError("--weeks 不能为负数。")
        if self.seed < 0:
            raise DemoError("--seed 须为非负整数。")


@dataclass
class DemoResult:
    retailers: int = 0
    history_records: int = 0
    territories: int = 0
    users_created: int = 0
    users_kept: list[str] = field(default_factory=list)
    products: int = 0
    orders: int = 0
    graded: int = 0
    order_lines: int = 0
    cartons: int = 0
    first_week: date | None = None
    last_week_end: date | None = None
    seconds: float = 0.0


def build_demo(
    options: DemoOptions, *, flush: bool = False, progress: Progress | None = None
) -> DemoResult:
    """Build the demo county (see tobacco_crm.core.demo). Refuses (DemoDataExists) when the
    database holds retailers, unless `flush`: then the demo data is deleted first, and the
    build still refuses if other retailers remain."""
    options.check()
    say = progress or (lambda message: None)
    started = time.perf_counter()
    with transaction.atomic():
        existing = Retailer.objects.count()
        if existing and not flush:
            raise DemoDataExists(
                f"数据库中已有 {existing} 个零售户，不生成演示数据。"
                "加 --if-empty 可跳过；加 --flush 可先删除演示数据再重建。"
            )
        # Leftovers of an earlier demo (no retailers, hence no orders) are always cleared.
        flush_demo(include_users=flush)
        remaining = Retailer.objects.count()
        if remaining:
            raise DemoDataExists(
                f"删除演示数据后仍有 {remaining} 个不属于演示数据的零售户，不生成演示数据。"
            )
        result = _build(options, say)
    result.seconds = time.perf_counter() - started
    return result


def _build(options: DemoOptions, say: Progress) -> DemoResult:
    result = DemoResult()
    say(f"生成 {options.retailers} 个零售户的档案 …")
    table = generate_retailers(
        seed=options.seed,
        n=options.retailers,
        territories=options.managers,
        end_date=options.end_date,
    )
    pattern = settings.RETAILER_LICENSE_PATTERN
    if not re.fullmatch(pattern, table.license_no[0]):
        raise DemoError(f"演示许可证号为 12 位数字，与 RETAILER_LICENSE_PATTERN（{pattern}）不符。")
    company = Company.objects.create(
        code=DEMO_COMPANY_CODE,
        name=DEMO_COMPANY_NAME,
        latitude=Decimal(f"{SANTAI.latitude:.6f}"),
        longitude=Decimal(f"{SANTAI.longitude:.6f}"),
    )
    users, result.users_created, result.users_kept = create_logins(
        managers=options.managers, seed=options.seed
    )
    territory_pks = _create_territories(company, table, users, options.managers)
    result.territories = len(territory_pks)
    products = _create_products()
    result.products = len(products)
    retailer_pks = _create_retailers(table, territory_pks, result, say)
    _create_orders(options, table, retailer_pks, products, result, say)
    if result.orders:
        say("汇总月度销量 …")
        monthly_sales_refresh()
        say("上季度分类分级 …")
        result.graded = create_demo_grading(
            end_date=options.end_date,
            seed=options.seed,
            admin=users["admin"],
            inspectors=[u for u in users.values() if u.role == Role.INSPECTOR],
        )
        create_demo_supply(end_date=options.end_date, admin=users["admin"])
    return result


def _create_territories(
    company: Company, table: RetailerTable, users: dict[str, User], managers: int
) -> list[int]:
    labels = territory_names(
        territory=table.territory,
        town=table.town,
        latitude=table.latitude,
        longitude=table.longitude,
        territories=managers,
    )
    inspectors = [users["inspector01"], users["inspector02"]]
    half = math.ceil(managers / 2)
    pks = []
    for index, name in enumerate(labels):
        territory = Territory.objects.create(
            company=company,
            code=f"ST{index + 1:0{max(2, len(str(managers)))}d}",
            name=name,
            customer_manager=users[manager_username(index + 1, managers)],
        )
        # inspector01 has the first half, inspector02 the rest (both share a lone territory).
        assigned = [inspectors[0]] if index < half else [inspectors[1]]
        if managers == 1:
            assigned = inspectors
        territory.inspectors.set(assigned)
        pks.append(territory.pk)
    return pks


def _create_products() -> list[Product]:
    products = [
        Product(
            code=code,
            brand=spec.brand,
            name=spec.name,
            price_class=spec.price_class,
            wholesale_price=spec.wholesale_price,
            retail_price=spec.retail_price,
            status=spec.status,
        )
        for code, spec in zip(DEMO_PRODUCT_CODES, CATALOGUE, strict=True)
    ]
    return bulk_create_with_history(
        products, Product, batch_size=INSERT_BATCH, default_change_reason=DEMO_REASON
    )


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(total, start + size)


def _create_retailers(
    table: RetailerTable, territory_pks: list[int], result: DemoResult, say: Progress
) -> np.ndarray:
    n = len(table)
    pks = np.zeros(n, dtype=np.int64)
    clocks = {m: clock(m // 60, m % 60) for m in range(0, 24 * 60, 30)}
    for start, stop in _chunks(n, RETAILER_CHUNK):
        birthdays = table.birthday[start:stop].astype(object)
        batch = [
            Retailer(
                license_no=table.license_no[i],
                shop_name=table.shop_name[i],
                owner_name=table.owner_name[i],
                phone=table.phone[i],
                address=table.address[i],
                latitude=Decimal(f"{table.latitude[i]:.6f}"),
                longitude=Decimal(f"{table.longitude[i]:.6f}"),
                business_format=str(table.business_format[i]),
                market_type=str(table.market_type[i]),
                scale=int(table.scale[i]),
                business_district=str(table.business_district[i]),
                chain_type=str(table.chain_type[i]),
                opens_at=clocks[int(table.opens_minute[i])],
                closes_at=clocks[int(table.closes_minute[i])],
                licensed=True,
                status=str(table.status[i]),
                birthday=birthdays[i - start],
                important_dates=table.important_dates[i],
                e_settlement=bool(table.e_settlement[i]),
                business_scale=str(table.business_scale[i]),
                territory_id=territory_pks[int(table.territory[i])],
            )
            for i in range(start, stop)
        ]
        created = retailers_bulk_create(retailers=batch, actor=None, reason=DEMO_REASON)
        pks[start:stop] = [r.pk for r in created]
        result.retailers += len(created)
        result.history_records += len(created)
        reset_queries()  # with DEBUG on, Django keeps every statement: forget them per chunk
        say(f"零售户 {stop}/{n}")
    return pks


def _create_orders(
    options: DemoOptions,
    table: RetailerTable,
    retailer_pks: np.ndarray,
    products: list[Product],
    result: DemoResult,
    say: Progress,
) -> None:
    calendar = week_calendar(options.end_date, options.weeks)
    if calendar.weeks:
        result.first_week = calendar.mondays[0].astype(object)
        result.last_week_end = (calendar.mondays[-1] + np.timedelta64(6, "D")).astype(object)
    if calendar.weeks == 0:
        return
    catalogue = catalogue_arrays(calendar)
    product_pks = [p.pk for p in products]
    n = len(table)
    chunk = retailers_per_chunk(calendar.weeks)
    next_report = 0.0
    for start, stop in _chunks(n, chunk):
        arrays = generate_orders(
            stream(options.seed, STREAM_ORDERS, start),
            table.demand.slice(start, stop),
            catalogue,
            calendar,
        )
        _insert_orders(arrays, retailer_pks[start:stop], product_pks, result)
        reset_queries()
        if stop / n >= next_report or stop == n:
            say(f"订单 {stop}/{n} 个零售户，{result.orders} 张订单，{result.order_lines} 行")
            next_report = stop / n + 0.1


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


LINE_FIELDS = ("order", "product", "retailer", "order_date", "cartons", "amount")


def _insert_lines(rows: list[tuple[int, int, int, date, int, Decimal]]) -> None:
    """Insert order lines with one prepared INSERT run over many parameter rows.

    Lines are the bulk of the demo (about 750,000 for 2,000 retailers × 56 weeks). Django's
    bulk_create spends about 35 µs per row building model instances and compiling SQL
    (measured: 27 s of a 38 s build on SQLite); executemany of one INSERT takes about 7 µs on
    SQLite (multi-row VALUES statements measured slower there). Lines have no history, signals
    or defaults to fill, so nothing is lost. The statement is built from the model's metadata
    and runs through Django's cursor, so SQLite and PostgreSQL behave alike.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(OrderLine)]
    meta = OrderLine._meta
    fields = {field.name: field for field in meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[name].column) for name in LINE_FIELDS)
    placeholders = ", ".join(["%s"] * len(LINE_FIELDS))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_orders(
    arrays: OrderArrays, retailer_pks: np.ndarray, product_pks: list[int], result: DemoResult
) -> None:
    """Orders through bulk_create (their ids are needed), then their lines."""
    if arrays.order_date.size == 0:
        return
    order_retailer = retailer_pks[arrays.order_retailer].tolist()
    order_dates = arrays.order_date.astype(object).tolist()
    orders = [
        Order(
            retailer_id=retailer,
            order_date=day,
            status=OrderStatus.CONFIRMED,
            total_cartons=cartons,
            total_amount=_cents(cents),
        )
        for retailer, day, cartons, cents in zip(
            order_retailer,
            order_dates,
            arrays.order_cartons.tolist(),
            arrays.order_cents.tolist(),
            strict=True,
        )
    ]
    Order.objects.bulk_create(orders, batch_size=INSERT_BATCH)
    order_pks = [order.pk for order in orders]
    amounts: dict[int, Decimal] = {}
    line_order = arrays.line_order.tolist()
    line_product = arrays.line_product.tolist()
    line_cartons = arrays.line_cartons.tolist()
    line_cents = arrays.line_cents.tolist()
    for start, stop in _chunks(len(line_order), LINE_BATCH):
        rows = []
        for i in range(start, stop):
            k = line_order[i]
            cents = line_cents[i]
            amount = amounts.get(cents)
            if amount is None:
                amount = amounts[cents] = _cents(cents)
            rows.append(
                (
                    order_pks[k],
                    product_pks[line_product[i]],
                    order_retailer[k],
                    order_dates[k],
                    line_cartons[i],
                    amount,
                )
            )
        _insert_lines(rows)
    result.orders += len(orders)
    result.order_lines += len(line_order)
    result.cartons += int(arrays.order_cartons.sum())
