"""Quarterly grading (客户分类分级): compliance class, business score, tier, stars, segment.

The pure compute engine of DOMAIN.md "Classification and grading": arrays in, arrays out, no
Django. The Django side builds a ``GradingPolicy`` (from its stored JSON with
``GradingPolicy.from_dict``) and ``GradingInputs`` (set-based queries), calls
``grade(inputs, policy)`` and stores ``result.columns()``, once per run ``result.context()``
and per retailer ``result.row(i)`` (``result.rows(start, stop)`` in bulk); a retailer's
explanation is then ``explain_row(row, context)``, equal to ``explain(result, i)``.

Conventions: tier ``policy.tiers.count`` (30 by default) is the best tier and tier 1 the
lowest; rank 1 is the best; ranking ties are broken by retailer id ascending. Formulas and
invariants: the docstrings of ``compliance``, ``business``, ``tiers``, ``stars`` and
``segments``, and docs/engines/grading.md.

    >>> from tobacco_crm.engines.grading import GradingInputs, GradingPolicy, grade
    >>> inputs = GradingInputs(
    ...     retailer_ids=[1, 2],
    ...     indicators={"cartons": [300.0, 150.0], "amount": [60000.0, 45000.0],
    ...                 "product_count": [40.0, 20.0], "premium_cartons": [50.0, 10.0]},
    ... )
    >>> result = grade(inputs, GradingPolicy())
    >>> result.final_score.tolist(), result.tier.tolist()
    ([100.0, 62.25], [30, 29])
"""

from .explain import explain, explain_row
from .inputs import GradingInputs
from .policy import (
    PUBLISHED_35_55_10,
    BusinessSettings,
    ComplianceSettings,
    DeductionItem,
    GradingPolicy,
    Indicator,
    SegmentSettings,
    StarSettings,
    StarSubScore,
    TierSettings,
)
from .run import GradingResult, grade
from .segments import SEGMENT_LABELS_ZH, SEGMENTS
from .stored import STORED_FORMAT
from .text_zh import explain_text_zh

__all__ = [
    "PUBLISHED_35_55_10",
    "SEGMENTS",
    "SEGMENT_LABELS_ZH",
    "STORED_FORMAT",
    "BusinessSettings",
    "ComplianceSettings",
    "DeductionItem",
    "GradingInputs",
    "GradingPolicy",
    "GradingResult",
    "Indicator",
    "SegmentSettings",
    "StarSettings",
    "StarSubScore",
    "TierSettings",
    "explain",
    "explain_row",
    "explain_text_zh",
    "grade",
]
