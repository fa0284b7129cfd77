"""Shared pytest fixtures: users of each role, territories, and the browser set-up."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def company(db):
    from tobacco_crm.core.tests.factories import CompanyFactory

    return CompanyFactory()


@pytest.fixture
def manager_a(db):
    from tobacco_crm.core.tests.factories import UserFactory

    return UserFactory(username="cm_a", display_name="客户经理甲")


@pytest.fixture
def manager_b(db):
    from tobacco_crm.core.tests.factories import UserFactory

    return UserFactory(username="cm_b", display_name="客户经理乙")


@pytest.fixture
def territory_a(manager_a, company):
    from tobacco_crm.core.tests.factories import TerritoryFactory

    return TerritoryFactory(code="TA", name="城关片区", customer_manager=manager_a, company=company)


@pytest.fixture
def territory_b(manager_b, company):
    from tobacco_crm.core.tests.factories import TerritoryFactory

    return TerritoryFactory(code="TB", name="乡镇片区", customer_manager=manager_b, company=company)


@pytest.fixture
def marketing_manager(db):
    from tobacco_crm.accounts.choices import Role
    from tobacco_crm.core.tests.factories import UserFactory

    return UserFactory(username="mm", display_name="营销经理", role=Role.MARKETING_MANAGER)


@pytest.fixture
def inspector(db):
    from tobacco_crm.accounts.choices import Role
    from tobacco_crm.core.tests.factories import UserFactory

    return UserFactory(username="insp", display_name="市管员", role=Role.INSPECTOR)
