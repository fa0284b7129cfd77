"""Territory re-division (片区划分): retailers → k territories of balanced workload.

Public API (no Django; arrays in, arrays out; docs/engines/territory.md has the method)::

    partition(coords, workload, k, seed=0, *, tolerance=0.05, starts=4, max_iter=25)
        -> int64 array of n labels in range(k)
    evaluate(coords, workload, labels, k=None) -> dict     # figures per territory and totals
    compare(old_labels, new_labels) -> Comparison          # stable renaming, who changes hands

``coords`` is n×2 in planar kilometres, ``workload`` n weights ≥ 0 (visit minutes per week).

Objective. With ``c_j`` the geometric median of territory j, ``load_j = Σ_{label=j} w`` and
``mean = Σ w / k``: minimise ``Σ_i |p_i - c_{label_i}|`` (short routes, compact areas) subject to
``|load_j - mean| ≤ tolerance × mean`` for every j (balanced workload). Method: capacitated
k-medians: assignment by linear programming (HiGHS) within the band, re-centred on the
medians until stable, from several k-means++ starts; then moves and swaps of border retailers
while the band holds (``partition`` states the steps).

Invariants (the property tests check them):

- labels are int64 in ``range(k)``, one per retailer; every territory is non-empty when n ≥ k;
- every load within ``±tolerance`` of the mean whenever the LP relaxation of the band is
  feasible and the rounding can be repaired (always on data where no retailer weighs more
  than a small share of a territory); otherwise the band is doubled until feasible;
- deterministic: the same inputs and seed give the same labels;
- all workloads 0: the counts are balanced instead.
"""

from .evaluate import Comparison, compare, evaluate
from .partition import partition

__all__ = ["Comparison", "compare", "evaluate", "partition"]
