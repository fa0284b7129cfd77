"""Masking of personal and license data for roles that don't need it in full.

Masking happens on the server: the full value never reaches a browser or API client that is
not allowed to see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User


def mask_middle(value: str, keep_start: int, keep_end: int, fill: str = "*") -> str:
    """`13812345678` with (3, 4) -> `138****5678`; short values are masked whole."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return fill * len(value)
    end = value[len(value) - keep_end :] if keep_end else ""
    return value[:keep_start] + fill * (len(value) - keep_start - keep_end) + end


def mask_phone(value: str) -> str:
    return mask_middle(value, 3, 4)


def mask_license_no(value: str) -> str:
    return mask_middle(value, 4, 2)


def phone_for(user: User, value: str) -> str:
    return value if user.sees_full_phone else mask_phone(value)


def license_no_for(user: User, value: str) -> str:
    return value if user.sees_full_license else mask_license_no(value)
