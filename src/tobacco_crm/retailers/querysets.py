"""Reads of the retailer archive. Every read goes through `visible_to(user)`: the one place
where territory scoping is decided."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from tobacco_crm.accounts.choices import Role

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User


class RetailerQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> RetailerQuerySet:
        """Retailers the user may see: the whole company for managers, administrators and
        order takers; the retailers of his own territories for a customer manager; of his
        assigned territories for an inspector; nothing for anyone else."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_company:
            return self.all()
        if user.effective_role == Role.INSPECTOR:
            return self.filter(territory__inspectors=user)
        if user.effective_role == Role.CUSTOMER_MANAGER:
            return self.filter(territory__customer_manager=user)
        return self.none()

    def editable_by(self, user: User) -> RetailerQuerySet:
        """Retailers whose archive the user may change."""
        if not user.is_authenticated or not user.can_edit_archive:
            return self.none()
        return self.visible_to(user)

    def search(self, text: str) -> RetailerQuerySet:
        """Search by license number, phone (prefix), shop name or owner (substring)."""
        text = (text or "").strip()
        if not text:
            return self
        if text.isdigit():
            # Digits: a license number or phone prefix, as a range on each one's index
            # (a LIKE 'x%' can't use the index on SQLite).
            return self.filter(_prefix_range("license_no", text) | _prefix_range("phone", text))
        return self.filter(Q(shop_name__contains=text) | Q(owner_name__contains=text))


def _prefix_range(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as the half-open range [prefix, prefix⁺) where prefix⁺
    has its last character incremented: a B-tree index answers it on every database."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
