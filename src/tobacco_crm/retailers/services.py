"""Every write of the retailer archive: keyword-only, atomic, with history (who, when, what).

Views, API viewsets, the admin, the Excel import and the demo all write through these
functions, so the history is complete whatever the path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tobacco_crm.accounts.models import Territory
from tobacco_crm.core.history import stamp_history

from .models import Retailer
from .validators import normalize_phone

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

# Fields a write may set; class_code is always derived.
WRITABLE_FIELDS = (
    "license_no", "shop_name", "owner_name", "phone", "address", "latitude", "longitude",
    "business_format", "market_type", "scale", "business_district", "chain_type", "opens_at",
    "closes_at", "licensed", "status", "birthday", "important_dates", "e_settlement",
    "business_scale", "territory",
)  # fmt: skip

BULK_BATCH_SIZE = 2000


def _apply(retailer: Retailer, data: Mapping[str, Any]) -> list[str]:
    unknown = set(data) - set(WRITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("该字段不可写入。") for name in unknown})
    changed = []
    for name, value in data.items():
        if name == "phone":
            value = normalize_phone(value)
        if name == "territory":
            if retailer.territory_id != getattr(value, "pk", value):
                retailer.territory = value
                changed.append(name)
            continue
        if getattr(retailer, name) != value:
            setattr(retailer, name, value)
            changed.append(name)
    retailer.derive_class_code()
    return changed


def _check_territory(actor: User, territory: Territory) -> None:
    if not Territory.objects.visible_to(actor).filter(pk=territory.pk).exists():
        raise PermissionDenied(_("您不能把零售户分配到这个片区。"))


@transaction.atomic
def retailer_create(*, data: Mapping[str, Any], actor: User, reason: str = "") -> Retailer:
    """Create a retailer after validating every field; raises ValidationError by field."""
    if not actor.can_edit_archive:
        raise PermissionDenied(_("您的角色不能修改零售户档案。"))
    retailer = Retailer()
    _apply(retailer, data)
    retailer.full_clean()
    _check_territory(actor, retailer.territory)
    stamp_history(retailer, actor=actor, reason=reason or "创建")
    retailer.save()
    return retailer


@transaction.atomic
def retailer_update(
    *, retailer: Retailer, data: Mapping[str, Any], actor: User, reason: str = ""
) -> Retailer:
    """Change a retailer's archive. The actor must be allowed to edit this retailer (and the
    target territory, when it moves); nothing is written unless every field is valid."""
    locked = Retailer.objects.editable_by(actor).select_for_update().filter(pk=retailer.pk).first()
    if locked is None:
        raise PermissionDenied(_("您不能修改这个零售户。"))
    changed = _apply(locked, data)
    if not changed:
        return locked
    locked.full_clean()
    if "territory" in changed:
        _check_territory(actor, locked.territory)
    stamp_history(locked, actor=actor, reason=reason or "修改")
    locked.save()
    return locked


@transaction.atomic
def retailers_bulk_create(
    *, retailers: Iterable[Retailer], actor: User | None, reason: str
) -> list[Retailer]:
    """Insert already-validated retailers in batches, writing one history record each."""
    objs = list(retailers)
    for retailer in objs:
        retailer.derive_class_code()
    return bulk_create_with_history(
        objs,
        Retailer,
        batch_size=BULK_BATCH_SIZE,
        default_user=actor,
        default_change_reason=reason,
    )


@transaction.atomic
def retailers_bulk_update(
    *, retailers: Iterable[Retailer], fields: list[str], actor: User | None, reason: str
) -> int:
    """Update already-validated retailers in batches, writing one history record each (plain
    QuerySet.update() would write none)."""
    objs = list(retailers)
    for retailer in objs:
        retailer.derive_class_code()
    if "class_code" not in fields and {"market_type", "business_format", "scale"} & set(fields):
        fields = [*fields, "class_code"]
    return bulk_update_with_history(
        objs,
        Retailer,
        fields,
        batch_size=BULK_BATCH_SIZE,
        default_user=actor,
        default_change_reason=reason,
    )


@transaction.atomic
def retailers_reassign_territory(
    *, retailer_ids: Iterable[int], territory: Territory, actor: User, reason: str = ""
) -> int:
    """Move many retailers to another territory (a bulk path, with history)."""
    _check_territory(actor, territory)
    objs = list(
        Retailer.objects.editable_by(actor).select_for_update().filter(pk__in=list(retailer_ids))
    )
    for retailer in objs:
        retailer.territory = territory
    return retailers_bulk_update(
        retailers=objs, fields=["territory"], actor=actor, reason=reason or "调整片区"
    )
