"""Print-quality charts and maps: matplotlib PNG at 200 dpi, colour-blind-safe palettes.

Every chart returns its alt text and the data table behind it, so a reader who cannot see the image
(or wants the numbers) loses nothing. Maps draw the bundled LSOA boundary polygons; no web tiles,
so the documents build offline; map_furniture adds ward names, scale, north and the licence lines.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

import polars as pl
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon

from cspkit.report import map_furniture

DPI = 200
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
SEQUENTIAL = "viridis"


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes
    alt_text: str
    data: pl.DataFrame


def _figure(width: float = 7.0, height: float = 3.6) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def trend_chart(
    title: str,
    months: Sequence[date],
    counts: Sequence[float],
    rolling: Sequence[float | None],
    unit: str,
    threshold: int = 0,
) -> Chart:
    """Monthly counts as bars with the 12-month rolling mean as a line.

    A month with a count from 1 to ``threshold - 1`` is drawn as a hatched bar of height
    ``threshold`` ("fewer than 5"), and the alt text then gives no total, lowest month or rolling
    mean values, any of which would let a reader work that month out.
    """
    fig = _figure()
    ax = fig.add_subplot()
    small = [0 < c < threshold for c in counts]
    ax.bar(
        [m for m, s in zip(months, small, strict=True) if not s],
        [c for c, s in zip(counts, small, strict=True) if not s],
        width=25, color=OKABE_ITO["sky_blue"], label=f"{unit} per month",
    )
    if any(small):
        ax.bar(
            [m for m, s in zip(months, small, strict=True) if s], [threshold] * sum(small), width=25, color="white",
            edgecolor=OKABE_ITO["sky_blue"], hatch="///", label=f"fewer than {threshold}",
        )
    shown = [(m, r) for m, r in zip(months, rolling, strict=True) if r is not None]
    if shown:
        ax.plot(
            [m for m, _ in shown],
            [r for _, r in shown],
            color=OKABE_ITO["vermillion"],
            linewidth=2.2,
            label="12-month rolling mean",
        )
    ax.set_ylabel(f"{unit} per month")
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=6))  # few enough ticks that labels never touch
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))  # "May 2021", as the text writes months
    ax.legend(frameon=False, loc="upper left", fontsize=8)
    _style(ax)
    data = pl.DataFrame(
        {"month": [m.strftime("%Y-%m") for m in months], "count": list(counts), "rolling_12_month_mean": list(rolling)}
    )
    first, last = months[0], months[-1]
    if any(small):
        most = max(counts)
        alt = (
            f"Bar chart of {unit} per month from {first:%B %Y} to {last:%B %Y}, "
            + (f"up to {most:,.0f} a month; " if most >= threshold else "")
            + f"{sum(small)} month(s) with fewer than {threshold} drawn as hatched bars of height {threshold}; "
            "with a line for the 12-month rolling mean"
        )
        return Chart(title, _png(fig), alt + ".", data)
    total = sum(counts)
    alt = (
        f"Bar chart of {unit} per month from {first:%B %Y} to {last:%B %Y} ({total:,.0f} in all), "
        f"between {min(counts):,.0f} and {max(counts):,.0f} a month, with a line for the 12-month rolling mean"
    )
    if shown:
        alt += f", which moves from {shown[0][1]:,.1f} to {shown[-1][1]:,.1f}"
    return Chart(title, _png(fig), alt + ".", data)


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    value_label: str,
    highlight: str | None = None,
    errors: Sequence[tuple[float, float]] | None = None,
) -> Chart:
    """Horizontal bars, largest at the top; ``highlight`` marks the partnership's own area among peers.

    ``errors`` are (low, high) interval bounds drawn as whiskers (e.g. survey margins of error).
    """
    order = sorted(range(len(labels)), key=lambda i: values[i])
    labels = [labels[i] for i in order]
    values = [values[i] for i in order]
    fig = _figure(7.0, max(2.2, 0.32 * len(labels) + 0.9))
    ax = fig.add_subplot()
    colours = [OKABE_ITO["vermillion"] if label == highlight else OKABE_ITO["blue"] for label in labels]
    xerr = None
    if errors is not None:
        errors = [errors[i] for i in order]
        xerr = [
            [v - lo for v, (lo, _) in zip(values, errors, strict=True)],
            [hi - v for v, (_, hi) in zip(values, errors, strict=True)],
        ]
    ax.barh(labels, values, color=colours, xerr=xerr, error_kw={"ecolor": OKABE_ITO["black"], "capsize": 2, "linewidth": 0.8})
    ax.set_xlabel(value_label)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    columns: dict[str, list] = {"label": labels[::-1], "value": values[::-1]}
    if errors is not None:
        columns["low"] = [lo for lo, _ in errors][::-1]
        columns["high"] = [hi for _, hi in errors][::-1]
    top = ", ".join(f"{lab} {val:,.1f}" for lab, val in list(zip(labels, values, strict=True))[::-1][:3])
    alt = f"Horizontal bar chart of {value_label} for {len(labels)} items; the highest are {top}"
    if highlight is not None and highlight in labels:
        position = labels[::-1].index(highlight) + 1
        alt += f". {highlight} is highlighted and ranks {position} of {len(labels)}"
        columns["rank"] = list(range(1, len(labels) + 1))
        ax.annotate(  # the rank drawn beside the area's own bar, so the comparison reads without counting
            f"rank {position} of {len(labels)}", (values[labels.index(highlight)], labels.index(highlight)),
            xytext=(4, 0), textcoords="offset points", va="center", fontsize=8, fontweight="bold",
            color=OKABE_ITO["vermillion"],
        )
    return Chart(title, _png(fig), alt + ".", pl.DataFrame(columns))


def _polygons(geometry: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    """Outer rings of a GeoJSON Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def _draw_areas(
    ax: Any, boundaries: Mapping[str, Mapping[str, Any]], colour_of: Mapping[str, Any], wards: Mapping[str, str] | None
) -> str:
    """The LSOAs shaded, with the map furniture (scale, north, licence lines, ward names); returns the alt
    text's sentence about the ward names shown."""
    patches, colours = [], []
    for code, geometry in boundaries.items():
        for ring in _polygons(geometry):
            patches.append(Polygon(ring, closed=True))
            colours.append(colour_of.get(code, "#eeeeee"))
    ax.add_collection(PatchCollection(patches, facecolor=colours, edgecolor="white", linewidth=0.25))
    ax.autoscale_view()
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    ax.set_axis_off()
    shown = map_furniture.decorate(ax, boundaries, wards)
    return f" Ward names are shown for orientation ({len(shown)} of {len(set(wards.values()))})." if shown and wards else ""


