"""Writes of territory re-division: compute a proposal, apply it (atomic, audited)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tobacco_crm.accounts.models import Company, Territory
from tobacco_crm.engines.territory import compare, evaluate, partition
from tobacco_crm.retailers.services import retailers_reassign_territory
from tobacco_crm.visits.models import PlannedVisit
from tobacco_crm.visits.selectors import week_start_of

from . import adapters
from .models import RedivisionProposal

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

DEFAULT_TOLERANCE = 0.05


def _require(actor: User) -> None:
    if not actor.manages_grading:
        raise PermissionDenied(_("只有营销经理可以调整片区划分。"))


def redivision_propose(
    *,
    company: Company,
    actor: User,
    k: int | None = None,
    seed: int = 0,
    tolerance: float = DEFAULT_TOLERANCE,
    minutes_per_visit: float = adapters.MINUTES_PER_VISIT,
) -> RedivisionProposal:
    """Divide the company's active retailers into ``k`` territories (default: as many as the
    company has) and store the result as a proposal; nothing else is written."""
    _require(actor)
    territories = adapters.company_territories(company)
    if not territories:
        raise ValidationError({"k": _("公司还没有片区。")})
    k = len(territories) if k is None else int(k)
    if not 1 <= k <= len(territories):
        raise ValidationError({"k": _("片区数须在 1 到 %(n)d 之间。") % {"n": len(territories)}})
    data = adapters.read_retailers(company, minutes_per_visit=minutes_per_visit)
    if not data.ids:
        raise ValidationError({"k": _("没有带坐标的正常经营零售户。")})
    index = {t.pk: j for j, t in enumerate(territories)}
    old = np.array([index[t] for t in data.territory_ids], dtype=np.int64)
    new = partition(data.coords, data.workload, k, seed, tolerance=tolerance)
    renamed = compare(old, new).labels
    k_eval = max(len(territories), int(renamed.max()) + 1)
    rows = [
        [pk, old_t, territories[int(lab)].pk, round(float(x), 4), round(float(y), 4), float(w)]
        for pk, old_t, lab, (x, y), w in zip(
            data.ids, data.territory_ids, renamed, data.coords, data.workload, strict=True
        )
    ]
    before = evaluate(data.coords, data.workload, old, len(territories))
    after = evaluate(data.coords, data.workload, renamed, k_eval)
    return RedivisionProposal.objects.create(
        company=company,
        created_by=actor,
        k=k,
        parameters={
            "seed": seed,
            "tolerance": tolerance,
            "minutes_per_visit": minutes_per_visit,
            "visits_per_week": {
                **adapters.VISITS_PER_WEEK,
                "default": adapters.DEFAULT_VISITS_PER_WEEK,
            },
        },
        territory_ids=[t.pk for t in territories],
        rows=rows,
        figures={"before": before, "after": after},
        fingerprint=data.fingerprint,
        moved_count=int((renamed != old).sum()),
    )


def _release_open_visits(retailer_ids: list[int], territory: Territory) -> int:
    """Remove the not-yet-made planned visits of `retailer_ids` from other managers' plans of
    the current or a future week (draft or confirmed), so that the new manager's next draft
    picks them up. Visits already made and past weeks stay as they were (history). Returns
    the number of planned visits released."""
    monday = week_start_of(timezone.localdate())
    released = PlannedVisit.objects.filter(
        retailer_id__in=retailer_ids, visited_at__isnull=True, plan__week_start__gte=monday
    )
    if territory.customer_manager_id is not None:
        released = released.exclude(plan__manager_id=territory.customer_manager_id)
    count, _by_model = released.delete()
    return count


@transaction.atomic
def redivision_apply(*, proposal: RedivisionProposal, actor: User) -> int:
    """Move every retailer the proposal moves (one history record each, by ``actor``) and
    record who applied it and when. Refuses a proposal already applied, or one computed from
    retailers that have changed since (moved, relocated, opened or closed). All or nothing.
    Open plans move with the retailers: their planned visits in the old managers' plans of
    the current or a future week are released (the count is in the proposal's history
    reason and `figures["released_visits"]`); needs follow the retailer already.
    Returns the number of retailers moved."""
    _require(actor)
    locked = RedivisionProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.applied:
        raise ValidationError(_("这个方案已经应用过了。"))
    if adapters.current_fingerprint(locked.company) != locked.fingerprint:
        raise ValidationError(_("零售户在方案生成后有变动，方案已过期，请重新生成。"))
    moves: dict[int, list[int]] = defaultdict(list)
    for pk, old_t, new_t, *_rest in locked.rows:
        if old_t != new_t:
            moves[new_t].append(pk)
    territories = Territory.objects.in_bulk(list(moves))
    reason = _("片区重新划分 #%(pk)d") % {"pk": locked.pk}
    moved = released = 0
    for territory_id, retailer_ids in sorted(moves.items()):
        count = retailers_reassign_territory(
            retailer_ids=retailer_ids,
            territory=territories[territory_id],
            actor=actor,
            reason=reason,
        )
        if count != len(retailer_ids):
            raise ValidationError(_("部分零售户无法调整，方案未应用。"))
        moved += count
        released += _release_open_visits(retailer_ids, territories[territory_id])
    locked.applied_at = timezone.now()
    locked.applied_by = actor
    locked.figures = {**locked.figures, "released_visits": released}
    locked._change_reason = _("%(reason)s，释放计划拜访 %(n)d 条") % {  # type: ignore[attr-defined]
        "reason": reason,
        "n": released,
    }
    locked.save(update_fields=["applied_at", "applied_by", "figures"])
    proposal.applied_at, proposal.applied_by = locked.applied_at, actor
    proposal.figures = locked.figures
    return moved
