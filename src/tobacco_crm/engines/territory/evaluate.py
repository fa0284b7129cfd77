"""The figures of a division (``evaluate``) and the change between two (``compare``).

``evaluate`` gives per territory: retailers, workload, deviation from the mean workload (%),
the centre (geometric median), the sum of distances to it and the mean and largest distance
(service radius), and the convex-hull area; and the totals the preview page and the benchmark
print. ``compare`` matches the new territories to the old ones with the Hungarian method
(``scipy.optimize.linear_sum_assignment`` on the overlap counts, most retailers kept), renames
the new labels accordingly so an unchanged territory keeps its number, and lists the retailers
that change hands.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment

from .geometry import (
    IntArray,
    centroids,
    check_inputs,
    check_labels,
    hull_area,
    medians,
)


def evaluate(
    coords: ArrayLike, workload: ArrayLike, labels: ArrayLike, k: int | None = None
) -> dict[str, Any]:
    """Figures of a division into ``k`` territories (default: ``max(labels) + 1``).

    ``max_workload_dev_pct`` is ``max_j |load_j - mean| / mean × 100`` with ``mean = total / k``
    (empty territories count, with load 0); ``distance_sum_km`` sums every retailer's distance
    to its territory's geometric median, ``distance_sum_centroid_km`` to its mean position.
    """
    xy, w = check_inputs(coords, workload)
    lab = check_labels(labels, xy.shape[0])
    k = int(lab.max()) + 1 if k is None and lab.size else int(k or 0)
    if lab.size and lab.max() >= k:
        raise ValueError(f"labels: must be in range({k})")
    load = np.bincount(lab, w, k)
    count = np.bincount(lab, minlength=k)
    mean = float(w.sum()) / k if k else 0.0
    dev = (load - mean) / mean * 100 if mean > 0 else np.zeros(k)
    centre = medians(xy, lab, k)
    dist = np.linalg.norm(xy - centre[lab], axis=1)
    mid = centroids(xy, lab, k, np.zeros((k, 2)))
    dist_mid = np.linalg.norm(xy - mid[lab], axis=1)
    dsum = np.bincount(lab, dist, k)
    radius = np.zeros(k)
    np.maximum.at(radius, lab, dist)
    areas = [hull_area(xy[lab == j]) for j in range(k)]
    territories = [
        {
            "territory": j,
            "retailers": int(count[j]),
            "workload": round(float(load[j]), 3),
            "deviation_pct": round(float(dev[j]), 3),
            "centre_km": [round(float(c), 4) for c in centre[j]],
            "distance_sum_km": round(float(dsum[j]), 3),
            "mean_distance_km": round(float(dsum[j] / count[j]), 4) if count[j] else 0.0,
            "radius_km": round(float(radius[j]), 4),
            "hull_area_km2": round(areas[j], 4),
        }
        for j in range(k)
    ]
    return {
        "territories": territories,
        "k": k,
        "retailers": int(lab.size),
        "mean_workload": round(mean, 3),
        "max_workload_dev_pct": round(float(np.abs(dev).max()), 4) if k else 0.0,
        "distance_sum_km": round(float(dist.sum()), 3),
        "distance_sum_centroid_km": round(float(dist_mid.sum()), 3),
        "max_radius_km": round(float(radius.max()), 4) if k else 0.0,
        "hull_area_km2": round(sum(areas), 4),
        "empty_territories": int((count == 0).sum()),
    }


@dataclasses.dataclass(frozen=True, eq=False)
class Comparison:
    """A new division seen from the old one.

    ``labels``: the new labels renamed to the old territory each one overlaps most (Hungarian
    matching); new territories left unmatched (more new than old) get the numbers after the old
    ones. ``mapping[j]``: the name given to new territory ``j``. ``moved``: indices of the
    retailers whose territory changes (``labels != old``); ``kept``: how many stay.
    """

    labels: IntArray
    mapping: IntArray
    moved: IntArray
    kept: int

    @property
    def changed(self) -> int:
        return int(self.moved.size)

    def to_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "kept": self.kept,
            "mapping": self.mapping.tolist(),
            "moved": self.moved.tolist(),
        }


def compare(old_labels: ArrayLike, new_labels: ArrayLike) -> Comparison:
    """Rename ``new_labels`` for the least change from ``old_labels`` and list who moves."""
    old = check_labels(old_labels, name="old_labels")
    new = check_labels(new_labels, old.size, name="new_labels")
    if not old.size:
        empty = np.zeros(0, np.int64)
        return Comparison(labels=empty, mapping=empty, moved=empty, kept=0)
    k_old, k_new = int(old.max()) + 1, int(new.max()) + 1
    overlap = np.zeros((k_new, k_old), np.int64)
    np.add.at(overlap, (new, old), 1)
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    mapping = np.full(k_new, -1, np.int64)
    mapping[rows] = cols
    unmatched = np.flatnonzero(mapping < 0)
    mapping[unmatched] = k_old + np.arange(unmatched.size)
    renamed = mapping[new]
    moved = np.flatnonzero(renamed != old).astype(np.int64)
    return Comparison(labels=renamed, mapping=mapping, moved=moved, kept=int(old.size - moved.size))
