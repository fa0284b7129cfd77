"""Between the database and the territory engine: the company's active retailers as planar
coordinates and weekly workloads, and a fingerprint of what a proposal was computed from.

Workload (visit minutes per week) = visits per week × minutes per visit. Visits per week come
from the segment of the grade in force (the latest published grading run): ``top`` weekly (1),
``bottom`` every 4 weeks (0.25), every other segment — and retailers without a grade — every
2 weeks (0.5). Minutes per visit: 15 by default.

Coordinates: an equirectangular projection around the retailers' mean position,
``x = R·Δλ·cos φ0``, ``y = R·Δφ`` with R = 6371.0088 km — accurate to well under 1 % over a
county. Retailers without coordinates are left out (they keep their territory).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from django.db.models import QuerySet

from tobacco_crm.accounts.models import Company, Territory
from tobacco_crm.grading.selectors import run_in_force
from tobacco_crm.retailers.choices import RetailerStatus
from tobacco_crm.retailers.models import Retailer

EARTH_RADIUS_KM = 6371.0088
MINUTES_PER_VISIT = 15.0
VISITS_PER_WEEK = {"top": 1.0, "bottom": 0.25}
DEFAULT_VISITS_PER_WEEK = 0.5


@dataclasses.dataclass(frozen=True)
class RetailerSet:
    """The active, located retailers of a company, in the order of ``ids``."""

    ids: list[int]
    territory_ids: list[int]
    coords: npt.NDArray[np.float64]  # n×2 km
    workload: npt.NDArray[np.float64]  # minutes per week
    fingerprint: str


def active_retailers(company: Company) -> QuerySet[Retailer]:
    """The company's retailers in business (status normal) with a position."""
    return Retailer.objects.filter(
        territory__company=company,
        status=RetailerStatus.NORMAL,
        latitude__isnull=False,
        longitude__isnull=False,
    ).order_by("pk")


def company_territories(company: Company) -> list[Territory]:
    return list(
        Territory.objects.filter(company=company)
        .select_related("customer_manager")
        .order_by("code", "pk")
    )


def project(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Equirectangular projection (km) around the mean position."""
    la = np.radians(np.asarray(lat, dtype=float))
    lo = np.radians(np.asarray(lon, dtype=float))
    if la.size == 0:
        return np.zeros((0, 2))
    la0, lo0 = float(la.mean()), float(lo.mean())
    x = EARTH_RADIUS_KM * (lo - lo0) * math.cos(la0)
    y = EARTH_RADIUS_KM * (la - la0)
    return np.column_stack([x, y])


def segments_in_force(retailer_ids: list[int]) -> dict[int, str]:
    run = run_in_force()
    if run is None:
        return {}
    return dict(
        run.grades.filter(retailer_id__in=retailer_ids).values_list("retailer_id", "segment")
    )


def fingerprint(rows: Sequence[tuple[object, ...]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("|".join(str(v) for v in row).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def current_fingerprint(company: Company) -> str:
    return fingerprint(
        list(
            active_retailers(company).values_list(
                "pk", "territory_id", "latitude", "longitude", "status"
            )
        )
    )


def read_retailers(
    company: Company, *, minutes_per_visit: float = MINUTES_PER_VISIT
) -> RetailerSet:
    rows = list(
        active_retailers(company).values_list(
            "pk", "territory_id", "latitude", "longitude", "status"
        )
    )
    ids = [r[0] for r in rows]
    segments = segments_in_force(ids)
    visits = np.array(
        [VISITS_PER_WEEK.get(segments.get(pk, ""), DEFAULT_VISITS_PER_WEEK) for pk in ids],
        dtype=float,
    )
    coords = project([float(r[2] or 0) for r in rows], [float(r[3] or 0) for r in rows])
    return RetailerSet(
        ids=ids,
        territory_ids=[r[1] for r in rows],
        coords=coords,
        workload=visits * float(minutes_per_visit),
        fingerprint=fingerprint(rows),
    )
