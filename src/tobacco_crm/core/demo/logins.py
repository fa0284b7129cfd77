"""The demo logins: one customer manager per territory (cm01 ..), two inspectors, a marketing
manager, an order taker and an administrator, all with the password ``demo12345``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from tobacco_crm.accounts.choices import Role
from tobacco_crm.accounts.models import User

from . import names
from .archive import STREAM_STAFF, stream

DEMO_PASSWORD = "demo12345"
FIXED_LOGINS = ("inspector01", "inspector02", "marketing", "ordertaker", "admin")
MANAGER_LOGIN_RE = re.compile(r"^cm\d+$")


@dataclass(frozen=True)
class LoginSpec:
    username: str
    role: str
    display_name: str
    is_staff: bool = False
    is_superuser: bool = False


def manager_username(number: int, managers: int) -> str:
    return f"cm{number:0{max(2, len(str(managers)))}d}"


def login_specs(managers: int, seed: int) -> list[LoginSpec]:
    """The demo logins: one customer manager per territory, two inspectors, a marketing
    manager, an order taker and an administrator; Chinese names drawn from the seed."""
    people = names.person_names(stream(seed, STREAM_STAFF), managers + 4)
    specs = [
        LoginSpec(manager_username(i + 1, managers), Role.CUSTOMER_MANAGER, people[i])
        for i in range(managers)
    ]
    specs += [
        LoginSpec("inspector01", Role.INSPECTOR, people[managers]),
        LoginSpec("inspector02", Role.INSPECTOR, people[managers + 1]),
        LoginSpec("marketing", Role.MARKETING_MANAGER, people[managers + 2]),
        LoginSpec("ordertaker", Role.ORDER_TAKER, people[managers + 3]),
        LoginSpec("admin", Role.ADMIN, "系统管理员", is_staff=True, is_superuser=True),
    ]
    return specs


def demo_users_query() -> Q:
    return Q(username__in=FIXED_LOGINS) | Q(username__regex=r"^cm[0-9]+$")


def _login_sort_key(user: User) -> tuple[int, int, str]:
    if MANAGER_LOGIN_RE.match(user.username):
        return (0, int(user.username[2:]), "")
    order = FIXED_LOGINS.index(user.username) if user.username in FIXED_LOGINS else 99
    return (1, order, user.username)


@dataclass(frozen=True)
class LoginRow:
    username: str
    password: str
    role: str
    display_name: str
    scope: str


def demo_logins() -> list[LoginRow]:
    """The demo logins present in the database, customer managers first."""
    users = sorted(
        User.objects.filter(demo_users_query()).prefetch_related(
            "managed_territories", "inspected_territories"
        ),
        key=_login_sort_key,
    )
    rows = []
    for user in users:
        if user.effective_role == Role.CUSTOMER_MANAGER:
            scope = "、".join(t.name for t in user.managed_territories.all())
        elif user.effective_role == Role.INSPECTOR:
            scope = f"{len(user.inspected_territories.all())} 个片区"
        else:
            scope = "全公司"
        rows.append(
            LoginRow(
                username=user.username,
                password=DEMO_PASSWORD,
                role=str(Role(user.effective_role).label),
                display_name=user.display_name,
                scope=scope,
            )
        )
    return rows


def create_logins(*, managers: int, seed: int) -> tuple[dict[str, User], int, list[str]]:
    """Create the demo logins that do not exist yet. Accounts of those names that exist get the
    demo role but keep their password. Returns the users by name, the number created and the
    names kept."""
    specs = login_specs(managers, seed)
    existing = {
        u.username: u for u in User.objects.filter(username__in=[s.username for s in specs])
    }
    # One hash for every demo login: they share one public password, and hashing it once keeps
    # the build fast with the slow production hasher.
    password = make_password(DEMO_PASSWORD)
    phones = names.mobile_phones(stream(seed, STREAM_STAFF, 1), len(specs))
    created = []
    kept = []
    for spec, phone in zip(specs, phones, strict=True):
        user = existing.get(spec.username)
        if user is None:
            created.append(
                User(
                    username=spec.username,
                    password=password,
                    role=spec.role,
                    display_name=spec.display_name,
                    phone=phone,
                    is_staff=spec.is_staff,
                    is_superuser=spec.is_superuser,
                )
            )
            continue
        # An account of that name exists: give it the demo role, keep its password.
        user.role = spec.role
        user.display_name = user.display_name or spec.display_name
        user.is_staff = user.is_staff or spec.is_staff
        user.is_superuser = user.is_superuser or spec.is_superuser
        user.is_active = True
        user.save(update_fields=["role", "display_name", "is_staff", "is_superuser", "is_active"])
        kept.append(spec.username)
    User.objects.bulk_create(created)
    users = User.objects.filter(username__in=[s.username for s in specs])
    return {u.username: u for u in users}, len(created), kept
