from __future__ import annotations

import pytest

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import RetailerFactory, UserFactory


@pytest.fixture
def order_taker(db):
    return UserFactory(username="ot", display_name="电访员", role=Role.ORDER_TAKER)


@pytest.fixture
def shops(territory_a, territory_b, inspector):
    """Two shops of manager A (inspected by `inspector`), one of manager B."""
    territory_a.inspectors.add(inspector)
    mine = RetailerFactory(territory=territory_a, shop_name="城关便民店", owner_name="王大")
    neighbour = RetailerFactory(territory=territory_a, shop_name="城关烟酒行")
    theirs = RetailerFactory(territory=territory_b, shop_name="乡镇便民店")
    return mine, neighbour, theirs
