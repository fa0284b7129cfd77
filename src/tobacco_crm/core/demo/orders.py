"""Weekly orders of the demo retailers, generated as NumPy arrays (no database access).

The model, for retailer r, week t and product p of r's basket:

    expected(r, t)   = level[r] · exp(growth[r] · years[t]) · season(r, t) · noise(r, t)
    λ(r, t, p)       = expected(r, t) · share(r, t, p) · gift(r, t, p)
    ordered(r, t, p) ~ Bernoulli(q), q = 1 − exp(−λ / 2): products are restocked in lots of
                       about two cartons, not a carton of everything every week
    cartons(r, t, p) = 1 + Poisson(λ / q − 1) when ordered (mean λ), in the weeks r orders;
                       scarce products capped at max(1, round(level / 15)), their allocation

- years[t]: time from the last week, in years (0 for the last week, negative before).
- season(r, t) = 1 + spring_amp[r]·S(d) − after_spring_dip[r]·A(d) − summer_dip[r]·U(y)
  + 0.12·M(m), where d is the number of days from the week's Wednesday to the nearest Spring
  Festival (正月初一, from ``holidays.China``), S(d) = exp(−½((d + 10) / 8)²) peaks ten days
  before it (the 年货 weeks), A(d) = exp(−½((d − 14) / 7)²) is the quiet fortnight after it,
  U(y) = exp(−½((y − 205) / 22)²) the summer dip around day-of-year 205, and
  M(m) = exp(−½((m + 5) / 6)²) the Mid-Autumn gift week (m days from 中秋节).
- noise(r, t): lognormal with mean 1 and the retailer's volatility.
- basket: k = clip(4 + 6·ln(1 + level), 6, 45) products drawn without replacement with weight
  popularity[p] · exp(0.6 · premium[r] · (3 − class[p])) (Gumbel top-k): bigger and urban shops
  (higher premium index) carry more expensive classes. share(r, t, ·) is that weight times the
  product's availability in week t, renormalised every week.
- availability: 1; a new product is 0 before its launch and ramps up over six weeks; a stopped
  product is 0 from its stop; a cultivated brand grows: exp(0.35 · years[t]).
- gift(r, t, p) = 1 + GIFT[class[p]] · (spring_amp[r]·S(d) + M(m)), GIFT = 0.6, 0.35, 0.1,
  0, 0 for classes 1-5: festival gifts are premium cigarettes.

A retailer orders in a week with its order probability, between its first and last day; the
order date is its weekday (Monday to Friday) of that week. An order exists when it has at
least one line; its totals are the sums of its lines; amount = cartons × wholesale price,
computed in integer cents.

The weeks are whole Monday-Sunday weeks; the last one is the most recent week that ended
before the end date ("today").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import numpy as np

from .archive import Demand
from .products import CATALOGUE, ProductSpec

PREMIUM_SLOPE = 0.6
MAX_BASKET = 45
MIN_BASKET = 6
SCARCE_CAP_DIVISOR = 15.0
AUTUMN_AMP = 0.08
CULTIVATED_GROWTH = 0.35
RESTOCK_LOT = 2.0  # cartons: the typical quantity of one product in one order
NEW_PRODUCT_RAMP_DAYS = 42
GIFT_BY_CLASS = np.asarray([0.0, 0.6, 0.35, 0.1, 0.0, 0.0])  # index = price class
# Cells (retailers × weeks × basket slots) generated at once: bounds memory at about 8 MB per
# array whatever the number of retailers.
CELLS_PER_CHUNK = 1_000_000


def last_complete_week_end(today: date) -> date:
    """The Sunday that ended the most recent complete Monday-Sunday week before `today`."""
    return today - timedelta(days=today.weekday() + 1)


def festival_dates(first_year: int, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """First days of the Spring Festival and Mid-Autumn Festival days, for the years given and
    one either side (so every week has a nearest festival)."""
    calendar = holidays.country_holidays(
        "CN", years=range(first_year - 1, last_year + 2), language="en_US"
    )
    spring: dict[int, date] = {}
    autumn: list[date] = []
    for day, name in sorted(calendar.items()):
        if "Spring Festival" in name and "observed" not in name:
            spring.setdefault(day.year, day)
        elif name == "Mid-Autumn Festival":
            autumn.append(day)
    if not spring:
        raise RuntimeError("The holidays package gave no Spring Festival dates.")
    return _as_days(sorted(spring.values())), _as_days(autumn)


def _as_days(days: list[date]) -> np.ndarray:
    return np.asarray([d.isoformat() for d in days], dtype="datetime64[D]")


def _nearest_offset(days: np.ndarray, events: np.ndarray) -> np.ndarray:
    """Days from each day to the nearest event (negative: before it)."""
    if events.size == 0:
        return np.full(days.size, 10_000.0)
    offsets = (days[:, None] - events[None, :]).astype(float)
    return offsets[np.arange(days.size), np.abs(offsets).argmin(axis=1)]


@dataclass
class WeekCalendar:
    mondays: np.ndarray  # datetime64[D], one per week, oldest first
    years: np.ndarray  # years from the last week (≤ 0)
    spring: np.ndarray  # S(d)
    after_spring: np.ndarray  # A(d)
    summer: np.ndarray  # U(day of year)
    autumn: np.ndarray  # M(m)
    spring_festivals: np.ndarray  # datetime64[D]

    @property
    def weeks(self) -> int:
        return int(self.mondays.size)


def week_calendar(today: date, weeks: int) -> WeekCalendar:
    """The `weeks` complete weeks before `today` and their seasonal shapes."""
    last_sunday = last_complete_week_end(today)
    last_monday = np.datetime64(last_sunday.isoformat(), "D") - np.timedelta64(6, "D")
    mondays = last_monday - np.arange(weeks - 1, -1, -1) * np.timedelta64(7, "D")
    first_year = (last_sunday - timedelta(weeks=weeks)).year
    spring_days, autumn_days = festival_dates(first_year, last_sunday.year)
    middle = mondays + np.timedelta64(2, "D")
    d = _nearest_offset(middle, spring_days)
    m = _nearest_offset(middle, autumn_days)
    day_of_year = (middle - middle.astype("datetime64[Y]")).astype(int) + 1
    return WeekCalendar(
        mondays=mondays,
        years=(mondays - last_monday).astype(float) / 365.25,
        spring=np.exp(-0.5 * ((d + 10) / 8) ** 2),
        after_spring=np.exp(-0.5 * ((d - 14) / 7) ** 2),
        summer=np.exp(-0.5 * ((day_of_year - 205) / 22) ** 2),
        autumn=np.exp(-0.5 * ((m + 5) / 6) ** 2),
        spring_festivals=spring_days,
    )


@dataclass
class CatalogueArrays:
    popularity: np.ndarray
    price_class: np.ndarray
    cents: np.ndarray  # wholesale price per carton
    scarce: np.ndarray
    availability: np.ndarray  # (weeks, products)

    @property
    def size(self) -> int:
        return int(self.popularity.size)


def catalogue_arrays(
    calendar: WeekCalendar, catalogue: tuple[ProductSpec, ...] = CATALOGUE
) -> CatalogueArrays:
    weeks = calendar.weeks
    availability = np.ones((weeks, len(catalogue)))
    last_monday = calendar.mondays[-1] if weeks else np.datetime64("2000-01-03")
    for p, spec in enumerate(catalogue):
        if spec.launched_weeks_ago is not None:
            launch = last_monday - np.timedelta64(7 * spec.launched_weeks_ago, "D")
            since = (calendar.mondays - launch).astype(float)
            availability[:, p] = np.where(
                since < 0, 0.0, np.minimum(1.0, (since + 7) / NEW_PRODUCT_RAMP_DAYS)
            )
        if spec.stopped_weeks_ago is not None:
            stop = last_monday - np.timedelta64(7 * spec.stopped_weeks_ago, "D")
            availability[calendar.mondays >= stop, p] = 0.0
        if spec.status == "cultivated":
            availability[:, p] *= np.exp(CULTIVATED_GROWTH * calendar.years)
    return CatalogueArrays(
        popularity=np.asarray([spec.popularity for spec in catalogue]),
        price_class=np.asarray([spec.price_class for spec in catalogue]),
        cents=np.asarray([spec.wholesale_cents for spec in catalogue], dtype=np.int64),
        scarce=np.asarray([spec.status == "scarce" for spec in catalogue]),
        availability=availability,
    )


def retailers_per_chunk(weeks: int) -> int:
    """How many retailers' orders are generated at once (depends only on the week count)."""
    return max(1, min(2000, CELLS_PER_CHUNK // max(1, weeks * MAX_BASKET)))


@dataclass
class OrderArrays:
    """Orders of a chunk of retailers; lines are grouped by order, orders by retailer."""

    order_retailer: np.ndarray  # index within the chunk
    order_date: np.ndarray  # datetime64[D]
    order_cartons: np.ndarray
    order_cents: np.ndarray
    line_order: np.ndarray  # index into the orders
    line_product: np.ndarray  # index into the catalogue
    line_cartons: np.ndarray
    line_cents: np.ndarray


def _empty_orders() -> OrderArrays:
    ints = np.zeros(0, dtype=np.int64)
    return OrderArrays(ints, np.zeros(0, "datetime64[D]"), ints, ints, ints, ints, ints, ints)


def generate_orders(
    rng: np.random.Generator,
    demand: Demand,
    catalogue: CatalogueArrays,
    calendar: WeekCalendar,
) -> OrderArrays:
    """The orders of the retailers in `demand` over the calendar's weeks (module docstring)."""
    count, weeks, products = demand.level.size, calendar.weeks, catalogue.size
    if count == 0 or weeks == 0:
        return _empty_orders()

    # Baskets: weighted sampling without replacement by Gumbel top-k.
    log_weight = np.log(catalogue.popularity)[None, :] + PREMIUM_SLOPE * demand.premium[:, None] * (
        3 - catalogue.price_class
    )[None, :].astype(float)
    keys = log_weight + rng.gumbel(size=(count, products))
    size = np.clip(
        np.rint(4 + 6 * np.log1p(demand.level)), MIN_BASKET, min(MAX_BASKET, products)
    ).astype(np.int64)
    slots = int(size.max())
    basket = np.argsort(-keys, axis=1, kind="stable")[:, :slots]  # (count, slots)
    in_basket = np.arange(slots)[None, :] < size[:, None]
    weight = np.exp(np.take_along_axis(log_weight, basket, axis=1)) * in_basket
    share = weight[:, None, :] * catalogue.availability.T[basket].transpose(0, 2, 1)
    total = share.sum(axis=2, keepdims=True)
    share = np.divide(share, total, out=np.zeros_like(share), where=total > 0)

    # Expected weekly cartons of each retailer.
    season = (
        1
        + demand.spring_amp[:, None] * calendar.spring[None, :]
        - demand.after_spring_dip[:, None] * calendar.after_spring[None, :]
        - demand.summer_dip[:, None] * calendar.summer[None, :]
        + AUTUMN_AMP * calendar.autumn[None, :]
    )
    volatility = demand.volatility[:, None]
    noise = np.exp(volatility * rng.standard_normal((count, weeks)) - volatility**2 / 2)
    expected = (
        demand.level[:, None]
        * np.exp(demand.growth[:, None] * calendar.years[None, :])
        * np.maximum(season, 0.1)
        * noise
    )
    gift = (
        1
        + GIFT_BY_CLASS[catalogue.price_class[basket]][:, None, :]
        * (demand.spring_amp[:, None] * calendar.spring[None, :] + 0.5 * calendar.autumn[None, :])[
            :, :, None
        ]
    )

    order_day = calendar.mondays[None, :] + demand.weekday.astype("timedelta64[D]")[:, None]
    ordering = (
        (rng.random((count, weeks)) < demand.order_prob[:, None])
        & (order_day >= demand.first_day[:, None])
        & (order_day <= demand.last_day[:, None])
    )
    # Restocking in lots: a product is ordered with probability 1 - exp(-λ / LOT) and then
    # 1 + Poisson(λ / p - 1) cartons, which keeps the mean at λ.
    mean = expected[:, :, None] * share * gift * ordering[:, :, None]
    ordered_prob = -np.expm1(-mean / RESTOCK_LOT)
    ordered = rng.random(mean.shape) < ordered_prob
    extra = np.divide(mean, ordered_prob, out=np.ones_like(mean), where=ordered_prob > 0) - 1
    cartons = np.where(ordered, 1 + rng.poisson(np.maximum(extra, 0.0)), 0)
    cap = np.maximum(1, np.rint(demand.level / SCARCE_CAP_DIVISOR)).astype(np.int64)
    scarce = catalogue.scarce[basket][:, None, :]
    cartons = np.where(scarce, np.minimum(cartons, cap[:, None, None]), cartons)

    r, t, slot = np.nonzero(cartons)  # C order: by retailer, then week, then basket slot
    if r.size == 0:
        return _empty_orders()
    line_product = basket[r, slot]
    line_cartons = cartons[r, t, slot].astype(np.int64)
    line_cents = line_cartons * catalogue.cents[line_product]
    key = r * weeks + t
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    order_retailer = r[starts]
    return OrderArrays(
        order_retailer=order_retailer,
        order_date=order_day[order_retailer, t[starts]],
        order_cartons=np.add.reduceat(line_cartons, starts),
        order_cents=np.add.reduceat(line_cents, starts),
        line_order=np.repeat(np.arange(starts.size), np.diff(np.append(starts, key.size))),
        line_product=line_product,
        line_cartons=line_cartons,
        line_cents=line_cents,
    )
