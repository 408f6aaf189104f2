"""Geography: the bundled reference tables, LSOA 2011 -> 2021 harmonisation and area selection.

The method (exact ONS lookup, nearest child centroid for split LSOAs, best fit otherwise) is
described in docs/geography.md; the sources and licences in reference/ATTRIBUTION.md.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from cspkit.data import warehouse
from cspkit.errors import ConfigError, InputError

REFERENCE = resources.files("cspkit.data") / "reference"

#: table -> bundled gzipped CSV (columns named as the table's)
REFERENCE_TABLES = {
    "lsoa": "lsoa.csv.gz",
    "lsoa11_lsoa21": "lsoa11_lsoa21.csv.gz",
    "lad": "lad.csv.gz",
    "lad_alias": "lad_alias.csv.gz",
    "population": "population.csv.gz",
    "households": "households.csv.gz",
    "imd": "imd.csv.gz",
    "wimd": "wimd.csv.gz",
}

#: Queen contiguity of every LSOA 2021 (pairs, lsoa21_code < neighbour_code), from the full-resolution polygons.
CONTIGUITY_FILE = "lsoa21_queen_contiguity.parquet"
#: Every LSOA 2021 polygon (GeoJSON text, WGS84), simplified for maps: build_reference.MAP_TOLERANCE.
BOUNDARY_FILE = "lsoa21_boundaries.parquet"

#: Required by the licences of the ONS boundaries (with OS data in them) and lookups, on every map drawn from them.
MAP_ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2025. "
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0."
)

#: How far (degrees, about 35 to 55 m) a point on an LSOA boundary, or in a gap the simplified map
#: polygons leave between neighbours, may be from the polygon it is placed in (the nearest).
GAP_DEGREES = 0.0005

#: Great Britain and Northern Ireland with a margin: police.uk coordinates outside it are errors.
UK_LONGITUDE = (-8.7, 1.9)
UK_LATITUDE = (49.8, 60.9)


def _load_csv_table(con: duckdb.DuckDBPyConnection, table: str, path: Path | str) -> int:
    """Replace a reference table by a bundled CSV, read in the table's own column types (no sniffing)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header = next(csv.reader([handle.readline()]))
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())
    if not header or any(name not in types for name in header):
        raise ValueError(f"{path}: columns {header} are not all columns of {table}")
    columns = ", ".join(f"'{name}': '{types[name]}'" for name in header)
    con.execute(f"DELETE FROM {table}")
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_csv(?, header = true, auto_detect = false, "
                f"columns = {{{columns}}})", [str(path)])
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


#: Names a GeoJSON ``crs`` member may give for WGS84 longitude/latitude (lower case).
WGS84_NAMES = frozenset({
    "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "urn:ogc:def:crs:epsg::4326", "epsg:4326",
    "ogc:crs84", "crs84", "http://www.opengis.net/def/crs/ogc/1.3/crs84", "http://www.opengis.net/def/crs/epsg/0/4326",
})


def _require_wgs84(collection: dict, shapes: object, label: str) -> None:
    """Refuse boundaries not in WGS84 longitude/latitude in the UK (RFC 7946 GeoJSON is; a
    British National Grid export is in metres and would otherwise replace the right polygons silently)."""
    import numpy as np
    import shapely

    crs = collection.get("crs")
    if crs is not None:
        name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
        if str(name).strip().lower() not in WGS84_NAMES:
            raise InputError(
                f"the file's crs member is {name or json.dumps(crs)!r}, not WGS84 longitude/latitude (CRS84 or EPSG:4326); "
                "export the boundaries in WGS84 (for example ogr2ogr -t_srs EPSG:4326 out.geojson in.shp)", file=label)
    xy, owner = shapely.get_coordinates(shapes, return_index=True)
    outside = ~((xy[:, 0] >= UK_LONGITUDE[0]) & (xy[:, 0] <= UK_LONGITUDE[1])
                & (xy[:, 1] >= UK_LATITUDE[0]) & (xy[:, 1] <= UK_LATITUDE[1]))
    if outside.any():
        first = int(np.argmax(outside))
        x, y = xy[first]
        grid = 0 <= x <= 700_000 and 0 <= y <= 1_300_000 and max(abs(x), abs(y)) > 180
        found = "British National Grid metres (EPSG:27700)" if grid else "not longitude/latitude in the UK"
        raise InputError(
            f"coordinates are not WGS84 longitude/latitude: found ({x:.6g}, {y:.6g}), which looks like {found}; "
            f"{int(outside.sum()):,} of {len(xy):,} points are outside the UK. Export the boundaries in "
            "WGS84 (EPSG:4326); nothing was loaded", file=label, row=int(owner[first]) + 1)


