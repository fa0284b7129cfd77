"""Two people entering orders for the same retailer at the same moment (issue 4, "Tests"):
together they never exceed a limit, and the same submission sent twice at once makes one
order. Real transactions on real connections, one per thread, on SQLite and on PostgreSQL.

How the test makes the race happen: both threads wait at a barrier, then call `order_submit`;
`_refusal` (called after the week's orders are summed, before anything is written) is slowed
down, so without the lock both threads would read "nothing ordered yet" and both accept
(tested: removing `@transaction.atomic` makes these tests fail on both databases, removing
the `select_for_update` makes them fail on PostgreSQL).

SQLite: pytest-django's test database is an in-memory database in shared-cache mode, where a
second connection's write fails at once with "database table is locked" instead of waiting
for the busy timeout: not what production (a file in WAL mode, IMMEDIATE transactions) does.
The `file_db` fixture therefore copies the migrated test database to a file for these tests
and points every connection at it, the way production connects.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from tobacco_crm.core.tests.factories import ProductFactory, RetailerFactory, UserFactory
from tobacco_crm.orders import entry
from tobacco_crm.orders.entry import OrderOutcome, order_submit
from tobacco_crm.orders.models import Order, OrderLine
from tobacco_crm.orders.tests.test_entry import DAY, grade, publish_plan, taker
from tobacco_crm.products.choices import ProductStatus

pytestmark = pytest.mark.django_db(transaction=True)

DELAY = 0.3  # seconds between reading what was ordered and writing the order


@pytest.fixture(autouse=True)
def file_db(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite, run the test on a file copy of the (empty, migrated) test database; see the
    module docstring. Elsewhere nothing to do. Autouse: it must come before any fixture
    that writes rows."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "concurrency.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    # Every thread's connection is made from this (shared) settings dict; the main thread
    # gets a fresh connection too. The in-memory database stays open (and is flushed as
    # usual) under its own connection, put back afterwards.
    settings = connection.settings_dict
    memory, name = connections["default"], settings["NAME"]
    settings["NAME"] = str(path)
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        settings["NAME"] = name
        connections["default"] = memory


@pytest.fixture
def slow_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the race window: every line check sleeps before answering."""
    check = entry._refusal

    def slow(*args: Any, **kwargs: Any) -> str:
        time.sleep(DELAY)
        return check(*args, **kwargs)

    monkeypatch.setattr(entry, "_refusal", slow)


def _at_once(*calls: Callable[[], OrderOutcome]) -> list[OrderOutcome | BaseException]:
    """Run the calls in threads released together by a barrier; each thread uses its own
    connection and closes it at the end. Returns each call's outcome or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[OrderOutcome | BaseException | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], OrderOutcome]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as error:  # reported to the test thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return [r for r in results if r is not None]


@pytest.fixture
def limited(territory_a: Any, marketing_manager: Any) -> dict[str, Any]:
    """A retailer with a limit of 5 cartons of a scarce product this week, and two people
    who may enter its orders: its customer manager and an order taker."""
    shop = RetailerFactory(territory=territory_a)
    product = ProductFactory(status=ProductStatus.SCARCE)
    grade(shop)
    publish_plan(marketing_manager, (product, 5))
    return {"shop": shop, "product": product, "people": [territory_a.customer_manager, taker()]}


def _submit(world: dict[str, Any], actor: Any, cartons: int, token: str) -> Callable[[], Any]:
    return lambda: order_submit(
        retailer=world["shop"], day=DAY, lines=[(world["product"], cartons)], actor=actor,
        client_token=token,
    )  # fmt: skip


def _ordered(world: dict[str, Any]) -> int:
    rows = OrderLine.objects.filter(retailer=world["shop"], product=world["product"])
    return sum(rows.values_list("cartons", flat=True))


def test_two_orders_at_once_never_exceed_the_limit(limited, slow_check):
    one, two = limited["people"]

    results = _at_once(_submit(limited, one, 3, "first"), _submit(limited, two, 3, "second"))

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    accepted = [r for r in results if isinstance(r, OrderOutcome) and r.order is not None]
    refused = [r for r in results if isinstance(r, OrderOutcome) and r.refused]
    assert len(accepted) == 1 and len(refused) == 1
    assert "已订 3 条" in refused[0].refused[0].reason
    assert Order.objects.count() == 1
    assert _ordered(limited) == 3


def test_many_orders_at_once_fill_the_limit_exactly(limited, slow_check):
    one, two = limited["people"]
    calls = [_submit(limited, (one, two)[i % 2], 1, f"t{i}") for i in range(7)]

    results = _at_once(*calls)

    assert not [r for r in results if isinstance(r, BaseException)]
    assert sum(1 for r in results if isinstance(r, OrderOutcome) and r.order is not None) == 5
    assert _ordered(limited) == 5


def test_the_same_submission_twice_at_once_makes_one_order(limited, slow_check):
    one, _two = limited["people"]

    results = _at_once(_submit(limited, one, 2, "same"), _submit(limited, one, 2, "same"))

    assert not [r for r in results if isinstance(r, BaseException)]
    outcomes = [r for r in results if isinstance(r, OrderOutcome)]
    assert sorted(o.duplicate for o in outcomes) == [False, True]
    assert outcomes[0].order == outcomes[1].order
    assert Order.objects.count() == 1
    assert _ordered(limited) == 2


def test_first_orders_of_a_new_week_for_two_retailers_at_once(territory_a, slow_check):
    """Both create the week's supply period if it is missing: one of them must not fail."""
    shops = RetailerFactory.create_batch(2, territory=territory_a)
    product = ProductFactory()
    user = UserFactory(username="taker2", role="order_taker")

    results = _at_once(
        *(
            (lambda s=s: order_submit(retailer=s, day=DAY, lines=[(product, 1)], actor=user))
            for s in shops
        )
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Order.objects.count() == 2
