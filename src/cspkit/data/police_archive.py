"""``cspkit fetch police``: the data.police.uk monthly archive, downloaded once and ingested in part.

Each month data.police.uk publishes ``<base>/YYYY-MM.zip``: the latest 36 months of every force, in
the layout ``YYYY-MM/YYYY-MM-<force>-<kind>.csv`` (about 2 GB); ``<base>/`` is an HTML page that
links them. The archive is kept in a cache folder with a JSON manifest of its size and sha256, so a
later run (or another assessment) reuses it. The ingest then reads, straight from the zip, only what
the assessment needs: the months of its period for the forces that police its districts and British
Transport Police, and, when peers are compared, every force for the peer period.

The forces that police a district are found from the archive itself (no force lookup is bundled):
for each district, the force other than BTP that reports the most street crimes in its LSOAs in the
archive's latest month. Neighbouring forces report a few crimes over their border; the district's
own force reports nearly all of them.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urljoin

from cspkit.analysis.area import Period
from cspkit.config import AssessmentConfig
from cspkit.data.download import ByteProgress, download, read_text
from cspkit.data.police_files import TRANSPORT_POLICE, PoliceFile, discover
from cspkit.data.report import IngestReport
from cspkit.errors import ConfigError, InputError

ARCHIVE_URL = "https://data.police.uk/data/archive/"
MANIFEST = "manifest.json"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: An archive linked from the index page: href="...YYYY-MM.zip"
_LINK = re.compile(r"""href\s*=\s*["']?[^"'>\s]*?(\d{4}-(?:0[1-9]|1[0-2]))\.zip["'\s>]""", re.IGNORECASE)


@dataclass(frozen=True)
class FetchSettings:
    """Where the archive comes from and where it is kept (``[sources.police]`` of assessment.toml)."""

    archive_url: str = ARCHIVE_URL
    cache: Path = field(default_factory=lambda: default_cache())

    @classmethod
    def from_config(cls, config: AssessmentConfig) -> FetchSettings:
        police = config.section("sources").get("police", {})
        url = police.get("archive_url", ARCHIVE_URL)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"sources.police.archive_url must be an http(s) address, not {url!r}", file=config.path)
        cache = config.resolve(police["cache"]) if "cache" in police else default_cache()
        return cls(url if url.endswith("/") else url + "/", cache)


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/cspkit/police`` (``~/.cache/cspkit/police``): shared by every assessment of the user."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cspkit" / "police"


@dataclass(frozen=True)
class Archive:
    """One monthly archive in the cache."""

    month: str
    path: Path
    url: str
    size: int
    sha256: str
    downloaded: bool  # False: reused from the cache

    def to_dict(self) -> dict:
        return {"month": self.month, "path": str(self.path), "url": self.url, "size": self.size,
                "sha256": self.sha256, "downloaded": self.downloaded}


def archive_months(base_url: str) -> list[str]:
    """The months of the archives the index page links, oldest first."""
    months = sorted(set(_LINK.findall(read_text(base_url))))
    if not months:
        raise InputError("the page links no YYYY-MM.zip archive", file=base_url)
    return months


def get_archive(settings: FetchSettings, month: str | None = None, progress: ByteProgress | None = None) -> Archive:
    """The archive of ``month`` (default: the latest listed), from the cache when it holds it whole."""
    month = month or archive_months(settings.archive_url)[-1]
    if not _MONTH.match(month):
        raise ConfigError(f"an archive month is written YYYY-MM, not {month!r}")
    name = f"{month}.zip"
    target = settings.cache / name
    url = urljoin(settings.archive_url, name)
    manifest = _read_manifest(settings.cache)
    entry = manifest.get(name)
    if entry and target.exists() and target.stat().st_size == entry["size"]:
        return Archive(month, target, entry["url"], entry["size"], entry["sha256"], downloaded=False)
    got = download(url, target, progress)
    try:
        discover([target])  # the zip's directory and every member's name
    except InputError as exc:
        target.unlink()
        raise InputError(f"the downloaded archive is not a police.uk zip ({exc.message}); it was removed from the "
                         "cache: run the command again to download it afresh", file=url) from exc
    manifest[name] = {"url": url, "size": got.size, "sha256": got.sha256,
                      "downloaded_at": datetime.now(UTC).isoformat(timespec="seconds")}
    _write_manifest(settings.cache, manifest)
    return Archive(month, target, url, got.size, got.sha256, downloaded=True)


def _read_manifest(cache: Path) -> dict[str, dict]:
    path = cache / MANIFEST
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable manifest: {exc}; delete it to download again", file=path) from exc
    return manifest if isinstance(manifest, dict) else {}


def _write_manifest(cache: Path, manifest: dict[str, dict]) -> None:
    temporary = cache / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(cache / MANIFEST)


# ---- what the assessment needs -------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """The archive's files an assessment needs, and why."""

    files: list[PoliceFile]
    area_forces: tuple[str, ...]
    period: Period
    peer_period: Period | None
    months_missing: tuple[date, ...]  # months of the period the archive does not hold


