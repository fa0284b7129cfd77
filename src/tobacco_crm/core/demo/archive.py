"""The demo county's retailer archive, generated as NumPy arrays (no database access).

The model of the data, step by step (each step draws from its own seeded generator):

1. Position, zone and town (geography.place_retailers); territory by recursive bisection
   (geography.partition_territories); within a territory, five sectors around its centre give
   the weekday the retailer orders on (访销 by day route). Retailers are then ordered by
   territory, weekday and bearing, so database ids follow the routes.
2. Market type, business format, business district and opening hours from the zone's profile
   (census.ZONE_PROFILES). Hours classes become times on the half hour: under 12 h opens
   08:00-09:30 and closes 18:00-19:30; 12-16 h opens 07:00-08:30 and closes 20:30-22:30;
   16 h or more opens 06:00-07:00 and closes 23:00-00:30; 40 % of the seat centre's long-hours
   convenience stores are open around the clock (opens_at = closes_at = 00:00).
3. Size: `level`, the expected weekly cartons, lognormal (sigma 0.55) around a median by
   format (城镇; 乡村 × 0.75; the seat's centre × 1.15). `scale` ranks the level within the
   format: the top 20 % scale 1, the next 40 % scale 2, the rest 3 (the classification's "share
   of volume within its format"). `business_scale` is absolute: large from 40 cartons a week,
   medium from 15, small below.
4. Status: the census's 2 in 214 inactive, half 停业 (suspended) and half 歇业 (closed); they
   stopped ordering 1-20 weeks before the end date. 4 % of the retailers opened within the last
   400 days and order only since; the others opened 1-25 years ago.
5. Owner and contact: Chinese owner name, a unique mobile phone, a unique license number,
   birthday (age 24-72; unknown for 8 %), important dates (开业纪念日 for a third of the
   retailers and every new one, 结婚纪念日 for a tenth), e-settlement (95 % of urban and 88 % of
   rural retailers), chains among urban supermarkets, convenience stores and malls (seat centre:
   35 % branches of seed 002's chains and 10 % same-name shops; township centres 15 % each).
6. Demand, for orders.py: annual growth (normal, mean 3 %, sd 6 %), Spring Festival amplitude
   (0.45-0.95, higher for rural retailers and tobacco-and-liquor shops), summer dip (5-18 %),
   weekly volatility (lognormal around 15 %), a premium index (format, market type, size, the
   seat's centre, noise) that tilts the basket towards expensive classes, and the probability
   of ordering in a given week (0.6-0.99, higher for bigger shops).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from . import names
from .census import CENSUS_STATUS, ZONE_PROFILES
from .geography import (
    SANTAI,
    County,
    Zone,
    local_km,
    partition_territories,
    place_retailers,
)

# Random streams: one generator per purpose, seeded by (seed, stream).
STREAM_GEOGRAPHY = 1
STREAM_ARCHIVE = 2
STREAM_NAMES = 3
STREAM_CONTACT = 4
STREAM_DEMAND = 5
STREAM_ORDERS = 6
STREAM_STAFF = 7


def stream(seed: int, purpose: int, *more: int) -> np.random.Generator:
    """The generator of one purpose: independent of the others, fixed by the seed."""
    return np.random.default_rng([seed, purpose, *more])


MEDIAN_WEEKLY_CARTONS = {
    "Z": 16.0,
    "B": 26.0,
    "C": 42.0,
    "S": 60.0,
    "Y": 65.0,
    "F": 15.0,
    "Q": 10.0,
}
RURAL_LEVEL_FACTOR = 0.75
SEAT_CORE_LEVEL_FACTOR = 1.15
LARGE_FROM_CARTONS = 50.0
MEDIUM_FROM_CARTONS = 20.0
PREMIUM_BY_FORMAT = {"Z": -0.3, "B": 0.3, "C": 0.4, "S": 0.6, "Y": 0.9, "F": 0.2, "Q": -0.2}
WEEKDAYS = 5  # orders are taken Monday to Friday

HOURS_TIMES = {
    # class: (first opening minute, opening choices, first closing minute, closing choices)
    "under_12": (8 * 60, 4, 18 * 60, 4),
    "12_to_16": (7 * 60, 4, 20 * 60 + 30, 5),
    "16_plus": (6 * 60, 3, 23 * 60, 4),
}


@dataclass
class Demand:
    """Per-retailer demand parameters (arrays of length n)."""

    level: np.ndarray  # expected cartons per week
    growth: np.ndarray  # annual growth, log scale
    spring_amp: np.ndarray  # extra share at the pre-Spring-Festival peak
    after_spring_dip: np.ndarray  # share lost in the weeks after the festival
    summer_dip: np.ndarray  # share lost at the height of summer
    volatility: np.ndarray  # sd of the weekly log noise
    premium: np.ndarray  # tilt towards price classes 1-2 (positive) or 4-5 (negative)
    order_prob: np.ndarray  # probability of ordering in a week
    weekday: np.ndarray  # 0 Monday .. 4 Friday
    first_day: np.ndarray  # datetime64[D]: first day it may order
    last_day: np.ndarray  # datetime64[D]: last day it may order

    def slice(self, start: int, stop: int) -> Demand:
        return Demand(**{k: v[start:stop] for k, v in self.__dict__.items()})


@dataclass
class RetailerTable:
    """The archive fields of n retailers, in database order, plus their demand."""

    license_no: list[str]
    shop_name: list[str]
    owner_name: list[str]
    phone: list[str]
    address: list[str]
    latitude: np.ndarray
    longitude: np.ndarray
    business_format: np.ndarray
    market_type: np.ndarray
    scale: np.ndarray
    business_district: np.ndarray
    chain_type: np.ndarray
    opens_minute: np.ndarray
    closes_minute: np.ndarray
    status: np.ndarray
    birthday: np.ndarray  # datetime64[D], NaT when unknown
    important_dates: list[list[dict[str, str]]]
    e_settlement: np.ndarray
    business_scale: np.ndarray
    territory: np.ndarray  # 0..territories-1
    town: np.ndarray  # 0 the seat, 1.. townships
    zone: np.ndarray
    demand: Demand

    def __len__(self) -> int:
        return len(self.license_no)


def _route_order(
    north: np.ndarray, east: np.ndarray, territory: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weekday of each retailer (five sectors around its territory's centre, equal sizes) and
    the bearing used to order retailers along the day's route."""
    n = territory.size
    count = np.bincount(territory)
    centre_n = np.bincount(territory, weights=north) / np.maximum(count, 1)
    centre_e = np.bincount(territory, weights=east) / np.maximum(count, 1)
    bearing = np.arctan2(east - centre_e[territory], north - centre_n[territory])
    order = np.lexsort((np.arange(n), bearing, territory))
    rank = np.empty(n, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(count)[:-1]])
    rank[order] = np.arange(n) - np.repeat(starts, count)
    weekday = (rank * WEEKDAYS // np.maximum(count[territory], 1)).astype(np.int8)
    return weekday, bearing


def _scale_within_format(level: np.ndarray, formats: np.ndarray) -> np.ndarray:
    scale = np.full(level.size, 3, dtype=np.int8)
    for code in np.unique(formats):
        members = np.flatnonzero(formats == code)
        order = members[np.argsort(-level[members], kind="stable")]
        top = round(members.size * 0.2)
        middle = round(members.size * 0.6)
        scale[order[:top]] = 1
        scale[order[top:middle]] = 2
    return scale


def _hours(rng: np.random.Generator, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = classes.size
    opens = np.zeros(n, dtype=np.int32)
    closes = np.zeros(n, dtype=np.int32)
    for name, (open_first, open_choices, close_first, close_choices) in HOURS_TIMES.items():
        members = classes == name
        count = int(members.sum())
        opens[members] = open_first + 30 * rng.integers(0, open_choices, count)
        closes[members] = (close_first + 30 * rng.integers(0, close_choices, count)) % (24 * 60)
    return opens, closes


def _days(value: date) -> np.datetime64:
    return np.datetime64(value.isoformat(), "D")


def generate_retailers(
    *, seed: int, n: int, territories: int, end_date: date, county: County = SANTAI
) -> RetailerTable:
    """The archive of n retailers divided into `territories` territories (module docstring)."""
    if n < 1 or territories < 1:
        raise ValueError("Need at least one retailer and one territory.")
    place = place_retailers(stream(seed, STREAM_GEOGRAPHY), n, county)
    territory = partition_territories(place.latitude, place.longitude, territories)
    north, east = local_km(place.latitude, place.longitude)
    weekday, bearing = _route_order(north, east, territory)
    order = np.lexsort((np.arange(n), bearing, weekday, territory))
    territory, weekday = territory[order], weekday[order]
    lat, lon = place.latitude[order], place.longitude[order]
    zone, town = place.zone[order], place.town[order]
    street, village = place.street[order], place.village[order]

    rng = stream(seed, STREAM_ARCHIVE)
    market = np.empty(n, dtype="<U1")
    formats = np.empty(n, dtype="<U1")
    districts = np.empty(n, dtype="<U16")
    hours_class = np.empty(n, dtype="<U8")
    for z, profile in ZONE_PROFILES.items():
        members = np.flatnonzero(zone == z)
        market[members] = profile.market_type
        formats[members] = profile.formats.draw(rng, members.size)
        districts[members] = profile.districts.draw(rng, members.size)
        hours_class[members] = profile.hours.draw(rng, members.size)
    opens, closes = _hours(rng, hours_class)
    around_clock = ((zone == Zone.SEAT_CORE) & (formats == "B") & (hours_class == "16_plus")) & (
        rng.random(n) < 0.4
    )
    opens[around_clock] = 0
    closes[around_clock] = 0

    median = np.vectorize(MEDIAN_WEEKLY_CARTONS.__getitem__, otypes=[float])(formats)
    median *= np.where(market == "X", RURAL_LEVEL_FACTOR, 1.0)
    median *= np.where(zone == Zone.SEAT_CORE, SEAT_CORE_LEVEL_FACTOR, 1.0)
    level = np.clip(median * np.exp(rng.normal(0, 0.55, n)), 1.0, 500.0)
    scale = _scale_within_format(level, formats)
    business_scale = np.where(
        level >= LARGE_FROM_CARTONS,
        "large",
        np.where(level >= MEDIUM_FROM_CARTONS, "medium", "small"),
    )

    status = CENSUS_STATUS.draw(rng, n)
    end = _days(end_date)
    no_limit_first = np.datetime64("1900-01-01")
    no_limit_last = np.datetime64("2999-12-31")
    last_day = np.where(
        status == "normal", no_limit_last, end - rng.integers(7, 141, n).astype("timedelta64[D]")
    ).astype("datetime64[D]")
    opened_days_ago = np.where(
        rng.random(n) < 0.04, rng.integers(7, 400, n), rng.integers(400, 25 * 365, n)
    )
    opened = end - opened_days_ago.astype("timedelta64[D]")
    first_day = np.where(opened_days_ago < 400, opened, no_limit_first).astype("datetime64[D]")

    chain = np.full(n, "none", dtype="<U17")
    chain_formats = np.isin(formats, ["B", "C", "S"])
    draw = rng.random(n)
    core = chain_formats & (zone == Zone.SEAT_CORE)
    township = chain_formats & (zone == Zone.TOWNSHIP)
    chain[core & (draw < 0.35)] = "same_legal_person"
    chain[core & (draw >= 0.35) & (draw < 0.45)] = "same_name"
    chain[township & (draw < 0.15)] = "same_legal_person"
    chain[township & (draw >= 0.15) & (draw < 0.30)] = "same_name"

    urban = market == "C"
    e_settlement = rng.random(n) < np.where(urban, 0.95, 0.88)

    demand_rng = stream(seed, STREAM_DEMAND)
    premium = (
        np.vectorize(PREMIUM_BY_FORMAT.__getitem__, otypes=[float])(formats)
        + np.where(urban, 0.3, -0.4)
        + 0.35 * np.log(level / 16.0)
        + np.where(zone == Zone.SEAT_CORE, 0.2, 0.0)
        + demand_rng.normal(0, 0.3, n)
    )
    demand = Demand(
        level=level,
        growth=demand_rng.normal(0.03, 0.06, n),
        spring_amp=demand_rng.uniform(0.4, 0.7, n)
        + np.where(urban, 0.0, 0.15)
        + np.where(formats == "Y", 0.2, 0.0),
        after_spring_dip=demand_rng.uniform(0.1, 0.2, n) + np.where(urban, 0.12, 0.0),
        summer_dip=demand_rng.uniform(0.05, 0.18, n),
        volatility=np.clip(0.15 * np.exp(demand_rng.normal(0, 0.45, n)), 0.05, 0.5),
        premium=premium,
        order_prob=np.clip(0.78 + 0.06 * np.log(level), 0.6, 0.99),
        weekday=weekday,
        first_day=first_day,
        last_day=last_day,
    )

    # Owners, names, contact.
    name_rng = stream(seed, STREAM_NAMES)
    family = names.surnames(name_rng, n)
    owner = names.person_names(name_rng, n, family=family)
    town_names = np.asarray(county.town_names, dtype=object)
    town_short = np.asarray([t.removesuffix("镇") for t in county.town_names], dtype=object)
    rural = market == "X"
    place_word = np.where(
        rural, village + "村", np.where(zone == Zone.TOWNSHIP, town_short[town] + street, street)
    )
    branch = np.where(zone == Zone.TOWNSHIP, town_short[town], street)
    shop = names.shop_names(
        name_rng, formats=formats, chain_types=chain, family=family, places=place_word,
        branches=branch,
    )  # fmt: skip
    house = name_rng.integers(1, 400, n)
    group = name_rng.integers(1, 13, n)
    address = [
        f"{county.name}{town_names[town[i]]}{village[i]}村{group[i]}组"
        if rural[i]
        else f"{county.name}{town_names[town[i]]}{street[i]}{house[i]}号"
        for i in range(n)
    ]

    contact_rng = stream(seed, STREAM_CONTACT)
    phone = names.mobile_phones(contact_rng, n)
    license_no = names.license_numbers(contact_rng, n, county.admin_code)
    age_days = contact_rng.integers(24 * 365, 72 * 365, n).astype("timedelta64[D]")
    birthday = (end - age_days).astype("datetime64[D]")
    birthday[contact_rng.random(n) < 0.08] = np.datetime64("NaT")
    has_opening = (contact_rng.random(n) < 1 / 3) | (opened_days_ago < 400)
    married = contact_rng.random(n) < 0.1
    wedding = end - contact_rng.integers(365, 40 * 365, n).astype("timedelta64[D]")
    important: list[list[dict[str, str]]] = []
    for i in range(n):
        entries = []
        if has_opening[i]:
            entries.append({"date": str(opened[i]), "label": "开业纪念日"})
        if married[i]:
            entries.append({"date": str(wedding[i]), "label": "结婚纪念日"})
        important.append(entries)

    return RetailerTable(
        license_no=license_no,
        shop_name=shop,
        owner_name=owner,
        phone=phone,
        address=address,
        latitude=lat,
        longitude=lon,
        business_format=formats,
        market_type=market,
        scale=scale,
        business_district=districts,
        chain_type=chain,
        opens_minute=opens,
        closes_minute=closes,
        status=status,
        birthday=birthday,
        important_dates=important,
        e_settlement=e_settlement,
        business_scale=business_scale,
        territory=territory,
        town=town,
        zone=zone,
        demand=demand,
    )
