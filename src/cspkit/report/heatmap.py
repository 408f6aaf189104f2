"""The risk heat map: numbered markers in the grid and a key, so labels never overlap or spill.

Issue names written into the cells overlapped as soon as a cell held three or four issues. Each
issue is now a number, laid out on a small grid inside its cell with a font sized to fit, and the
key (number, issue, both bands) is the chart's data table, printed beside the figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.patches
import polars as pl
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from cspkit.report.charts import DPI, SEQUENTIAL, Chart, _figure, _png

#: The largest marker font (points); crowded cells get a smaller one, never below MIN_FONT.
MAX_FONT = 9.0
MIN_FONT = 4.0
#: Markers sit within this distance of the cell's centre (the cell is 1 wide), clear of its edges.
INSET = 0.45


@dataclass(frozen=True)
class Marker:
    """One issue's number on the map and the cell (in data units) it must stay inside."""

    text: Text
    cell: tuple[float, float, float, float]  # x0, y0, x1, y1


def numbered(cells: pl.DataFrame) -> pl.DataFrame:
    """Each placed issue with its marker number: read from the top row (highest) down, left to right."""
    placed = cells.filter(pl.col("issues").list.len() > 0).sort(["row_order", "column_order"], descending=[True, False])
    return placed.explode("issues").with_row_index("number", offset=1).rename({"issues": "issue"})


def draw(cells: pl.DataFrame, row_label: str, column_label: str) -> tuple[Figure, list[Marker]]:
    """The heat map figure and its markers (for the overlap test)."""
    n_rows, n_cols = int(cells["row_order"].max()), int(cells["column_order"].max())
    fig = _figure(7.0, 0.9 * n_rows + 1.2)
    ax = fig.add_subplot()
    cmap = colormaps[SEQUENTIAL]
    for cell in cells.iter_rows(named=True):
        r, c = cell["row_order"], cell["column_order"]
        shade = cmap(0.15 + 0.75 * (r * c) / (n_rows * n_cols))
        ax.add_patch(matplotlib.patches.Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor=shade, alpha=0.35, edgecolor="white"))
    ax.set_xlim(0.5, n_cols + 0.5)
    ax.set_ylim(0.5, n_rows + 0.5)
    columns = cells.unique("column_order").sort("column_order")
    rows = cells.unique("row_order").sort("row_order")
    ax.set_xticks(columns["column_order"].to_list(), columns["column_band"].to_list(), fontsize=7)
    ax.set_yticks(rows["row_order"].to_list(), rows["row_band"].to_list(), fontsize=7)
    ax.set_xlabel(column_label)
    ax.set_ylabel(row_label)
    fig.canvas.draw()  # fixes the axes' size, so the font can be sized to the cells
    box = ax.get_window_extent()
    cell_w_pt, cell_h_pt = box.width / n_cols * 72 / DPI, box.height / n_rows * 72 / DPI
    markers = []
    for (r, c), group in numbered(cells).group_by(["row_order", "column_order"], maintain_order=True):
        numbers = group["number"].to_list()
        per_row = min(len(numbers), math.ceil(math.sqrt(len(numbers) * cell_w_pt / cell_h_pt)))
        lines = math.ceil(len(numbers) / per_row)
        # a slot is 1/per_row of the cell wide and 1/lines high; a two-digit number needs about 1.4 em by 1.2 em
        size = max(MIN_FONT, min(MAX_FONT, 0.9 * cell_w_pt / per_row / 1.6, 0.9 * cell_h_pt / lines / 1.5))
        for i, number in enumerate(numbers):
            x = c - INSET + 2 * INSET * (i % per_row + 0.5) / per_row  # slots inside the cell, clear of its edges
            y = r + INSET - 2 * INSET * (i // per_row + 0.5) / lines
            text = ax.text(x, y, str(number), ha="center", va="center", fontsize=size, fontweight="bold",
                           bbox={"boxstyle": "circle,pad=0.15", "facecolor": "white", "edgecolor": "#505a5f", "linewidth": 0.5})
            markers.append(Marker(text, (c - 0.5, r - 0.5, c + 0.5, r + 0.5)))
    return fig, markers


def overlaps(fig: Figure, markers: list[Marker]) -> list[str]:
    """Every pair of markers whose drawn boxes touch, and every marker outside its cell (empty when none)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [m.text.get_bbox_patch().get_window_extent(renderer) for m in markers]
    problems = []
    for i, (marker, box) in enumerate(zip(markers, boxes, strict=True)):
        ax = marker.text.axes
        x0, y0, x1, y1 = marker.cell
        cell = Bbox(ax.transData.transform([(x0, y0), (x1, y1)]))
        if not (cell.x0 <= box.x0 and box.x1 <= cell.x1 and cell.y0 <= box.y0 and box.y1 <= cell.y1):
            problems.append(f"marker {marker.text.get_text()} spills out of its cell")
        for other, other_box in zip(markers[i + 1 :], boxes[i + 1 :], strict=True):
            if box.overlaps(other_box):
                problems.append(f"markers {marker.text.get_text()} and {other.text.get_text()} overlap")
    return problems


def risk_heat_map(title: str, cells: pl.DataFrame, row_label: str, column_label: str) -> Chart:
    """The heat map with numbered markers; its data table is the key (number, issue, row band, column band)."""
    fig, _ = draw(cells, row_label, column_label)
    key = numbered(cells).select(
        pl.col("number").cast(pl.Int64),
        "issue",
        pl.col("row_band").alias(row_label),
        pl.col("column_band").alias(column_label),
    )
    n_rows, n_cols = int(cells["row_order"].max()), int(cells["column_order"].max())
    alt = (
        f"Risk heat map: a {n_rows} by {n_cols} grid of {row_label} against {column_label} with {key.height} issues "
        "placed as numbered markers; the key table beside the map gives each number's issue"
    )
    top = key.head(1)
    if top.height:
        t = top.row(0, named=True)
        alt += f"; number 1, {t['issue']}, is in the top row ({row_label} {t[row_label]}, {column_label} {t[column_label]})"
    return Chart(title, _png(fig), alt + ".", key)
