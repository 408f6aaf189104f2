"""Find the police.uk CSV files in what the user downloaded: zip archives, folders or single files.

data.police.uk names every file ``YYYY-MM-<force>-<kind>.csv`` (kind: street, outcomes,
stop-and-search), inside ``YYYY-MM/`` folders. The force slug and month come from the file name.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from cspkit.errors import InputError

FILE_NAME = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])-([a-z0-9-]+?)-(street|outcomes|stop-and-search)\.csv$", re.IGNORECASE)

#: police.uk's force id for British Transport Police, whose crimes fall in every force's districts.
TRANSPORT_POLICE = "btp"

#: police.uk force ids whose name is not their words in title case.
_FORCE_NAMES = {TRANSPORT_POLICE: "British Transport Police", "dyfed-powys": "Dyfed-Powys", "metropolitan": "Metropolitan Police"}


def force_name(force: str) -> str:
    """A police.uk force id as a reader knows the force: 'thames-valley' -> 'Thames Valley', 'btp' -> 'British
    Transport Police'."""
    if force in _FORCE_NAMES:
        return _FORCE_NAMES[force]
    return " ".join(w if w in ("and", "of") else w.capitalize() for w in force.split("-"))


#: police.uk kind -> warehouse table
TABLE_OF_KIND = {"street": "street", "outcomes": "outcomes", "stop-and-search": "stop_search"}


@dataclass(frozen=True)
class PoliceFile:
    """One police.uk CSV, wherever it lives; ``read()`` returns its bytes, ``size`` says how many (0: unknown)."""

    source_file: str
    table: str
    force: str
    month: date
    read: Callable[[], bytes]
    size: int = 0

    @property
    def key(self) -> tuple[str, str, date]:
        """What a newer download replaces: the same kind of file for the same force and month."""
        return (self.table, self.force, self.month)


def parse_name(name: str, label: str) -> tuple[str, str, date]:
    """(table, force, month) from a file name, or an InputError that says what the name should be."""
    match = FILE_NAME.match(Path(name).name)
    if not match:
        raise InputError(
            "not a police.uk file name: expected YYYY-MM-<force>-street.csv, -outcomes.csv or -stop-and-search.csv",
            file=label,
        )
    year, month, force, kind = match.groups()
    return TABLE_OF_KIND[kind.lower()], force.lower(), date(int(year), int(month), 1)


class _OpenArchive:
    """A zip opened once for all its members: opening reads its whole directory, about 50 ms for the
    4,752 members of a national 36-month archive, which per member would cost minutes. Members are read
    from several threads at once (zipfile serialises the reads of the shared file); the file closes
    when the last PoliceFile of the archive is gone."""

    def __init__(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path = path
        self.zf = zf

    def read(self, member: str) -> bytes:
        """A member's bytes; a damaged archive (bad CRC, bad compressed data) is an InputError naming the member."""
        try:
            return self.zf.read(member)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise InputError(f"the archive is damaged at this member ({exc}); download it again",
                             file=f"{self.path.name}:{member}") from exc


def _from_zip(path: Path) -> list[PoliceFile]:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputError(f"not a readable zip archive: {exc}", file=path) from exc
    archive = _OpenArchive(path, zf)
    members = {m.filename: m.file_size for m in zf.infolist() if not m.is_dir()}
    found = []
    for member in sorted(members):
        if not member.lower().endswith(".csv") or Path(member).name.startswith("."):
            continue
        label = f"{path.name}:{member}"
        table, force, month = parse_name(member, label)
        found.append(PoliceFile(label, table, force, month, partial(archive.read, member), members[member]))
    return found


def _from_file(path: Path, label: str) -> PoliceFile:
    table, force, month = parse_name(path.name, label)
    return PoliceFile(label, table, force, month, path.read_bytes, path.stat().st_size)


def discover(paths: Iterable[str | Path]) -> list[PoliceFile]:
    """Every police.uk CSV under the given paths, in the order given (sorted within a zip or folder)."""
    found: list[PoliceFile] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError("no such file or folder", file=path)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.csv") if not p.name.startswith("."))
            found.extend(_from_file(p, f"{path.name}/{p.relative_to(path).as_posix()}") for p in files)
            for archive in sorted(path.rglob("*.zip")):
                found.extend(_from_zip(archive))
        elif zipfile.is_zipfile(path):
            found.extend(_from_zip(path))
        else:
            found.append(_from_file(path, path.name))
    if not found:
        raise InputError("no police.uk CSV files found (expected YYYY-MM-<force>-<kind>.csv)",
                         file=", ".join(str(p) for p in paths))
    return found
