"""The market census of seed 002 and the archive profiles the demo draws from.

The census (浦江县城北访销线, one sales line on the edge of a county seat) counts 214
licensed retailers, 2 of them suspended or closed (停歇业). Each share below says its base
(DOMAIN.md: a report must say which base each share uses):

- business formats, of the 212 active retailers: 食杂店 200, 超市 5, 其他 3, 烟酒店 2,
  娱乐服务 2 (no 便利店, no 商场);
- market type, of the 214: 城镇 140, 乡村 74;
- business districts, of the 214: 居民区/社区 172, 工业区 24, 商业(集贸)区 16, 学区 2;
- chain type: no chains; the article names two kinds to watch, same-legal-person supermarket
  chains (中联超市, 信得利超市, 兴客隆超市 ... 分店) and same-name individual supermarkets run by
  relatives;
- daily opening hours, of the 214: under 12 h 2, 12-16 h 99, 16 h or more 113.

How the demo blends it: the census describes a grocery-dominated line at the edge of a county
seat with its villages, so the seat's edge, the township centres and the countryside take the
census shares as they are (township centres report the census's 商业/集贸区 as 乡镇集市). The
seat's centre, which the census does not cover, takes an urban-core profile: fewer groceries
(58 %), convenience stores, supermarkets, tobacco-and-liquor shops and teahouses/chess rooms
instead, more commercial districts and longer hours (some 24-hour convenience stores). The
centre holds 22 % of the retailers (geography.ZONE_SHARES), so the county as a whole has about
86 % groceries, 2 % "other" (the classification allows at most 5 %), and 65 % urban retailers as
the census does. Status: the census's 2 in 214 inactive, split evenly between 停业 and 歇业.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geography import Zone


@dataclass(frozen=True)
class Shares:
    """A categorical distribution: codes with counts or weights (normalised when drawn)."""

    codes: tuple[str, ...]
    weights: tuple[float, ...]

    def probabilities(self) -> np.ndarray:
        weights = np.asarray(self.weights, dtype=float)
        return weights / weights.sum()

    def share(self, code: str) -> float:
        return float(self.probabilities()[self.codes.index(code)]) if code in self.codes else 0.0

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.asarray(self.codes)[
            rng.choice(len(self.codes), size=size, p=self.probabilities())
        ]


# The census, as counted (codes of tobacco_crm.retailers.choices).
CENSUS_FORMATS = Shares(("Z", "C", "Q", "Y", "F"), (200, 5, 3, 2, 2))  # base: 212 active
CENSUS_MARKET_TYPES = Shares(("C", "X"), (140, 74))  # base: 214
CENSUS_DISTRICTS = Shares(
    ("residential", "industrial", "commercial", "school"), (172, 24, 16, 2)
)  # base: 214
CENSUS_HOURS = Shares(("under_12", "12_to_16", "16_plus"), (2, 99, 113))  # base: 214
CENSUS_STATUS = Shares(("normal", "suspended", "closed"), (212, 1, 1))  # base: 214

# The seat's centre (not covered by the census).
URBAN_CORE_FORMATS = Shares(("Z", "B", "C", "S", "Y", "F", "Q"), (58, 12, 8, 1, 12, 6, 3))
URBAN_CORE_DISTRICTS = Shares(
    ("commercial", "residential", "school", "transport", "industrial", "tourist", "other"),
    (35, 45, 6, 5, 3, 2, 4),
)
URBAN_CORE_HOURS = Shares(("under_12", "12_to_16", "16_plus"), (3, 37, 60))

# Township centres: the census with its 商业/集贸区 reported as 乡镇集市.
TOWNSHIP_DISTRICTS = Shares(
    ("residential", "industrial", "rural_market", "school"), CENSUS_DISTRICTS.weights
)


@dataclass(frozen=True)
class ZoneProfile:
    market_type: str
    formats: Shares
    districts: Shares
    hours: Shares


ZONE_PROFILES: dict[Zone, ZoneProfile] = {
    Zone.SEAT_CORE: ZoneProfile("C", URBAN_CORE_FORMATS, URBAN_CORE_DISTRICTS, URBAN_CORE_HOURS),
    Zone.SEAT_EDGE: ZoneProfile("C", CENSUS_FORMATS, CENSUS_DISTRICTS, CENSUS_HOURS),
    Zone.TOWNSHIP: ZoneProfile("C", CENSUS_FORMATS, TOWNSHIP_DISTRICTS, CENSUS_HOURS),
    Zone.ROADSIDE: ZoneProfile("X", CENSUS_FORMATS, CENSUS_DISTRICTS, CENSUS_HOURS),
    Zone.VILLAGE: ZoneProfile("X", CENSUS_FORMATS, CENSUS_DISTRICTS, CENSUS_HOURS),
}
