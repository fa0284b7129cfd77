"""Where the demo county's retailers stand, and how they are divided into territories.

The county is 三台县 (Santai County, Mianyang, Sichuan; administrative code 510722). Its seat,
潼川镇, is at 31.092020 N, 105.087000 E (the coordinate the county's encyclopaedia entry gives);
the county spans 104°43'-105°18' E and 30°43'-31°25' N. The eight townships are real towns of
the county, but their bearings and distances from the seat are schematic (chosen to lie inside
that extent), not surveyed positions.

The model of the data: every retailer belongs to one zone.

- ``SEAT_CORE``: the county seat's centre: half along four main streets, half scattered
  around the centre (sigma 0.8 km). Urban (城镇).
- ``SEAT_EDGE``: a ring 2-4.5 km around the seat's centre. Urban.
- ``TOWNSHIP``: a township's centre (镇区), on its main street or around it (sigma 0.35 km).
  Urban, as the national statistics' urban-rural code 121 (镇中心区) counts it.
- ``ROADSIDE``: along the road from the seat to a township (a polyline with one bend), partly
  spread, partly in hamlets along it. Rural (乡村).
- ``VILLAGE``: around one of six villages per township, 3-8 km from its centre. Rural.

Zone shares (``ZONE_SHARES``) give 65 % urban retailers, as the census of seed 002 found
(140 of 214). Townships receive their retailers in proportion to their weight.

Territories (片区) come from a recursive coordinate bisection: the retailers are split along
the longer side (in km) of their extent into two groups whose sizes are proportional to the
number of territories each side gets, until there is one group per territory. The result is
compact, contiguous areas of equal size (±1 retailer), deterministic for given positions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

KM_PER_DEGREE_LAT = 111.32


class Zone(IntEnum):
    SEAT_CORE = 0
    SEAT_EDGE = 1
    TOWNSHIP = 2
    ROADSIDE = 3
    VILLAGE = 4


URBAN_ZONES = frozenset({Zone.SEAT_CORE, Zone.SEAT_EDGE, Zone.TOWNSHIP})

ZONE_SHARES: dict[Zone, float] = {
    Zone.SEAT_CORE: 0.22,
    Zone.SEAT_EDGE: 0.16,
    Zone.TOWNSHIP: 0.27,
    Zone.ROADSIDE: 0.20,
    Zone.VILLAGE: 0.15,
}


@dataclass(frozen=True)
class Township:
    name: str
    bearing_deg: float  # clockwise from north, seen from the seat
    distance_km: float
    weight: float  # relative size (population, hence retailers)

    @property
    def short_name(self) -> str:
        return self.name.removesuffix("镇").removesuffix("乡")


@dataclass(frozen=True)
class County:
    name: str
    province: str
    city: str
    admin_code: str
    seat: str
    latitude: float
    longitude: float
    lat_range: tuple[float, float]
    lon_range: tuple[float, float]
    townships: tuple[Township, ...]
    seat_streets: tuple[str, ...]  # the four main streets of the seat
    seat_side_streets: tuple[str, ...]
    township_streets: tuple[str, ...]

    @property
    def short_seat(self) -> str:
        return self.seat.removesuffix("镇")

    @property
    def town_names(self) -> tuple[str, ...]:
        """Town index 0 is the seat, 1.. the townships."""
        return (self.seat, *(t.name for t in self.townships))


SEAT_SIDE_STREETS = (
    "东街", "西街", "南街", "北街", "解放路", "建设路", "胜利路", "和平路", "花园路", "文化路",
    "学府路", "工业路", "车站路", "云台路", "芙蓉路", "涪江路", "潼川路", "北坝路", "牛头山路",
    "正北街",
)  # fmt: skip

SANTAI = County(
    name="三台县",
    province="四川省",
    city="绵阳市",
    admin_code="510722",
    seat="潼川镇",
    latitude=31.092020,
    longitude=105.087000,
    lat_range=(30.7167, 31.4167),
    lon_range=(104.7167, 105.3000),
    townships=(
        Township("芦溪镇", 300, 24, 1.3),
        Township("新德镇", 345, 17, 1.0),
        Township("中太镇", 5, 26, 0.9),
        Township("观桥镇", 35, 20, 1.0),
        Township("塔山镇", 95, 11, 0.8),
        Township("郪江镇", 195, 30, 1.1),
        Township("西平镇", 235, 18, 0.9),
        Township("刘营镇", 270, 20, 0.8),
    ),
    seat_streets=("梓州大道", "人民路", "滨江路", "新华路"),
    seat_side_streets=SEAT_SIDE_STREETS,
    township_streets=("正街", "新街", "老街", "场镇街", "兴隆街", "南街", "北街", "新华街"),
)

VILLAGE_NAMES = (
    "青龙", "白鹤", "石桥", "双河", "新华", "红星", "永安", "龙泉", "金鸡", "高峰", "花园",
    "黄桷", "柏林", "观音", "玉皇", "桂花", "长春", "凤凰", "马鞍", "天池", "太平", "狮子",
    "团结", "光明", "新民", "和平", "三合", "五里", "七里", "白果", "柳树", "竹林", "庙坝",
    "水井", "荷花", "石龙", "龙井", "金山", "银河", "青杠", "文昌", "宝峰", "回龙", "紫云",
)  # fmt: skip

VILLAGES_PER_TOWNSHIP = 6
SEAT_STREET_ANGLES_DEG = (10.0, 75.0, 130.0, 160.0)


@dataclass
class Placement:
    """Positions and places of n retailers (arrays of length n)."""

    latitude: np.ndarray  # float64, rounded to 6 decimals
    longitude: np.ndarray
    zone: np.ndarray  # int8, Zone values
    town: np.ndarray  # int16: 0 the seat, 1.. the townships
    street: np.ndarray  # object: street name (urban zones) or "" (rural)
    village: np.ndarray  # object: village name without 村 (rural zones) or ""


def _km_to_deg(
    county: County, north_km: np.ndarray, east_km: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    lat = county.latitude + north_km / KM_PER_DEGREE_LAT
    lon = county.longitude + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(county.latitude)))
    return lat, lon


def _polar(
    bearing_deg: np.ndarray | float, distance_km: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """(north, east) of a bearing (clockwise from north) and a distance."""
    theta = np.radians(bearing_deg)
    return np.asarray(distance_km) * np.cos(theta), np.asarray(distance_km) * np.sin(theta)


def _unit(angle_deg: float) -> tuple[float, float]:
    theta = math.radians(angle_deg)
    return math.cos(theta), math.sin(theta)


def place_retailers(rng: np.random.Generator, n: int, county: County = SANTAI) -> Placement:
    """Draw the zone, town and position of n retailers (see the module docstring)."""
    zones_order = list(ZONE_SHARES)
    zone = np.asarray(zones_order, dtype=np.int8)[
        rng.choice(len(zones_order), size=n, p=np.asarray(list(ZONE_SHARES.values())))
    ]
    weights = np.asarray([t.weight for t in county.townships])
    town = np.zeros(n, dtype=np.int16)
    in_township = zone >= Zone.TOWNSHIP
    town[in_township] = 1 + rng.choice(
        len(weights), size=int(in_township.sum()), p=weights / weights.sum()
    )

    north = np.zeros(n)
    east = np.zeros(n)
    street = np.full(n, "", dtype=object)
    village = np.full(n, "", dtype=object)

    # Township centres and, per township, its villages (positions relative to the seat).
    t_north, t_east = _polar(
        np.asarray([t.bearing_deg for t in county.townships]),
        np.asarray([t.distance_km for t in county.townships]),
    )
    n_towns = len(county.townships)
    village_names = np.asarray(VILLAGE_NAMES, dtype=object)
    town_villages = np.stack(
        [
            rng.choice(len(village_names), size=VILLAGES_PER_TOWNSHIP, replace=False)
            for _ in range(n_towns)
        ]
    )
    v_north, v_east = _polar(
        rng.uniform(0, 360, size=(n_towns, VILLAGES_PER_TOWNSHIP)),
        rng.uniform(3, 8, size=(n_towns, VILLAGES_PER_TOWNSHIP)),
    )
    v_north += t_north[:, None]
    v_east += t_east[:, None]
    # Each road bends once: its midpoint is pushed sideways by up to 3 km.
    bend = rng.uniform(-3, 3, size=n_towns)

    # Seat centre: main streets or scattered.
    idx = np.flatnonzero(zone == Zone.SEAT_CORE)
    on_street = rng.random(idx.size) < 0.55
    which = rng.integers(0, len(SEAT_STREET_ANGLES_DEG), size=idx.size)
    along = rng.uniform(-2.2, 2.2, size=idx.size)
    directions = np.asarray([_unit(a) for a in SEAT_STREET_ANGLES_DEG])
    north[idx] = np.where(
        on_street, along * directions[which, 0] + rng.normal(0, 0.04, idx.size),
        rng.normal(0, 0.8, idx.size),
    )  # fmt: skip
    east[idx] = np.where(
        on_street, along * directions[which, 1] + rng.normal(0, 0.04, idx.size),
        rng.normal(0, 0.8, idx.size),
    )  # fmt: skip
    main = np.asarray(county.seat_streets, dtype=object)[which]
    side = np.asarray(county.seat_side_streets, dtype=object)[
        rng.integers(0, len(county.seat_side_streets), size=idx.size)
    ]
    street[idx] = np.where(on_street, main, side)

    # Seat edge: a ring.
    idx = np.flatnonzero(zone == Zone.SEAT_EDGE)
    north[idx], east[idx] = _polar(rng.uniform(0, 360, idx.size), rng.uniform(2.0, 4.5, idx.size))
    street[idx] = np.asarray(county.seat_side_streets, dtype=object)[
        rng.integers(0, len(county.seat_side_streets), size=idx.size)
    ]

    # Township centres: a main street through the centre, or around it.
    idx = np.flatnonzero(zone == Zone.TOWNSHIP)
    k = town[idx] - 1
    street_angle = rng.uniform(0, 180, size=n_towns)[k]
    on_street = rng.random(idx.size) < 0.5
    along = rng.uniform(-0.9, 0.9, idx.size)
    theta = np.radians(street_angle)
    north[idx] = t_north[k] + np.where(
        on_street, along * np.cos(theta) + rng.normal(0, 0.03, idx.size),
        rng.normal(0, 0.35, idx.size),
    )  # fmt: skip
    east[idx] = t_east[k] + np.where(
        on_street, along * np.sin(theta) + rng.normal(0, 0.03, idx.size),
        rng.normal(0, 0.35, idx.size),
    )  # fmt: skip
    street[idx] = np.asarray(county.township_streets, dtype=object)[
        np.where(on_street, 0, rng.integers(1, len(county.township_streets), idx.size))
    ]

    # Roadside: along seat -> bend -> township, half in three hamlets per road.
    idx = np.flatnonzero(zone == Zone.ROADSIDE)
    k = town[idx] - 1
    hamlets = rng.uniform(0.2, 0.85, size=(n_towns, 3))
    in_hamlet = rng.random(idx.size) < 0.5
    u = np.where(
        in_hamlet, hamlets[k, rng.integers(0, 3, idx.size)] + rng.normal(0, 0.01, idx.size),
        rng.uniform(0.1, 0.92, idx.size),
    )  # fmt: skip
    u = np.clip(u, 0.05, 0.95)
    # Polyline: point at fraction u of seat->mid->township, mid = half way + sideways bend.
    length = np.hypot(t_north, t_east)
    mid_north = t_north / 2 - bend * t_east / length
    mid_east = t_east / 2 + bend * t_north / length
    first = u < 0.5
    s = np.where(first, u * 2, (u - 0.5) * 2)
    north[idx] = np.where(first, s * mid_north[k], mid_north[k] + s * (t_north[k] - mid_north[k]))
    east[idx] = np.where(first, s * mid_east[k], mid_east[k] + s * (t_east[k] - mid_east[k]))
    north[idx] += rng.normal(0, 0.12, idx.size)
    east[idx] += rng.normal(0, 0.12, idx.size)
    village[idx] = village_names[town_villages[k, rng.integers(0, VILLAGES_PER_TOWNSHIP, idx.size)]]

    # Villages: around one of the township's villages.
    idx = np.flatnonzero(zone == Zone.VILLAGE)
    k = town[idx] - 1
    v = rng.integers(0, VILLAGES_PER_TOWNSHIP, idx.size)
    north[idx] = v_north[k, v] + rng.normal(0, 0.25, idx.size)
    east[idx] = v_east[k, v] + rng.normal(0, 0.25, idx.size)
    village[idx] = village_names[town_villages[k, v]]

    lat, lon = _km_to_deg(county, north, east)
    lat = np.round(np.clip(lat, *county.lat_range), 6)
    lon = np.round(np.clip(lon, *county.lon_range), 6)
    return Placement(lat, lon, zone, town, street, village)


def local_km(latitude: np.ndarray, longitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular (north, east) kilometres around the points' mean: good to a few metres
    over a county."""
    lat0 = float(np.mean(latitude)) if latitude.size else 0.0
    north = (latitude - lat0) * KM_PER_DEGREE_LAT
    east = (longitude - float(np.mean(longitude) if longitude.size else 0.0)) * (
        KM_PER_DEGREE_LAT * math.cos(math.radians(lat0))
    )
    return north, east