def load_boundaries(con: duckdb.DuckDBPyConnection, path: Path | str, label: str | None = None) -> int:
    """Add or replace LSOA 2021 polygons from a GeoJSON FeatureCollection (property LSOA21CD) in WGS84.

    Checked before anything changes: every feature has a code and a (Multi)Polygon, and the
    coordinates are longitude/latitude in the UK. Contiguity among the file's LSOAs is then
    recomputed from the new polygons (:func:`refresh_contiguity`).
    """
    import shapely

    label = label or str(path)
    try:
        collection = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        features = collection["features"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"not a GeoJSON FeatureCollection: {exc}", file=label) from exc
    rows = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code = props.get("LSOA21CD") or props.get("lsoa21cd") or props.get("lsoa21_code")
        geometry = feature.get("geometry") or {}
        if not code or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise InputError("feature without an LSOA21CD property or a Polygon/MultiPolygon geometry", file=label, row=number)
        rows.append((code, json.dumps(geometry, separators=(",", ":"))))
    frame = pl.DataFrame(rows, schema=["lsoa21_code", "geometry"], orient="row")
    try:
        shapes = shapely.from_geojson(frame["geometry"].to_list())
    except shapely.errors.GEOSException as exc:
        raise InputError(f"unreadable polygon: {exc}", file=label) from exc
    _require_wgs84(collection, shapes, label)
    con.register("_boundaries", frame.to_arrow())
    con.execute("DELETE FROM lsoa_boundary WHERE lsoa21_code IN (SELECT lsoa21_code FROM _boundaries)")
    con.execute("INSERT INTO lsoa_boundary SELECT * FROM _boundaries")
    con.unregister("_boundaries")
    refresh_contiguity(con, frame["lsoa21_code"].to_list())
    return len(rows)


def refresh_contiguity(con: duckdb.DuckDBPyConnection, codes: Sequence[str]) -> None:
    """Recompute queen contiguity among ``codes`` from their polygons in ``lsoa_boundary``.

    Used when boundaries are replaced: pairs between two replaced LSOAs come from the new polygons;
    pairs with an LSOA outside ``codes`` stay as bundled (computed from the full ONS polygons).
    """
    import shapely

    rows = con.execute("SELECT lsoa21_code, geometry FROM lsoa_boundary WHERE lsoa21_code IN (SELECT unnest(?))",
                       [list(codes)]).fetchall()
    pairs = queen_pairs([r[0] for r in rows], shapely.from_geojson([r[1] for r in rows]))
    _replace_contiguity(con, pairs, among=[r[0] for r in rows])


def queen_pairs(codes: Sequence[str], geometries: Sequence[object]) -> pl.DataFrame:
    """Queen contiguity of shapely polygons: ``lsoa21_code``, ``neighbour_code`` (code < neighbour), one row a pair.

    Two polygons are neighbours when their boundaries share at least one vertex (libpysal's ``Queen``
    rule, so the weights equal what an analyst gets from libpysal on the same polygons). ONS
    boundaries are cut from one topology, so neighbours share their vertices exactly.
    """
    import numpy as np
    import shapely

    coordinates, owner = shapely.get_coordinates(shapely.boundary(np.asarray(geometries, dtype=object)), return_index=True)
    if not len(coordinates):
        return pl.DataFrame(schema={"lsoa21_code": pl.String, "neighbour_code": pl.String})
    _, vertex = np.unique(coordinates, axis=0, return_inverse=True)
    code = np.asarray(codes, dtype=object)
    owners = pl.DataFrame({"vertex": vertex.ravel(), "lsoa21_code": code[owner].tolist()}).unique()
    return (owners.join(owners, on="vertex", suffix="_other")
            .filter(pl.col("lsoa21_code") < pl.col("lsoa21_code_other"))
            .select("lsoa21_code", pl.col("lsoa21_code_other").alias("neighbour_code"))
            .unique().sort("lsoa21_code", "neighbour_code"))


