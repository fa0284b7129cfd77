"""Geometry of the territory engine: input checks, distances, centres, seeds, hull areas.

The centre of a territory is its **geometric median** (the point with the least sum of
Euclidean distances to the territory's retailers, the best base for its manager), found by
Weiszfeld's iteration for all territories at once (``np.bincount`` per label, no loop over
retailers). Coordinates are planar kilometres (project longitude/latitude first).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Distances below this (km) count as this in Weiszfeld's weights (a retailer on the centre).
_EPS_KM = 1e-9


def check_inputs(coords: ArrayLike, workload: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """``coords`` as an n×2 float array and ``workload`` as n floats, or ``ValueError``."""
    xy = np.asarray(coords, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"coords: must be an n×2 array, got shape {xy.shape}")
    if not np.isfinite(xy).all():
        raise ValueError("coords: must be finite")
    w = np.asarray(workload, dtype=np.float64)
    if w.shape != (xy.shape[0],):
        raise ValueError(f"workload: must have {xy.shape[0]} values, got shape {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("workload: must be finite and >= 0")
    return xy, w


def check_labels(labels: ArrayLike, n: int | None = None, name: str = "labels") -> IntArray:
    lab = np.asarray(labels)
    if lab.ndim != 1 or (n is not None and lab.size != n):
        raise ValueError(f"{name}: must be a vector of {n} labels, got shape {lab.shape}")
    if lab.size and (not np.issubdtype(lab.dtype, np.integer) or lab.min() < 0):
        raise ValueError(f"{name}: must be integers >= 0")
    return lab.astype(np.int64)


def distances(xy: FloatArray, centres: FloatArray) -> FloatArray:
    """n×k Euclidean distances (km) from every retailer to every centre."""
    diff = xy[:, None, :] - centres[None, :, :]
    return np.sqrt(np.einsum("nkd,nkd->nk", diff, diff))


def centroids(xy: FloatArray, labels: IntArray, k: int, fallback: FloatArray) -> FloatArray:
    """Mean position per label; ``fallback`` rows for empty labels."""
    count = np.bincount(labels, minlength=k).astype(np.float64)
    out = fallback.copy()
    has = count > 0
    out[has, 0] = np.bincount(labels, xy[:, 0], k)[has] / count[has]
    out[has, 1] = np.bincount(labels, xy[:, 1], k)[has] / count[has]
    return out


def medians(
    xy: FloatArray,
    labels: IntArray,
    k: int,
    start: FloatArray | None = None,
    iterations: int = 100,
    tol_km: float = 1e-7,
) -> FloatArray:
    """Geometric median per label (Weiszfeld from ``start`` or the centroid).

    Each step is ``c <- sum(p / |p - c|) / sum(1 / |p - c|)`` over the label's retailers,
    which never increases the sum of distances; it stops when no centre moves more than
    ``tol_km``. Empty labels keep their start (the origin without one).
    """
    fallback = np.zeros((k, 2)) if start is None else start
    c = centroids(xy, labels, k, fallback) if start is None else start.copy()
    has = np.bincount(labels, minlength=k) > 0
    for _ in range(iterations):
        d = np.maximum(np.linalg.norm(xy - c[labels], axis=1), _EPS_KM)
        inv = 1.0 / d
        den = np.bincount(labels, inv, k)
        new = c.copy()
        new[has, 0] = np.bincount(labels, xy[:, 0] * inv, k)[has] / den[has]
        new[has, 1] = np.bincount(labels, xy[:, 1] * inv, k)[has] / den[has]
        shift = float(np.abs(new - c).max()) if k else 0.0
        c = new
        if shift <= tol_km:
            break
    return c


def seed_centres(xy: FloatArray, k: int, rng: np.random.Generator) -> FloatArray:
    """k-means++: the first centre uniformly, each next one with probability ∝ D² (distance to
    the nearest chosen centre); uniformly among the rest when every D is 0 (duplicates)."""
    n = xy.shape[0]
    chosen = [int(rng.integers(n))]
    d2 = np.sum((xy - xy[chosen[0]]) ** 2, axis=1)
    for _ in range(1, k):
        total = float(d2.sum())
        if total > 0:
            i = int(np.searchsorted(np.cumsum(d2), rng.random() * total, side="right"))
            i = min(i, n - 1)
        else:
            i = int(rng.integers(n))
        chosen.append(i)
        d2 = np.minimum(d2, np.sum((xy - xy[i]) ** 2, axis=1))
    return xy[chosen].copy()


def hull_area(points: FloatArray) -> float:
    """Area (km²) of the convex hull of the points (monotone chain; 0 for fewer than 3 or
    collinear points)."""
    pts = np.unique(points, axis=0)  # sorted by x, then y
    if pts.shape[0] < 3:
        return 0.0

    def half(seq: FloatArray) -> list[FloatArray]:
        chain: list[FloatArray] = []
        for p in seq:
            while len(chain) >= 2:
                o, a = chain[-2], chain[-1]
                if (a[0] - o[0]) * (p[1] - o[1]) - (a[1] - o[1]) * (p[0] - o[0]) > 0:
                    break
                chain.pop()
            chain.append(p)
        return chain

    lower, upper = half(pts), half(pts[::-1])
    hull = np.array(lower[:-1] + upper[:-1])
    x, y = hull[:, 0], hull[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)