def seat_offsets_km(
    latitude: np.ndarray, longitude: np.ndarray, county: County = SANTAI
) -> tuple[np.ndarray, np.ndarray]:
    """(north, east) kilometres of points from the county seat."""
    north = (latitude - county.latitude) * KM_PER_DEGREE_LAT
    east = (longitude - county.longitude) * (
        KM_PER_DEGREE_LAT * math.cos(math.radians(county.latitude))
    )
    return north, east


def partition_territories(latitude: np.ndarray, longitude: np.ndarray, parts: int) -> np.ndarray:
    """Territory index (0..parts-1) of each point by recursive coordinate bisection.

    Territory sizes differ by at most one; indices run from the split's first side to its
    second, so neighbouring indices are neighbouring areas. Ties are broken by the point's
    index (a stable sort), so the result depends on nothing but the inputs.
    """
    n = latitude.size
    if parts < 1:
        raise ValueError("parts must be at least 1")
    north, east = local_km(latitude, longitude)
    labels = np.zeros(n, dtype=np.int32)
    # Work list of (indices, first label, number of parts).
    stack: list[tuple[np.ndarray, int, int]] = [(np.arange(n), 0, parts)]
    while stack:
        members, first_label, count = stack.pop()
        if count == 1 or members.size == 0:
            labels[members] = first_label
            continue
        left_parts = count // 2
        x, y = north[members], east[members]
        axis = x if np.ptp(x) >= np.ptp(y) else y
        order = members[np.argsort(axis, kind="stable")]
        cut = round(members.size * left_parts / count)
        stack.append((order[:cut], first_label, left_parts))
        stack.append((order[cut:], first_label + left_parts, count - left_parts))
    return labels
