"""Maps of any district from the bundled national polygons: ward names that never overlap, a true scale
bar, a north arrow and the OS/ONS licence lines on every map."""

from __future__ import annotations

import json
import math

import pytest

from cspkit.data.geography import bundled_boundaries
from cspkit.report import charts, map_furniture

CARDIFF, BIRMINGHAM = "W06000015", "E08000025"


@pytest.fixture
def drawn(monkeypatch) -> list:
    """The figures the chart functions save, kept to inspect what they print."""
    figures = []
    save = charts._png

    def keep(fig):
        figures.append(fig)
        return save(fig)

    monkeypatch.setattr(charts, "_png", keep)
    return figures


def _district(code: str) -> tuple[dict, dict]:
    frame = bundled_boundaries([code])
    boundaries = {c: json.loads(g) for c, g in frame.select("lsoa21_code", "geometry").iter_rows()}
    return boundaries, dict(frame.select("lsoa21_code", "ward_name").iter_rows())


def _texts(fig) -> list:
    return [t for ax in fig.axes for t in ax.texts] + list(fig.texts) + ([fig._supxlabel] if fig._supxlabel else [])


@pytest.mark.parametrize("code", [CARDIFF, BIRMINGHAM])
def test_every_map_carries_the_licence_lines_scale_north_and_ward_names(drawn, code) -> None:
    boundaries, wards = _district(code)
    values = {c: float(i % 7) for i, c in enumerate(sorted(boundaries))}
    classes = {c: "hot spot" if i < 5 else "not significant" for i, c in enumerate(sorted(boundaries))}
    maps = [charts.choropleth("rate", boundaries, values, "rate per 1,000", wards),
            charts.hotspot_map("hot spots", boundaries, classes, dict.fromkeys(boundaries, 1.0), wards)]
    for chart, fig in zip(maps, drawn, strict=True):
        texts = _texts(fig)
        strings = [t.get_text() for t in texts]
        assert any("Contains OS data © Crown copyright and database right" in s for s in strings)
        assert any("Source: Office for National Statistics licensed under the Open Government Licence" in s for s in strings)
        assert any(s.endswith(" km") for s in strings) and "N" in strings
        shown = [t for t in texts if t.get_text() in set(wards.values())]
        assert len(shown) >= 5  # enough names to find one's way
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in shown]
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
        assert "Ward names are shown for orientation" in chart.alt_text
        assert set(chart.data["ward"].drop_nulls()) <= set(wards.values()) and chart.data["ward"].null_count() == 0


def test_scale_bar_is_true_at_the_maps_latitude() -> None:
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    ax.set_xlim(-3.3, -3.1)  # Cardiff: 0.2 degrees of longitude at 51.5 N is 13.86 km
    ax.set_ylim(51.4, 51.6)
    latitude = map_furniture.true_aspect(ax)
    assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(51.5)))
    width_km = 0.2 * 111.32 * math.cos(math.radians(latitude))
    assert width_km == pytest.approx(13.86, abs=0.01)
    assert map_furniture.scale_bar(ax, latitude) == 2  # the longest round length within a quarter (3.46 km)
    bar = ax.lines[0].get_xdata()
    assert (bar[-1] - bar[0]) * 111.32 * math.cos(math.radians(latitude)) == pytest.approx(2.0)
