"""The forecasting engine: contract, invariants (hypothesis) and the festival alignment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tobacco_crm.engines.forecasting import (
    ForecastPolicy,
    forecast,
    forecast_intervals,
    spring_offsets,
    to_matrix,
)
from tobacco_crm.engines.forecasting.calendar import festival_days

SEASON = 52


def _mondays(first: str, weeks: int) -> np.ndarray:
    start = np.datetime64(first, "D")
    assert start.astype(object).weekday() == 0
    return start + np.arange(weeks) * np.timedelta64(7, "D")


def _festival_history(
    first: str, weeks: int, retailers: int, seed: int = 0
) -> tuple[list[np.ndarray], np.ndarray]:
    """Poisson demand, level 3, tripled in the two weeks before the Spring Festival's week."""
    rng = np.random.default_rng(seed)
    dates = _mondays(first, weeks)
    offset = spring_offsets(dates)
    rate = 3.0 * np.where((offset == -1) | (offset == -2), 3.0, 1.0)
    history = [rng.poisson(rate).astype(float) for _ in range(retailers)]
    return history, dates


def test_shape_and_non_negative() -> None:
    rng = np.random.default_rng(1)
    history = [rng.poisson(2.0, size) for size in (0, 1, 5, 60, 120)]
    out = forecast(history, 8, SEASON)
    assert out.shape == (5, 8)
    assert np.all(out >= 0) and np.all(np.isfinite(out))


def test_empty_inputs() -> None:
    assert forecast([], 4, SEASON).shape == (0, 4)
    assert forecast([np.zeros(0)], 3, SEASON).shape == (1, 3)
    assert forecast([np.ones(10)], 0, SEASON).shape == (1, 0)


def test_zeros_forecast_zero() -> None:
    rng = np.random.default_rng(2)
    history = [np.zeros(80), rng.poisson(4.0, 80).astype(float), np.zeros(40)]
    result = forecast_intervals(
        history, 6, SEASON, groups=["a", "a", "a"], dates=_mondays("2024-06-03", 80)
    )
    assert np.all(result.point[0] == 0) and np.all(result.point[2] == 0)
    assert np.all(result.upper[0] == 0)
    assert np.all(result.median[0] == 0) and np.all(result.median[2] == 0)
    assert np.all(forecast([np.zeros(30)], 4, SEASON) == 0)


def test_new_series_gets_group_average() -> None:
    history = [np.full(30, 2.0), np.full(30, 4.0), np.zeros(0), np.full(30, 10.0), np.zeros(0)]
    groups = ["p", "p", "p", "q", "q"]
    out = forecast(history, 3, SEASON, groups=groups)
    np.testing.assert_allclose(out[2], 3.0, rtol=1e-9)
    np.testing.assert_allclose(out[4], 10.0, rtol=1e-9)


def test_constant_series_forecasts_its_level() -> None:
    out = forecast([np.full(104, 5.0)], 10, SEASON, dates=_mondays("2023-01-02", 104))
    np.testing.assert_allclose(out, 5.0, rtol=1e-9)


def test_intervals_contain_point() -> None:
    history, dates = _festival_history("2022-03-07", 150, 60, seed=3)
    result = forecast_intervals(history, 8, SEASON, dates=dates)
    assert np.all(result.lower <= result.point) and np.all(result.point <= result.upper)
    assert np.all(result.lower >= 0)
    assert np.any(result.upper > result.point) and np.any(result.lower < result.point)
    assert np.all(result.lower <= result.median) and np.all(result.median <= result.upper)


def test_median_of_intermittent_lots_is_below_the_mean() -> None:
    """Lots of two cartons in a third of the weeks: mean 2/3 a week, median 0."""
    rng = np.random.default_rng(4)
    history = [2.0 * (rng.random(104) < 1 / 3) for _ in range(300)]
    result = forecast_intervals(history, 4, SEASON)
    np.testing.assert_allclose(result.point.mean(), 2 / 3, rtol=0.05)
    assert np.all(result.median == 0)


def test_festival_dates_come_from_holidays() -> None:
    spring, _ = festival_days(2025, 2026)
    assert np.datetime64("2025-01-29") in spring and np.datetime64("2026-02-17") in spring


