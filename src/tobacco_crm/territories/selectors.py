"""Reads for the re-division screens: current territories' figures, a proposal's preview."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from tobacco_crm.accounts.models import Company, Territory
from tobacco_crm.engines.territory import evaluate
from tobacco_crm.retailers.models import Retailer

from . import adapters
from .models import RedivisionProposal

MAP_SIZE = 600
MAP_PAD = 12
PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd",
]  # fmt: skip
MOVED_LIST_LIMIT = 200


def default_company() -> Company | None:
    return Company.objects.order_by("pk").first()


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def territory_overview(company: Company) -> dict[str, Any]:
    """Each territory of the company with its current workload, retailers and radius."""
    territories = adapters.company_territories(company)
    data = adapters.read_retailers(company)
    index = {t.pk: j for j, t in enumerate(territories)}
    figures: dict[str, Any] = {}
    if territories and data.ids:
        labels = np.array([index[t] for t in data.territory_ids], dtype=np.int64)
        figures = evaluate(data.coords, data.workload, labels, len(territories))
    per = figures.get("territories", [])
    rows = [
        {**(per[j] if per else {}), "territory": t, "colour": colour(j)}
        for j, t in enumerate(territories)
    ]
    return {"rows": rows, "figures": figures, "retailers": len(data.ids)}


def _scale(xy: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], float]:
    """The lower-left corner and the km → pixel factor that fit every point in the map."""
    lo = xy.min(axis=0) if xy.size else np.zeros(2)
    span = float((xy.max(axis=0) - lo).max()) if xy.size else 0.0
    return lo, (MAP_SIZE - 2 * MAP_PAD) / span if span > 0 else 1.0


def proposal_preview(proposal: RedivisionProposal) -> dict[str, Any]:
    """Everything the preview screen shows: the map's points, the table before/after, who
    changes hands, whether the proposal is stale."""
    territories = Territory.objects.in_bulk(proposal.territory_ids)
    index = {pk: j for j, pk in enumerate(proposal.territory_ids)}
    rows = proposal.rows
    xy = np.array([[r[3], r[4]] for r in rows], dtype=float).reshape(-1, 2)
    lo, scale = _scale(xy)

    def to_map(x: float, y: float) -> tuple[float, float]:
        return (
            round(MAP_PAD + (x - lo[0]) * scale, 1),
            round(MAP_SIZE - MAP_PAD - (y - lo[1]) * scale, 1),
        )

    points = []
    for r in rows:
        px, py = to_map(r[3], r[4])
        points.append({"cx": px, "cy": py, "fill": colour(index[r[2]]), "moved": r[1] != r[2]})
    before = proposal.figures["before"]["territories"]
    after = proposal.figures["after"]["territories"]
    table = []
    for j, territory_id in enumerate(proposal.territory_ids):
        territory = territories.get(territory_id)
        if territory is None:  # deleted since
            continue
        b = before[j] if j < len(before) else {}
        a = after[j] if j < len(after) else {}
        cx: float | None = None
        cy: float | None = None
        if a.get("retailers"):
            cx, cy = to_map(*a["centre_km"])
        table.append(
            {
                "territory": territory,
                "colour": colour(j),
                "before": b,
                "after": a,
                "gained": sum(1 for r in rows if r[2] == territory.pk and r[1] != r[2]),
                "lost": sum(1 for r in rows if r[1] == territory.pk and r[1] != r[2]),
                "cx": cx,
                "cy": cy,
            }
        )
    moved_rows = [r for r in rows if r[1] != r[2]]
    shops = Retailer.objects.in_bulk([r[0] for r in moved_rows[:MOVED_LIST_LIMIT]])
    moved = [
        {
            "retailer": shops.get(r[0]),
            "old": territories.get(r[1]),
            "new": territories.get(r[2]),
        }
        for r in moved_rows[:MOVED_LIST_LIMIT]
    ]
    stale = (
        not proposal.applied
        and adapters.current_fingerprint(proposal.company) != proposal.fingerprint
    )
    return {
        "proposal": proposal,
        "map_size": MAP_SIZE,
        "points": points,
        "table": table,
        "moved": moved,
        "moved_more": max(0, len(moved_rows) - MOVED_LIST_LIMIT),
        "before": proposal.figures["before"],
        "after": proposal.figures["after"],
        "stale": stale,
    }


def recent_proposals(company: Company, limit: int = 10) -> list[RedivisionProposal]:
    return list(
        RedivisionProposal.objects.filter(company=company).select_related(
            "created_by", "applied_by"
        )[:limit]
    )