def _with_wards(data: pl.DataFrame, wards: Mapping[str, str] | None) -> pl.DataFrame:
    if not wards:
        return data
    return data.with_columns(pl.col("lsoa21_code").replace_strict(wards, default=None, return_dtype=pl.String).alias("ward"))


def choropleth(
    title: str, boundaries: Mapping[str, Mapping[str, Any]], values: Mapping[str, float | None], value_label: str,
    wards: Mapping[str, str] | None = None,
) -> Chart:
    """LSOAs shaded by a value on the viridis scale; LSOAs without a value are light grey. ``wards``
    (LSOA code -> ward name) labels the wards for orientation."""
    fig = _figure(6.5, 6.0)
    ax = fig.add_subplot()
    known = [v for v in values.values() if v is not None]
    norm = Normalize(vmin=min(known, default=0.0), vmax=max(known, default=1.0))
    cmap = colormaps[SEQUENTIAL]
    mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(mappable, ax=ax, shrink=0.6, label=value_label)
    ward_note = _draw_areas(ax, boundaries, {c: cmap(norm(v)) for c, v in values.items() if v is not None}, wards)
    ranked = sorted(((v, c) for c, v in values.items() if v is not None), reverse=True)
    data = pl.DataFrame(
        {"lsoa21_code": [c for _, c in ranked], "value": [v for v, _ in ranked]},
        schema={"lsoa21_code": pl.String, "value": pl.Float64},
    )
    alt = (
        f"Map of {len(boundaries)} neighbourhoods (LSOAs) shaded by {value_label}, from {norm.vmin:,.1f} (dark purple) "
        f"to {norm.vmax:,.1f} (yellow)"
    )
    if ranked:
        alt += f"; the highest is {ranked[0][1]} at {ranked[0][0]:,.1f}"
    return Chart(title, _png(fig), alt + "." + ward_note, _with_wards(data, wards))