def _replace_contiguity(con: duckdb.DuckDBPyConnection, pairs: pl.DataFrame, among: Sequence[str] | None = None) -> None:
    """Store neighbour pairs: all of them (``among`` None), or those between the LSOAs ``among`` only."""
    if among is None:
        con.execute("DELETE FROM lsoa_contiguity")
    else:
        con.execute("""DELETE FROM lsoa_contiguity WHERE lsoa21_code IN (SELECT unnest($1))
                       AND neighbour_code IN (SELECT unnest($1))""", [list(among)])
    con.register("_pairs", pairs.to_arrow())
    con.execute("INSERT INTO lsoa_contiguity SELECT lsoa21_code, neighbour_code FROM _pairs")
    con.unregister("_pairs")


def load_reference_tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)load every bundled reference table; returns rows per table."""
    counts = {}
    for table, name in REFERENCE_TABLES.items():
        with resources.as_file(REFERENCE / name) as path:
            counts[table] = _load_csv_table(con, table, path)
    with resources.as_file(REFERENCE / CONTIGUITY_FILE) as path:
        _replace_contiguity(con, pl.read_parquet(path))
    counts["lsoa_contiguity"] = con.execute("SELECT count(*) FROM lsoa_contiguity").fetchall()[0][0]
    # The bundled polygons are read from the package when needed (boundaries()); the table keeps the
    # user's own, which a reload of the bundled tables (and their contiguity) sets aside.
    con.execute("DELETE FROM lsoa_boundary")
    return counts


def reference_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the bundled tables are in (a warehouse made before the contiguity table counts as not)."""
    return all(con.execute(f"SELECT count(*) > 0 FROM {table}").fetchall()[0][0] for table in ("lsoa", "lsoa_contiguity"))