def district_forces(files: Iterable[PoliceFile], lsoa_districts: dict[str, str]) -> dict[str, str]:
    """{district: the force (not BTP) reporting most street crimes in its LSOAs}, from the latest month's files.

    ``lsoa_districts`` maps every LSOA code (2011 and 2021) of the wanted districts to its district.
    """
    from cspkit.data.police import map_headers, read_csv_text

    street = [pf for pf in files if pf.table == "street" and pf.force != TRANSPORT_POLICE]
    if not street:
        raise InputError("the archive holds no street files")
    latest = max(pf.month for pf in street)
    counts: Counter[tuple[str, str]] = Counter()
    for pf in street:
        if pf.month != latest:
            continue
        raw = read_csv_text(pf.read(), pf.source_file)
        header = {name: published for published, name in map_headers(raw.columns, "street", pf.source_file)[0].items()}
        if "lsoa_code" not in header:
            continue
        for code in raw.get_column(header["lsoa_code"]).drop_nulls().to_list():
            district = lsoa_districts.get(code)
            if district:
                counts[(district, pf.force)] += 1
    best: dict[str, tuple[int, str]] = {}
    for (district, force), n in counts.items():
        best[district] = max(best.get(district, (0, "")), (n, force))
    return {district: force for district, (_, force) in best.items()}


def select_files(files: list[PoliceFile], area_forces: Iterable[str], period: Period,
                 peer_period: Period | None) -> Selection:
    """Every kind of file of the area's forces and BTP over the period; the street files of every force over the
    peer period (when given: peers compare street crime rates)."""
    wanted = {*area_forces, TRANSPORT_POLICE}

    def needed(pf: PoliceFile) -> bool:
        if pf.force in wanted and period.start <= pf.month <= period.end:
            return True
        return peer_period is not None and pf.table == "street" and peer_period.start <= pf.month <= peer_period.end

    held = {pf.month for pf in files}
    missing = tuple(m for m in period.month_list() if m not in held)
    return Selection([pf for pf in files if needed(pf)], tuple(sorted(area_forces)), period, peer_period, missing)


# ---- the whole command -----------------------------------------------------------------------------

@dataclass
class FetchReport:
    """What ``cspkit fetch police`` did: the archive, the selection and the ingest."""

    archive: Archive
    selection: Selection
    ingest: IngestReport | None  # None: download only

    def to_dict(self) -> dict:
        sel = self.selection
        return {
            "archive": self.archive.to_dict(),
            "area_forces": list(sel.area_forces),
            "period": sel.period.label(),
            "peer_period": sel.peer_period.label() if sel.peer_period else None,
            "files_selected": len(sel.files),
            "months_missing": [f"{m:%Y-%m}" for m in sel.months_missing],
            "ingest": self.ingest.to_dict() if self.ingest else None,
        }


def fetch_police(config: AssessmentConfig, month: str | None = None, cache: Path | None = None,
                 peers: bool | None = None, ingest: bool = True, download_progress: ByteProgress | None = None,
                 ingest_progress: Callable[[int, int, str], None] | None = None) -> FetchReport:
    """Get the archive (cached) and ingest what ``config``'s assessment needs into its warehouse, all or nothing.

    ``peers``: ingest every force over the peer period (default: unless ``[analysis] peer_count = 0``).
    """
    from cspkit.analysis.analyse import options_from_config, peer_period
    from cspkit.data.police import ingest_police_files

    settings = FetchSettings.from_config(config)
    if cache is not None:
        settings = FetchSettings(settings.archive_url, cache)
    archive = get_archive(settings, month, download_progress)
    files = discover([archive.path])
    lsoa_districts, districts = _area_lsoas(config.area_codes)
    found = district_forces(files, lsoa_districts)
    unpoliced = [d for d in districts if d not in found]
    if unpoliced:
        raise InputError(f"no force in the archive reports street crimes in {', '.join(unpoliced)}", file=archive.path)
    period = Period.parse(config.period_start, config.period_end)
    options = options_from_config(config)
    if peers is None:
        peers = options.peer_count > 0 or bool(options.peers)
    peer = peer_period(period, options) if peers else None
    selection = select_files(files, set(found.values()), period, peer)
    if not selection.files:
        held = sorted({pf.month for pf in files})
        raise InputError(f"the archive holds {held[0]:%Y-%m} to {held[-1]:%Y-%m}, nothing of the assessment's period "
                         f"{period.label()}", file=archive.path)
    report = ingest_police_files(config.warehouse, selection.files, ingest_progress) if ingest else None
    return FetchReport(archive, selection, report)


def _area_lsoas(area_codes: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """({LSOA code, 2011 or 2021: district} for the area's districts, the districts), from the bundled tables."""
    import duckdb

    from cspkit.data.geography import REFERENCE, REFERENCE_TABLES, resolve_area

    con = duckdb.connect()
    for table in ("lsoa", "lsoa11_lsoa21", "lad", "lad_alias"):
        with resources.as_file(REFERENCE / REFERENCE_TABLES[table]) as path:
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, all_varchar = true)", [str(path)])
    districts = sorted({code for area in area_codes for code in resolve_area(con, area)})
    rows = con.execute(
        """SELECT lsoa21_code, lad_code FROM lsoa WHERE list_contains($1, lad_code)
           UNION SELECT x.lsoa11_code, l.lad_code FROM lsoa11_lsoa21 x JOIN lsoa l USING (lsoa21_code)
           WHERE list_contains($1, l.lad_code)""",
        [districts],
    ).fetchall()
    con.close()
    return dict(rows), districts

