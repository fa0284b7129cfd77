"""Tests of ``tobacco_crm.engines.territory``: hand cases and hypothesis properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tobacco_crm.engines.territory import compare, evaluate, partition

PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scattered(seed: int, n: int, clusters: int) -> np.ndarray:
    """n points around ``clusters`` random town centres in a 50 km square."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 50, (clusters, 2))
    return centres[rng.integers(clusters, size=n)] + rng.normal(0, 2, (n, 2))


# ---------------------------------------------------------------- hand cases


def test_two_clear_clusters_make_two_territories():
    # Ten retailers around (0, 0) and ten around (100, 0), equal workloads: each town is one
    # territory (any other split is both less balanced and far longer).
    rng = np.random.default_rng(1)
    xy = np.concatenate([rng.normal(0, 1, (10, 2)), rng.normal(0, 1, (10, 2)) + np.array([100, 0])])
    labels = partition(xy, np.full(20, 30.0), 2)
    assert len(set(labels[:10].tolist())) == 1
    assert len(set(labels[10:].tolist())) == 1
    assert labels[0] != labels[10]


def test_heavy_town_gives_up_its_edge_to_balance():
    # 30 retailers in town A (x≈0), 10 in town B (x≈50), equal workloads, k = 2: the mean is
    # 20 retailers and, with no tolerance, B takes 10 of A's retailers: the ten nearest B.
    xa = np.column_stack([np.linspace(0, 29, 30), np.zeros(30)])
    xb = np.column_stack([np.linspace(50, 51, 10), np.zeros(10)])
    labels = partition(np.concatenate([xa, xb]), np.ones(40), 2, tolerance=0)
    assert np.bincount(labels).tolist() == [20, 20]
    assert len(set(labels[20:].tolist())) == 1  # A's far edge (x = 20..29) joins B
    assert len(set(labels[:20].tolist())) == 1 and labels[0] != labels[39]


def test_degenerate_sizes():
    xy = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert partition(np.zeros((0, 2)), np.zeros(0), 3).tolist() == []
    assert partition(xy, [1, 1], 1).tolist() == [0, 0]
    assert partition(xy, [1, 1], 2).tolist() == [0, 1]
    assert partition(xy, [1, 1], 5).tolist() == [0, 1]  # fewer retailers than territories


def test_all_zero_workload_balances_counts():
    xy = scattered(3, 60, 3)
    counts = np.bincount(partition(xy, np.zeros(60), 3), minlength=3)
    assert (np.abs(counts - 20) <= 1).all()  # ±5 % of 20 retailers
    counts = np.bincount(partition(xy, np.zeros(60), 3, tolerance=0), minlength=3)
    assert counts.tolist() == [20, 20, 20]


def test_one_heavy_retailer_still_gives_valid_labels():
    # Retailer 0 alone is more than the whole band allows: the band widens, labels stay valid.
    xy = scattered(4, 40, 4)
    w = np.ones(40)
    w[0] = 100.0
    labels = partition(xy, w, 4)
    assert labels.min() >= 0 and labels.max() < 4
    assert (np.bincount(labels, minlength=4) > 0).all()


def test_duplicate_points():
    labels = partition(np.zeros((12, 2)), np.ones(12), 3)
    assert np.bincount(labels, minlength=3).tolist() == [4, 4, 4]


@pytest.mark.parametrize(
    ("coords", "workload", "k", "message"),
    [
        (np.zeros((3, 3)), np.ones(3), 2, "coords"),
        (np.zeros((3, 2)), np.ones(2), 2, "workload"),
        (np.zeros((3, 2)), [1, -1, 1], 2, "workload"),
        ([[0, np.nan], [0, 0]], [1, 1], 2, "coords"),
        (np.zeros((3, 2)), np.ones(3), 0, "k"),
    ],
)
def test_bad_inputs_raise(coords, workload, k, message):
    with pytest.raises(ValueError, match=message):
        partition(coords, workload, k)


