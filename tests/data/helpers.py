"""Small police.uk fixtures written on the fly, and a warehouse with the reference tables loaded once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

STREET_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                 "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
SEARCH_HEADER = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
                 "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
                 "Object of search", "Outcome", "Outcome linked to object of search",
                 "Removal of more than just outer clothing"]
CB_LSOA = "E01017540"  # Bedford 001A, a 2021 LSOA unchanged since 2011


def street_row(crime_id: str = "abc1", month: str = "2021-05", lon: str = "-0.472054", lat: str = "52.301536",
               lsoa: str = CB_LSOA, crime_type: str = "Burglary", location: str = "On or near Shelton Road",
               outcome: str = "Under investigation") -> list[str]:
    return [crime_id, month, "Bedfordshire Police", "Bedfordshire Police", lon, lat, location, lsoa, "Bedford 001A",
            crime_type, outcome, ""]


def search_row(date: str = "2021-05-03T10:00:00+00:00", outcome: str = "Arrest", removal: str = "False") -> list[str]:
    return ["Person search", date, "False", "", "52.30", "-0.47", "Male", "18-24", "", "White",
            "Misuse of Drugs Act 1971 (section 23)", "Controlled drugs", outcome, "True", removal]


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_file(folder: Path, name: str, content: bytes) -> Path:
    month = name[:7]
    path = folder / month / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
