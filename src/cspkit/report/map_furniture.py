"""What a printed map needs besides its shading: ward names to find one's way, a scale bar, a north
arrow and the copyright lines the OS and ONS licences require on every map of their boundaries.

Maps are drawn in longitude/latitude; :func:`true_aspect` stretches them so a kilometre is as long
north-south as east-west at the area's latitude, which is what makes a scale bar honest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from cspkit.data.geography import MAP_ATTRIBUTION

KM_PER_DEGREE_LATITUDE = 111.32
SCALE_LENGTHS_KM = (0.5, 1, 2, 5, 10, 20, 50, 100)


def true_aspect(ax: Any) -> float:
    """Set the axes' aspect so that distances are true at the middle latitude; returns that latitude."""
    low, high = ax.get_ylim()
    latitude = (low + high) / 2
    ax.set_aspect(1 / math.cos(math.radians(latitude)))
    return latitude


def scale_length_km(width_km: float) -> float:
    """The longest round length that fits in a quarter of the map's width."""
    return max((k for k in SCALE_LENGTHS_KM if k <= width_km / 4), default=SCALE_LENGTHS_KM[0])


def scale_bar(ax: Any, latitude: float) -> float:
    """A scale bar in the lower right corner; returns its length in km."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_degree = KM_PER_DEGREE_LATITUDE * math.cos(math.radians(latitude))
    length = scale_length_km((x1 - x0) * km_per_degree)
    end = x1 - 0.03 * (x1 - x0)
    start = end - length / km_per_degree
    y = y0 + 0.04 * (y1 - y0)
    tick = 0.012 * (y1 - y0)
    ax.plot([start, start, end, end], [y + tick, y, y, y + tick], color="black", linewidth=1.0, solid_capstyle="butt")
    label = f"{length:g} km"
    ax.text((start + end) / 2, y + 1.6 * tick, label, ha="center", va="bottom", fontsize=6.5)
    return length


def north_arrow(ax: Any) -> None:
    """An arrow and N in the upper right corner (the maps are drawn north up)."""
    ax.annotate("N", xy=(0.96, 0.97), xytext=(0.96, 0.88), xycoords="axes fraction", ha="center", va="center",
                fontsize=8, fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.0})


def ward_labels(ax: Any, boundaries: Mapping[str, Mapping[str, Any]], wards: Mapping[str, str]) -> list[str]:
    """Ward names at a point inside each ward; where two would overlap the smaller ward's is left out.

    Returns the names shown, largest ward first.
    """
    import shapely
    from matplotlib import patheffects

    by_ward: dict[str, list[Any]] = {}
    for code, geometry in boundaries.items():
        if code in wards:
            by_ward.setdefault(wards[code], []).append(shapely.geometry.shape(geometry))
    shapes = {name: shapely.union_all(parts) for name, parts in by_ward.items()}
    halo = [patheffects.withStroke(linewidth=1.6, foreground="white")]
    texts = []
    for name in sorted(shapes, key=lambda n: -shapes[n].area):
        point = shapes[name].point_on_surface()
        texts.append(ax.text(point.x, point.y, name, ha="center", va="center", fontsize=4.8, color="#222222",
                             path_effects=halo, zorder=5))
    figure = ax.get_figure()
    figure.draw_without_rendering()  # the final layout, so the labels' extents are where they will print
    renderer = figure.canvas.get_renderer()
    placed, shown = [], []
    for text in texts:
        box = text.get_window_extent(renderer).expanded(1.05, 1.15)
        if any(box.overlaps(other) for other in placed):
            text.remove()
        else:
            placed.append(box)
            shown.append(text.get_text())
    return shown


def decorate(ax: Any, boundaries: Mapping[str, Mapping[str, Any]], wards: Mapping[str, str] | None) -> list[str]:
    """True aspect, scale bar, north arrow, the licence lines under the map, then ward names (placed last,
    against the final layout). Returns the ward names shown."""
    latitude = true_aspect(ax)
    scale_bar(ax, latitude)
    north_arrow(ax)
    ax.get_figure().supxlabel(MAP_ATTRIBUTION, fontsize=6.5, color="#444444", wrap=True)
    return ward_labels(ax, boundaries, wards) if wards else []