def test_evaluate_hand_case():
    # Territory 0: the corners of a 2 km square (median = centre (1, 1), each √2 away,
    # hull 4 km²); territory 1: two points 2 km apart (any point between is a median: sum 2).
    xy = np.array([[0, 0], [2, 0], [2, 2], [0, 2], [10, 0], [12, 0]], dtype=float)
    w = np.array([10, 10, 10, 10, 30, 10], dtype=float)  # loads 40 and 40
    fig = evaluate(xy, w, [0, 0, 0, 0, 1, 1])
    t0, t1 = fig["territories"]
    assert fig["max_workload_dev_pct"] == 0
    assert t0["hull_area_km2"] == pytest.approx(4)
    assert t0["distance_sum_km"] == pytest.approx(4 * np.sqrt(2), abs=1e-3)
    assert t0["radius_km"] == pytest.approx(np.sqrt(2), abs=1e-3)
    assert t1["distance_sum_km"] == pytest.approx(2, abs=1e-3)
    assert t1["hull_area_km2"] == 0
    assert fig["distance_sum_centroid_km"] == pytest.approx(4 * np.sqrt(2) + 2, abs=1e-3)


def test_evaluate_deviation_counts_empty_territories():
    fig = evaluate([[0, 0], [1, 0]], [1, 3], [0, 0], k=2)  # mean 2, loads 4 and 0
    assert fig["max_workload_dev_pct"] == 100
    assert fig["empty_territories"] == 1


def test_compare_renames_for_least_change():
    old = np.array([0, 0, 1, 1, 2, 2])
    new = np.array([2, 2, 0, 0, 1, 0])  # a renaming of old, plus retailer 4 moved
    c = compare(old, new)
    assert c.mapping.tolist() == [1, 2, 0]
    assert c.labels.tolist() == [0, 0, 1, 1, 2, 1]
    assert c.moved.tolist() == [5] or c.moved.tolist() == [4]
    assert c.changed == 1 and c.kept == 5


def test_compare_more_new_territories_than_old():
    c = compare([0, 0, 0, 1, 1], [1, 1, 2, 0, 0])
    assert c.labels.tolist() == [0, 0, 2, 1, 1]
    assert c.moved.tolist() == [2]
    assert c.to_dict()["changed"] == 1


# ---------------------------------------------------------------- properties


@st.composite
def instances(draw, min_per_territory=1, max_weight=50.0):
    k = draw(st.integers(1, 5))
    n = draw(st.integers(0, 80)) if min_per_territory == 1 else k * draw(st.integers(30, 40))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    xy = scattered(seed, n, draw(st.integers(1, 4)))
    w = rng.uniform(1.0, max_weight, n)
    if min_per_territory == 1 and n and draw(st.booleans()):
        w[rng.random(n) < 0.3] = 0.0
    return xy, w, k, draw(st.integers(0, 3))


@PROPS
@given(instances())
def test_labels_are_valid_and_territories_non_empty(inst):
    xy, w, k, seed = inst
    labels = partition(xy, w, k, seed=seed, starts=2)
    assert labels.dtype == np.int64 and labels.shape == (xy.shape[0],)
    if labels.size:
        assert labels.min() >= 0 and labels.max() < k
    if xy.shape[0] >= k:
        assert (np.bincount(labels, minlength=k) > 0).all()


@PROPS
@given(instances())
def test_deterministic_for_a_seed(inst):
    xy, w, k, seed = inst
    first = partition(xy, w, k, seed=seed, starts=2)
    assert np.array_equal(first, partition(xy.copy(), w.copy(), k, seed=seed, starts=2))


@PROPS
@given(instances(min_per_territory=30, max_weight=2.0))
def test_balanced_on_well_behaved_data(inst):
    # At least 30 retailers per territory, workloads 1-2: nobody weighs more than 4.5 % of a
    # territory, so ±5 % is reachable and must be reached.
    xy, w, k, seed = inst
    labels = partition(xy, w, k, seed=seed, starts=2)
    fig = evaluate(xy, w, labels, k)
    assert fig["max_workload_dev_pct"] <= 5.0 + 1e-6


@PROPS
@given(instances(min_per_territory=30, max_weight=2.0))
def test_local_improvement_never_loses_to_one_lp_pass(inst):
    # More starts never give a worse division by the objective (the best start is kept).
    xy, w, k, seed = inst
    one = evaluate(xy, w, partition(xy, w, k, seed=seed, starts=1), k)
    three = evaluate(xy, w, partition(xy, w, k, seed=seed, starts=3), k)
    assert three["distance_sum_km"] <= one["distance_sum_km"] * (1 + 1e-6)


@PROPS
@given(st.lists(st.integers(0, 4), min_size=1, max_size=40), st.permutations(range(5)))
def test_compare_a_renaming_changes_nobody(old, perm):
    old = np.array(old)
    c = compare(old, np.array(perm)[old])
    assert c.changed == 0 and np.array_equal(c.labels, old)