HOTSPOT_COLOURS = {
    "hot spot": OKABE_ITO["vermillion"],
    "cold spot": OKABE_ITO["blue"],
    "not significant": "#dddddd",
}


def hotspot_map(
    title: str, boundaries: Mapping[str, Mapping[str, Any]], classes: Mapping[str, str], z_scores: Mapping[str, float],
    wards: Mapping[str, str] | None = None,
) -> Chart:
    """LSOAs coloured by their Getis-Ord Gi* class (after the analysis module's FDR correction)."""
    fig = _figure(6.5, 6.0)
    ax = fig.add_subplot()
    ax.legend(
        handles=[Patch(color=col, label=lab) for lab, col in HOTSPOT_COLOURS.items()], frameon=False, loc="lower left", fontsize=8
    )
    ward_note = _draw_areas(ax, boundaries, {c: HOTSPOT_COLOURS.get(k, "#dddddd") for c, k in classes.items()}, wards)
    codes = sorted(classes, key=lambda c: -z_scores.get(c, 0.0))
    data = pl.DataFrame(
        {"lsoa21_code": codes, "gi_star_z": [z_scores.get(c) for c in codes], "class": [classes[c] for c in codes]}
    )
    hot = sum(1 for k in classes.values() if k == "hot spot")
    cold = sum(1 for k in classes.values() if k == "cold spot")
    alt = (
        f"Map of {len(boundaries)} neighbourhoods (LSOAs) showing {hot} statistically significant hot spots in "
        f"orange-red and {cold} cold spots in blue; the rest are grey."
    )
    return Chart(title, _png(fig), alt + ward_note, _with_wards(data, wards))


#: Emerging hot spot categories: reds for hot, blues for cold, darkest for the most established pattern.
EMERGING_COLOURS = {
    "intensifying hot spot": "#67000d",
    "persistent hot spot": "#a50f15",
    "consecutive hot spot": "#cb181d",
    "new hot spot": "#ef3b2c",
    "diminishing hot spot": "#fb6a4a",
    "oscillating hot spot": "#fc9272",
    "sporadic hot spot": "#fcbba1",
    "historical hot spot": "#fee0d2",
    "intensifying cold spot": "#08306b",
    "persistent cold spot": "#08519c",
    "consecutive cold spot": "#2171b5",
    "new cold spot": "#4292c6",
    "diminishing cold spot": "#6baed6",
    "oscillating cold spot": "#9ecae1",
    "sporadic cold spot": "#c6dbef",
    "historical cold spot": "#deebf7",
    "no pattern detected": "#eeeeee",
}


def emerging_map(
    title: str, boundaries: Mapping[str, Mapping[str, Any]], categories: Mapping[str, str], wards: Mapping[str, str] | None = None
) -> Chart:
    """LSOAs coloured by their emerging hot spot category; the legend lists the categories present."""
    fig = _figure(6.5, 6.0)
    ax = fig.add_subplot()
    ward_note = _draw_areas(ax, boundaries, {c: EMERGING_COLOURS.get(k, "#eeeeee") for c, k in categories.items()}, wards)
    present = [name for name in EMERGING_COLOURS if name in set(categories.values())]
    ax.legend(
        handles=[Patch(facecolor=EMERGING_COLOURS[n], edgecolor="#999999", label=n) for n in present],
        frameon=False,
        loc="lower left",
        fontsize=7,
    )
    data = pl.DataFrame(
        {"lsoa21_code": list(categories), "category": list(categories.values())},
        schema={"lsoa21_code": pl.String, "category": pl.String},
    ).sort("category", "lsoa21_code")
    counted = (
        data.filter(pl.col("category") != "no pattern detected")
        .group_by("category")
        .len()
        .sort(["len", "category"], descending=[True, False])
    )
    described = "; ".join(f"{row['len']} {row['category']}" for row in counted.iter_rows(named=True)) or "none"
    alt = (
        f"Map of {len(boundaries)} neighbourhoods (LSOAs) coloured by how their hot or cold spot status changed over the "
        f"period (reds: hot spot patterns, blues: cold spot patterns, light grey: no pattern). Neighbourhoods with a "
        f"pattern: {described}.{ward_note}"
    )
    return Chart(title, _png(fig), alt, _with_wards(data, wards))
