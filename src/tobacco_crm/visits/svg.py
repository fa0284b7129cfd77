"""The day's route as an inline SVG map drawn from the coordinates alone (no tile server):
an equirectangular projection scaled to the points, the office as a square, each visit as a
numbered dot, and the route as a closed polyline office → visits in order → office."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from .models import PlannedVisit

SIZE = 320
PAD = 20


def route_svg(depot: tuple[float, float], visits: list[PlannedVisit]) -> SafeString:
    located = [
        (v, float(v.retailer.latitude), float(v.retailer.longitude))
        for v in visits
        if v.retailer.latitude is not None and v.retailer.longitude is not None
    ]
    lats = [depot[0]] + [lat for _, lat, _ in located]
    lons = [depot[1]] + [lon for _, _, lon in located]
    kx = math.cos(math.radians(sum(lats) / len(lats)))
    span = max((max(lons) - min(lons)) * kx, max(lats) - min(lats), 1e-6)
    scale = (SIZE - 2 * PAD) / span

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (
            round(PAD + (lon - min(lons)) * kx * scale, 1),
            round(SIZE - PAD - (lat - min(lats)) * scale, 1),
        )

    dx, dy = xy(*depot)
    routed = [(v, lat, lon) for v, lat, lon in located if v.planned_arrival is not None]
    path = [(dx, dy)] + [xy(lat, lon) for _, lat, lon in routed] + [(dx, dy)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        'class="route-map" role="img" aria-label="route">',
        f'<rect width="{SIZE}" height="{SIZE}" fill="#f7f7f4"/>',
    ]
    if len(path) > 2:
        points = " ".join(f"{x},{y}" for x, y in path)
        parts.append(
            f'<polyline class="route-line" points="{points}" fill="none" '
            'stroke="#1f6feb" stroke-width="2" stroke-linejoin="round"/>'
        )
    parts.append(
        f'<rect class="depot" x="{dx - 6}" y="{dy - 6}" width="12" height="12" fill="#333"/>'
    )
    for v, lat, lon in located:
        x, y = xy(lat, lon)
        fill = "#d73a49" if v.planned_arrival is None else "#1f6feb"
        parts.append(
            f'<g class="stop"><title>{escape(v.retailer.shop_name)}</title>'
            f'<circle cx="{x}" cy="{y}" r="9" fill="{fill}"/>'
            f'<text x="{x}" y="{y + 4}" text-anchor="middle" font-size="10" fill="#fff">'
            f"{v.position}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value is a number or escaped
