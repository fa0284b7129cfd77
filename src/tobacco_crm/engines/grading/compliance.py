"""Compliance evaluation (守法情况评估): deductions → points → class A/B/C/W, and 停货.

Formula, for retailer i over the period (``ComplianceSettings``):

    deducted_i = Σ points of the deductions recorded against i
    points_i   = max(base_points − deducted_i, 0)
    class_i    = W  if points_i < class_c_min or penalties_i ≥ w_penalty_count
                 A  elif points_i ≥ class_a_min
                 B  elif points_i ≥ class_b_min
                 C  otherwise
    stopped_i  = some deduction of i is an item with ``stops_supply`` and is not cleared

A deduction recorded with NaN points takes its item's ``default_points``. Invariants (checked
by the property tests): points ∈ [0, base_points]; points = base − Σ deductions when that is
≥ 0; the class follows the thresholds exactly at their edges (91 → A, 90.99 → B).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from .policy import COMPLIANCE_CLASSES, ComplianceSettings

#: Integer class codes used inside the engine; ``CLASS_LABELS[code]`` is the letter.
CLASS_A, CLASS_B, CLASS_C, CLASS_W = 0, 1, 2, 3
CLASS_LABELS = np.array(COMPLIANCE_CLASSES)


@dataclasses.dataclass(frozen=True)
class ComplianceOutcome:
    """Per retailer: points deducted, points, class code (0=A .. 3=W), supply stopped;
    per deduction: the item index in the policy and the points applied."""

    deducted: npt.NDArray[np.float64]
    points: npt.NDArray[np.float64]
    class_code: npt.NDArray[np.int8]
    supply_stopped: npt.NDArray[np.bool_]
    deduction_item_index: npt.NDArray[np.intp]
    deduction_points: npt.NDArray[np.float64]


def resolve_items(
    settings: ComplianceSettings, item_codes: npt.NDArray[np.str_] | npt.NDArray[np.object_]
) -> npt.NDArray[np.intp]:
    """The index in ``settings.items`` of each deduction's item code.

    Raises ``ValueError`` naming the unknown codes: a deduction under an item the policy does
    not know would otherwise be graded by guesswork.
    """
    if item_codes.size == 0:
        return np.zeros(0, dtype=np.intp)
    unique, inverse = np.unique(item_codes.astype(str), return_inverse=True)
    index = {item.code: k for k, item in enumerate(settings.items)}
    unknown = [str(code) for code in unique if code not in index]
    if unknown:
        raise ValueError(
            f"deduction_item: item code(s) not in compliance.items: {', '.join(unknown[:10])}"
        )
    lookup = np.array([index[str(code)] for code in unique], dtype=np.intp)
    return lookup[inverse.reshape(-1)]


def classify(
    points: npt.NDArray[np.float64],
    penalties: npt.NDArray[np.int64],
    settings: ComplianceSettings,
) -> npt.NDArray[np.int8]:
    """Class code (0=A, 1=B, 2=C, 3=W) from points and penalty counts."""
    code = np.full(points.shape, CLASS_C, dtype=np.int8)
    code[points >= settings.class_b_min] = CLASS_B
    code[points >= settings.class_a_min] = CLASS_A
    code[(points < settings.class_c_min) | (penalties >= settings.w_penalty_count)] = CLASS_W
    return code


def evaluate(
    settings: ComplianceSettings,
    n: int,
    deduction_retailer: npt.NDArray[np.int64],
    deduction_item: npt.NDArray[np.str_] | npt.NDArray[np.object_],
    deduction_points: npt.NDArray[np.float64],
    deduction_cleared: npt.NDArray[np.bool_],
    penalties: npt.NDArray[np.int64],
) -> ComplianceOutcome:
    """Compliance points, class and supply stop of ``n`` retailers (see the module docstring).

    ``deduction_retailer`` holds positions (0..n-1) in the retailer arrays, not retailer ids.
    """
    item_index = resolve_items(settings, deduction_item)
    defaults = np.array([item.default_points for item in settings.items], dtype=np.float64)
    stops = np.array([item.stops_supply for item in settings.items], dtype=bool)
    applied = deduction_points.astype(np.float64, copy=True)
    missing = np.isnan(applied)
    if missing.any():
        applied[missing] = defaults[item_index[missing]]
    deducted = np.bincount(deduction_retailer, weights=applied, minlength=n).astype(np.float64)
    points = np.maximum(settings.base_points - deducted, 0.0)
    stopping = stops[item_index] & ~deduction_cleared if item_index.size else np.zeros(0, bool)
    stopped = np.bincount(deduction_retailer[stopping], minlength=n) > 0
    return ComplianceOutcome(
        deducted=deducted,
        points=points,
        class_code=classify(points, penalties, settings),
        supply_stopped=stopped,
        deduction_item_index=item_index,
        deduction_points=applied,
    )


def class_rule_text(a_min: float, b_min: float, c_min: float, w_penalty_count: int) -> str:
    """The class thresholds (``ComplianceSettings`` fields) in Chinese, for the explanation."""
    return (
        f"A类≥{_num(a_min)}分；"
        f"B类≥{_num(b_min)}分且<{_num(a_min)}分；"
        f"C类≥{_num(c_min)}分且<{_num(b_min)}分；"
        f"W类<{_num(c_min)}分或受处罚{w_penalty_count}次及以上"
    )


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
