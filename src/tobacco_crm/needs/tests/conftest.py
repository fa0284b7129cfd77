from __future__ import annotations

import pytest

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import RetailerFactory, UserFactory


@pytest.fixture
def order_taker(db):
    return UserFactory(username="ot", display_name="电访员", role=Role.ORDER_TAKER)


@pytest.fixture
def inspector_b(db):
    return UserFactory(username="insp_b", display_name="市管员乙", role=Role.INSPECTOR)


@pytest.fixture
def shops(territory_a, territory_b, inspector, inspector_b):
    """Two shops of manager A (inspected by `inspector`), one of manager B (`inspector_b`)."""
    territory_a.inspectors.add(inspector)
    territory_b.inspectors.add(inspector_b)
    mine = RetailerFactory(territory=territory_a, shop_name="城关便民店")
    neighbour = RetailerFactory(territory=territory_a, shop_name="城关烟酒行")
    theirs = RetailerFactory(territory=territory_b, shop_name="乡镇便民店")
    return mine, neighbour, theirs
