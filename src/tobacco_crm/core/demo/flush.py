"""Delete the demo data, found again by its markers: the company coded ``DEMO-510722`` with its
territories, their retailers (and history), orders and lines and whatever other apps attached
to them; the products coded ``DEMO-nnn``; and, when asked, the demo logins."""

from __future__ import annotations

from typing import Any, cast

from django.apps import apps
from django.db import models, transaction
from django.db.models import ForeignObjectRel, ProtectedError, QuerySet, RestrictedError

from tobacco_crm.accounts.models import Company, Territory, User
from tobacco_crm.orders.models import Order, OrderLine
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer

from .errors import DemoError
from .logins import demo_users_query
from .products import DEMO_PRODUCT_CODES

DEMO_COMPANY_CODE = "DEMO-510722"


def _raw_delete(queryset: QuerySet[Any]) -> int:
    """Delete rows with one DELETE statement, without loading them, without signals and
    without Django-level cascades: `_delete_dependents` must have run first (the database's
    own foreign keys still guard the result)."""
    return queryset._raw_delete(queryset.db)


def _delete_dependents(
    model: type[models.Model], parents: QuerySet[Any], handled: tuple[type[models.Model], ...]
) -> None:
    """Clear rows of other models that point at `parents` the Django way, so the parents can
    be deleted in bulk: rows of CASCADE or PROTECT relations are deleted (they belong to the
    demo data: deductions, visits, allocations of demo retailers ...), SET_NULL ones detached.
    `handled` models are deleted by the caller."""
    # include_hidden: relations declared with related_name="+" (plan lines, limits and
    # demand reports of a demo product) count too.
    for relation in model._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel):
            continue  # a field of the model itself, not a relation pointing at it
        related = cast(type[models.Model], relation.related_model)
        if related in handled or relation.many_to_many or relation.on_delete is models.DO_NOTHING:
            continue
        name = relation.field.name
        dependents = related._base_manager.filter(**{f"{name}__in": parents.values("pk")})
        if not dependents.exists():
            continue
        if relation.on_delete is models.SET_NULL:
            dependents.update(**{name: None})
            continue
        try:
            dependents.delete()
        except (ProtectedError, RestrictedError) as error:
            raise DemoError(
                f"演示数据被{related._meta.verbose_name}引用，无法自动删除：{error}"
            ) from error


@transaction.atomic
def flush_demo(*, include_users: bool) -> dict[str, int]:
    """Delete the demo data (module docstring) and whatever other apps attached to it; other
    data stays. Returns counts deleted."""
    deleted: dict[str, int] = {}
    company = Company.objects.filter(code=DEMO_COMPANY_CODE).first()
    if company is not None:
        retailers = Retailer.objects.filter(territory__company=company)
        orders = Order.objects.filter(retailer__in=retailers)
        _delete_dependents(Order, orders, handled=(OrderLine,))
        _delete_dependents(Retailer, retailers, handled=(Order, OrderLine))
        deleted["order_lines"] = _raw_delete(OrderLine.objects.filter(retailer__in=retailers))
        deleted["orders"] = _raw_delete(orders)
        historical_retailer = Retailer.history.model  # type: ignore[attr-defined]
        _raw_delete(historical_retailer.objects.filter(id__in=retailers.values("pk")))
        deleted["retailers"] = _raw_delete(retailers)
        territories = Territory.objects.filter(company=company)
        territory_ids = list(territories.values_list("pk", flat=True))
        _delete_dependents(Territory, territories, handled=(Retailer,))
        Territory.inspectors.through.objects.filter(territory_id__in=territory_ids).delete()
        deleted["territories"] = _raw_delete(territories)
        historical_territory = Territory.history.model  # type: ignore[attr-defined]
        historical_inspectors = apps.get_model("accounts", "HistoricalTerritory_inspectors")
        historical_inspectors.objects.filter(territory_id__in=territory_ids).delete()
        historical_territory.objects.filter(id__in=territory_ids).delete()
        company.delete()
    products = Product.objects.filter(code__in=DEMO_PRODUCT_CODES)
    product_ids = list(products.values_list("pk", flat=True))
    _delete_dependents(Product, products, handled=(OrderLine,))
    deleted["products"] = _raw_delete(products)
    Product.history.model.objects.filter(id__in=product_ids).delete()  # type: ignore[attr-defined]
    if include_users:
        deleted["users"] = 0
        for user in User.objects.filter(demo_users_query()).order_by("pk"):
            try:
                with transaction.atomic():
                    user.delete()
                deleted["users"] += 1
            except (ProtectedError, RestrictedError):
                pass  # still referenced (e.g. by records outside the demo): the build reuses it
    return deleted