@pytest.mark.parametrize(
    ("origin", "festival"),
    [("2024-12-02", "2025-01-29"), ("2025-12-22", "2026-02-17")],
)
def test_spring_festival_peak_lands_on_the_right_weeks(origin: str, festival: str) -> None:
    """Trained on history before ``origin``, the peak lands on the two weeks before the
    festival's week of that year, whether it falls in late January or mid-February."""
    weeks = 156
    first = np.datetime64(origin, "D") - weeks * np.timedelta64(7, "D")
    history, dates = _festival_history(str(first), weeks, 300, seed=4)
    out = forecast(history, 14, SEASON, dates=dates).mean(axis=0)
    future = np.datetime64(origin, "D") + np.arange(14) * np.timedelta64(7, "D")
    festival_day = np.datetime64(festival, "D")
    festival_week = int(np.flatnonzero((future <= festival_day) & (festival_day < future + 7))[0])
    peak = set(np.argsort(-out)[:2].tolist())
    assert peak == {festival_week - 1, festival_week - 2}
    assert out[festival_week - 1] > 2.2 * np.median(out)


def test_deterministic_and_order_independent() -> None:
    history, dates = _festival_history("2023-01-02", 100, 40, seed=5)
    history[3] = history[3][50:]
    history[7] = np.zeros(0)
    groups = np.arange(40) % 3
    a = forecast_intervals(history, 5, SEASON, groups=groups, dates=dates)
    b = forecast_intervals(history, 5, SEASON, groups=groups, dates=dates)
    np.testing.assert_array_equal(a.point, b.point)
    np.testing.assert_array_equal(a.upper, b.upper)
    perm = np.random.default_rng(0).permutation(40)
    c = forecast([history[i] for i in perm], 5, SEASON, groups=groups[perm], dates=dates)
    np.testing.assert_allclose(c, a.point[perm], rtol=1e-12, atol=1e-12)


def test_missing_and_negative_values() -> None:
    y, observed = to_matrix([np.array([1.0, np.nan, -2.0]), np.array([4.0])])
    np.testing.assert_array_equal(y, [[1.0, 0.0, 0.0], [0.0, 0.0, 4.0]])
    np.testing.assert_array_equal(observed, [[True, False, True], [False, False, True]])


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="horizon"):
        forecast([np.ones(3)], -1, SEASON)
    with pytest.raises(ValueError, match="season_length"):
        forecast([np.ones(3)], 2, 0)
    with pytest.raises(ValueError, match="groups"):
        forecast([np.ones(3)], 2, SEASON, groups=[1, 2])
    with pytest.raises(ValueError, match="dates"):
        forecast([np.ones(3)], 2, SEASON, dates=_mondays("2024-01-01", 2))
    with pytest.raises(ValueError, match="half_life"):
        ForecastPolicy(half_life=0)


series_strategy = st.lists(
    st.lists(st.integers(min_value=0, max_value=50), min_size=0, max_size=70).map(
        lambda values: np.asarray(values, dtype=float)
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    history=series_strategy,
    horizon=st.integers(min_value=0, max_value=12),
    season=st.sampled_from([4, 13, 52]),
    with_dates=st.booleans(),
    group_count=st.integers(min_value=1, max_value=3),
)
def test_invariants(
    history: list[np.ndarray], horizon: int, season: int, with_dates: bool, group_count: int
) -> None:
    n = len(history)
    columns = max(h.size for h in history)
    dates = _mondays("2023-10-02", columns) if with_dates else None
    groups = np.arange(n) % group_count
    result = forecast_intervals(history, horizon, season, groups=groups, dates=dates)
    assert result.point.shape == (n, horizon)
    assert np.all(np.isfinite(result.bounds))
    assert np.all(result.lower >= 0)
    assert np.all(result.lower <= result.point) and np.all(result.point <= result.upper)
    assert np.all(result.lower <= result.median) and np.all(result.median <= result.upper)
    assert result.median.shape == (n, horizon)
    full = ForecastPolicy().full_history
    for i, h in enumerate(history):
        if h.size >= full and not h.any():
            assert not result.point[i].any() and not result.upper[i].any()
    again = forecast(history, horizon, season, groups=groups, dates=dates)
    np.testing.assert_array_equal(again, result.point)


@settings(max_examples=30, deadline=None)
@given(
    level=st.floats(min_value=0.1, max_value=100.0),
    weeks=st.integers(min_value=1, max_value=120),
)
def test_constant_history_is_its_own_forecast(level: float, weeks: int) -> None:
    out = forecast([np.full(weeks, level)], 4, SEASON)
    np.testing.assert_allclose(out, level, rtol=1e-9)