def ensure_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Load the bundled reference tables if the warehouse has none yet."""
    if not reference_loaded(con):
        load_reference_tables(con)


def load_reference(warehouse_path: str | Path) -> dict[str, int]:
    """Load (or reload) the bundled reference tables into a warehouse, in one transaction."""
    with warehouse.write(warehouse_path) as con:
        return load_reference_tables(con)


def deprivation_indices(con: duckdb.DuckDBPyConnection, lad_codes: Sequence[str]) -> dict[str, int]:
    """The deprivation indices covering an area's LSOAs -> how many LSOAs each covers ('none' for uncovered).

    England's IMD 2025 and Wales's WIMD 2019 rank their own nation only: a Welsh joint CSP has one
    index, an English one another; a document should name the index and never rank one against the other.
    """
    rows = con.execute("""SELECT coalesce(d.deprivation_index, 'none'), count(*) FROM lsoa l
                          LEFT JOIN deprivation d USING (lsoa21_code) WHERE list_contains($1, l.lad_code)
                          GROUP BY 1 ORDER BY 1""", [list(lad_codes)]).fetchall()
    return dict(rows)


def boundaries(con: duckdb.DuckDBPyConnection, lad_codes: Sequence[str] | None = None) -> pl.DataFrame:
    """``lsoa21_code``, ``geometry`` (GeoJSON text) of every LSOA (or the districts'): the bundled national
    polygons, each replaced by the user's own where ``cspkit ingest geography`` loaded one (``lsoa_boundary``)."""
    with resources.as_file(REFERENCE / BOUNDARY_FILE) as path:
        bundled = pl.read_parquet(path)
    own = pl.DataFrame(con.execute("SELECT lsoa21_code, geometry FROM lsoa_boundary").fetchall(),
                       schema={"lsoa21_code": pl.String, "geometry": pl.String}, orient="row")
    frame = pl.concat([own, bundled.join(own, on="lsoa21_code", how="anti")]).sort("lsoa21_code")
    if lad_codes is None:
        return frame
    area = [r[0] for r in con.execute("SELECT lsoa21_code FROM lsoa WHERE list_contains(?, lad_code)",
                                      [list(lad_codes)]).fetchall()]
    return frame.filter(pl.col("lsoa21_code").is_in(area))


def bundled_boundaries(lad_codes: Sequence[str]) -> pl.DataFrame:
    """The bundled map polygons of the districts' LSOAs, read from the package (no warehouse needed):
    ``lsoa21_code``, ``lsoa21_name``, ``ward_name``, ``geometry`` (GeoJSON text, WGS84)."""
    with resources.as_file(REFERENCE / "lsoa.csv.gz") as names, resources.as_file(REFERENCE / BOUNDARY_FILE) as shapes:
        lsoas = (pl.read_csv(names, columns=["lsoa21_code", "lsoa21_name", "ward_name", "lad_code"])
                 .filter(pl.col("lad_code").is_in(list(lad_codes))).drop("lad_code"))
        return lsoas.join(pl.read_parquet(shapes), on="lsoa21_code").sort("lsoa21_code")


def boundaries_geojson(boundaries: pl.DataFrame) -> str:
    """A GeoJSON FeatureCollection (properties LSOA21CD, LSOA21NM) of :func:`bundled_boundaries` rows."""
    features = ",".join(
        json.dumps({"type": "Feature", "properties": {"LSOA21CD": code, "LSOA21NM": name}})[:-1] + f',"geometry":{geometry}}}'
        for code, name, geometry in boundaries.select("lsoa21_code", "lsoa21_name", "geometry").iter_rows())
    return f'{{"type":"FeatureCollection","features":[{features}]}}'


# ---- user-supplied national files ------------------------------------------------------------

def _header(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace") as handle:
        return [h.strip().strip('"').lower() for h in handle.readline().split(",")]


def _pick(header: list[str], *candidates: str) -> str | None:
    return next((c for c in candidates if c in header), None)


def ingest_geography_file(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[str, int]:
    """Load one user-supplied geography file, recognised by its columns. Returns (table, rows)."""
    try:
        return _ingest_geography_file(con, path)
    except duckdb.Error as exc:
        raise InputError(f"could not load this geography file: {str(exc).splitlines()[0]}", file=path) from exc


def _ingest_geography_file(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[str, int]:
    name = path.name.lower()
    if name.endswith((".geojson", ".json")):
        return "lsoa_boundary", load_boundaries(con, path)
    if not name.endswith((".csv", ".csv.gz")):
        raise InputError("expected a GeoJSON boundary file or an ONS lookup CSV", file=path)
    header = _header(path)
    src = "read_csv($file, header = true, all_varchar = true)"
    file = {"file": path.as_posix()}
    postcode = _pick(header, "pcds", "pcd", "pcd7", "pcd8", "postcode")
    lsoa21 = _pick(header, "lsoa21", "lsoa21cd", "lsoa21_code")
    if postcode and lsoa21:
        con.execute(f"""INSERT OR REPLACE INTO postcode
            SELECT DISTINCT ON (pc) pc, "{lsoa21}" FROM (
              SELECT upper(replace("{postcode}", ' ', '')) AS pc, "{lsoa21}" FROM {src}) WHERE pc <> ''""", file)
        return "postcode", con.execute("SELECT count(*) FROM postcode").fetchall()[0][0]
    if {"lsoa11cd", "lsoa21cd", "chgind"} <= set(header) or {"f_lsoa11cd", "lsoa21cd", "chgind"} <= set(header):
        code11 = "lsoa11cd" if "lsoa11cd" in header else "f_lsoa11cd"
        con.execute("DELETE FROM lsoa11_lsoa21")
        con.execute(f"""INSERT INTO lsoa11_lsoa21 SELECT "{code11}", lsoa21cd, chgind, false FROM {src}""", file)
        return "lsoa11_lsoa21", con.execute("SELECT count(*) FROM lsoa11_lsoa21").fetchall()[0][0]
    ward = _pick(header, "wd24cd", "wd25cd", "wd23cd", "wd22cd")
    lad = _pick(header, "lad24cd", "lad25cd", "lad23cd", "lad22cd")
    if lsoa21 and ward and lad:
        con.execute(f"""INSERT OR REPLACE INTO lsoa (lsoa21_code, lsoa21_name, ward_code, ward_name, lad_code, lad_name,
                latitude, longitude)
            SELECT n."{lsoa21}", n.lsoa21nm, n."{ward}", n."{ward.replace('cd', 'nm')}", n."{lad}",
                   n."{lad.replace('cd', 'nm')}", o.latitude, o.longitude
            FROM {src} n LEFT JOIN lsoa o ON o.lsoa21_code = n."{lsoa21}" """, file)
        return "lsoa", con.execute("SELECT count(*) FROM lsoa").fetchall()[0][0]
    raise InputError(
        "unrecognised geography file: expected an ONS postcode directory (pcds, lsoa21), an LSOA 2011 to 2021 "
        "lookup (LSOA11CD, LSOA21CD, CHGIND), an LSOA 2021 to ward to LAD lookup (LSOA21CD, WD24CD, LAD24CD) "
        "or LSOA 2021 boundaries (GeoJSON)",
        file=path,
    )


def ingest_geography(warehouse_path: str | Path, files: list[Path] | None = None) -> dict[str, int]:
    """Load the bundled reference tables, then each user-supplied national file, in one transaction."""
    with warehouse.write(warehouse_path) as con:
        counts = load_reference_tables(con) if files is None or not reference_loaded(con) else {}
        for path in files or []:
            if not Path(path).exists():
                raise InputError("no such file", file=path)
            table, rows = ingest_geography_file(con, Path(path))
            counts[table] = rows
        return counts


# ---- LSOA harmonisation ------------------------------------------------------------------------

@dataclass(frozen=True)
class LsoaLookup:
    """The lookups that put any police.uk LSOA code on the 2021 boundaries, held in memory for speed.

    ``direct``: code -> lsoa21_code for 2021 codes, unchanged (U), merged (M), best fit for the rest.
    ``split_children``: for 2011 LSOAs split in 2021 (S), each child with its centroid.
    ``lad``: lsoa21_code -> lad_code.
    """

    direct: pl.DataFrame
    split_children: pl.DataFrame
    lad: pl.DataFrame

    @cached_property
    def by_code(self) -> pl.DataFrame:
        """Every known code with its 2021 LSOA, district and whether it was split: one join per batch of rows."""
        return (self.direct.rename({"_code": "lsoa_code"}).join(self.lad, on="_lsoa21", how="left")
                .with_columns(pl.col("lsoa_code").is_in(self.split_children["_code"].implode()).alias("_split")))

    @classmethod
    def from_warehouse(cls, con: duckdb.DuckDBPyConnection) -> LsoaLookup:
        direct = (con.sql("""
            SELECT lsoa21_code AS _code, lsoa21_code AS _lsoa21 FROM lsoa
            UNION ALL
            SELECT lsoa11_code, any_value(lsoa21_code ORDER BY best_fit DESC) FROM lsoa11_lsoa21
            WHERE lsoa11_code NOT IN (SELECT lsoa21_code FROM lsoa)
              AND (change_code IN ('U', 'M') OR best_fit)
            GROUP BY lsoa11_code
        """).pl())
        children = (con.sql("""
            SELECT x.lsoa11_code AS _code, x.lsoa21_code AS _child, l.latitude AS _clat, l.longitude AS _clon
            FROM lsoa11_lsoa21 x JOIN lsoa l USING (lsoa21_code) WHERE x.change_code = 'S'
        """).pl())
        lad = (con.sql("SELECT lsoa21_code AS _lsoa21, lad_code AS _lad FROM lsoa").pl())
        return cls(direct, children, lad)


def harmonise(frame: pl.DataFrame, lookup: LsoaLookup, latitude: str = "latitude", longitude: str = "longitude") -> pl.DataFrame:
    """Add ``lsoa21_code`` and ``lad_code`` to a frame with lsoa_code and coordinates.

    A code found in no lookup gives a null lsoa21_code beside a non-null lsoa_code: the caller
    quarantines it as an unknown LSOA. The look-ups are combined once per lookup
    (:attr:`LsoaLookup.by_code`) and reach the rows by one join; split LSOAs are then placed by
    row position.
    """
    out = frame.join(lookup.by_code, on="lsoa_code", how="left", maintain_order="left")
    is_split = pl.col("_split").fill_null(False) & pl.col(latitude).is_not_null()
    splits = out.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"), "lsoa_code", is_split.alias("_is"),
                        pl.col(latitude).alias("_lat"), pl.col(longitude).alias("_lon")).filter("_is")
    out = out.drop("_split")
    if splits.height:
        # Nearest child centroid, distances on a local equirectangular projection (fine at LSOA scale).
        nearest = (
            splits.join(lookup.split_children, left_on="lsoa_code", right_on="_code")
            .with_columns(
                (((pl.col("_lon") - pl.col("_clon")) * (pl.col("_lat").radians().cos())) ** 2
                 + (pl.col("_lat") - pl.col("_clat")) ** 2).alias("_d2")
            )
            .sort(["_row", "_d2"])
            .group_by("_row", maintain_order=True)
            .agg(pl.col("_child").first())
            .join(lookup.lad, left_on="_child", right_on="_lsoa21", how="left", maintain_order="left")
        )
        if nearest.height:
            rows = nearest["_row"]
            out = out.with_columns(out["_lsoa21"].clone().scatter(rows, nearest["_child"]),
                                   out["_lad"].clone().scatter(rows, nearest["_lad"]))
    return out.rename({"_lsoa21": "lsoa21_code", "_lad": "lad_code"})


class LsoaPolygons:
    """The LSOA 2021 polygons (:func:`boundaries`), indexed for point-in-polygon look-ups."""

    def __init__(self, codes: list[str], geojson: list[str]) -> None:
        import numpy as np

        self.codes = np.array(codes, dtype=object)
        self._geojson = geojson

    @cached_property
    def tree(self) -> object:
        """Parsed and indexed on first use: most police.uk runs have few stop-and-search rows or none."""
        import shapely

        return shapely.STRtree(shapely.from_geojson(self._geojson) if self._geojson else [])

    @classmethod
    def from_warehouse(cls, con: duckdb.DuckDBPyConnection) -> LsoaPolygons:
        """Every LSOA: the bundled national polygons, with any the user loaded in their place."""
        frame = boundaries(con)
        return cls(frame["lsoa21_code"].to_list(), frame["geometry"].to_list())

    def place(self, frame: pl.DataFrame, lookup: LsoaLookup, latitude: str, longitude: str) -> pl.DataFrame:
        """Add ``lsoa21_code`` and ``lad_code``: the polygon containing the point; else, for a point on a
        boundary or in a gap the simplified polygons leave between neighbours, the nearest polygon within
        :data:`GAP_DEGREES`; else null."""
        import numpy as np
        import shapely

        lat = frame[latitude].to_numpy()
        lon = frame[longitude].to_numpy()
        have = ~(np.isnan(lat) | np.isnan(lon))
        found = np.full(frame.height, None, dtype=object)
        if have.any() and len(self.codes):
            point_index, shape_index = self.tree.query(shapely.points(lon[have], lat[have]), predicate="within")
            found[np.flatnonzero(have)[point_index]] = self.codes[shape_index]
            between = np.flatnonzero(have & (found == None))  # noqa: E711 -- elementwise on an object array
            if len(between):
                point_index, shape_index = self.tree.query_nearest(
                    shapely.points(lon[between], lat[between]), max_distance=GAP_DEGREES, all_matches=False)
                found[between[point_index]] = self.codes[shape_index]
        return frame.with_columns(pl.Series("lsoa21_code", found.tolist(), dtype=pl.String)).join(
            lookup.lad.rename({"_lsoa21": "lsoa21_code", "_lad": "lad_code"}), on="lsoa21_code", how="left",
            maintain_order="left")


# ---- areas -----------------------------------------------------------------------------------

def resolve_area(con: duckdb.DuckDBPyConnection, code_or_name: str) -> list[str]:
    """The LAD 2024 codes of an area given by district code (current or former) or district name.

    A former district code (e.g. a district merged into a unitary authority) resolves to the
    current one. An unknown area is a ConfigError with the closest names suggested.
    """
    wanted = code_or_name.strip()
    key = wanted.lower()
    rows = con.execute(
        """SELECT lad_code FROM lad WHERE lower(lad_code) = $1 OR lower(lad_name) = $1
           UNION SELECT lad_code_active FROM lad_alias WHERE lower(lad_code) = $1 OR lower(lad_name) = $1""",
        [key],
    ).fetchall()
    codes = sorted({r[0] for r in rows if r[0]})
    if codes:
        return codes
    names = [r[0] for r in con.execute("SELECT lad_name FROM lad").fetchall()]
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ConfigError(f"unknown area {wanted!r}: not a local authority district code or name{hint}")


def area_lsoas(con: duckdb.DuckDBPyConnection, lad_codes: list[str]) -> list[str]:
    """The LSOA 2021 codes inside the given districts."""
    rows = con.execute(
        "SELECT lsoa21_code FROM lsoa WHERE list_contains($1, lad_code) ORDER BY 1", [lad_codes]
    ).fetchall()
    return [r[0] for r in rows]
