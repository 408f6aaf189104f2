"""The warehouse tables, in one place, so every step reads the same names.

police.uk columns are kept as published, in snake_case. Every loaded row keeps the file it came
from (``source_file``) and its 1-based data row number in that file (``source_row``, the header is
row 0). ``lsoa21_code`` and ``lad_code`` are derived on ingest: the LSOA harmonised to the 2021
boundaries and the local authority district it lies in (see docs/geography.md).
"""

from __future__ import annotations

SOURCE_COLUMNS = """
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
"""

DERIVED_GEOGRAPHY = """
    lsoa21_code VARCHAR,
    lad_code VARCHAR
"""

#: A nation's deprivation index on LSOA 2021 (overall and crime domain; rank 1 = most deprived).
DEPRIVATION_TABLE = """
        CREATE TABLE IF NOT EXISTS {table} (
            lsoa21_code VARCHAR PRIMARY KEY,
            imd_rank INTEGER,
            imd_decile INTEGER,
            imd_score DOUBLE,
            crime_rank INTEGER,
            crime_decile INTEGER
        )"""

TABLES: dict[str, str] = {
    # police.uk: recorded crime and anti-social behaviour, one row per incident.
    "street": f"""
        CREATE TABLE IF NOT EXISTS street (
            {SOURCE_COLUMNS}
            force VARCHAR NOT NULL,
            crime_id VARCHAR,
            month DATE NOT NULL,
            reported_by VARCHAR,
            falls_within VARCHAR,
            longitude DOUBLE,
            latitude DOUBLE,
            location VARCHAR,
            lsoa_code VARCHAR,
            lsoa_name VARCHAR,
            crime_type VARCHAR NOT NULL,
            last_outcome_category VARCHAR,
            context VARCHAR,
            {DERIVED_GEOGRAPHY}
        )""",
    # police.uk: outcome events, which arrive months after the crime.
    "outcomes": f"""
        CREATE TABLE IF NOT EXISTS outcomes (
            {SOURCE_COLUMNS}
            force VARCHAR NOT NULL,
            crime_id VARCHAR NOT NULL,
            month DATE NOT NULL,
            reported_by VARCHAR,
            falls_within VARCHAR,
            longitude DOUBLE,
            latitude DOUBLE,
            location VARCHAR,
            lsoa_code VARCHAR,
            lsoa_name VARCHAR,
            outcome_type VARCHAR NOT NULL,
            {DERIVED_GEOGRAPHY}
        )""",
    # police.uk: stop and search; `month` is the file's month, `date` the search's own time in UTC
    # (stored without a zone so no reader's local time zone can move it into another month).
    "stop_search": f"""
        CREATE TABLE IF NOT EXISTS stop_search (
            {SOURCE_COLUMNS}
            force VARCHAR NOT NULL,
            month DATE NOT NULL,
            type VARCHAR NOT NULL,
            date TIMESTAMP NOT NULL,  -- UTC, as police.uk publishes it
            part_of_a_policing_operation BOOLEAN,
            policing_operation VARCHAR,
            latitude DOUBLE,
            longitude DOUBLE,
            gender VARCHAR,
            age_range VARCHAR,
            self_defined_ethnicity VARCHAR,
            officer_defined_ethnicity VARCHAR,
            legislation VARCHAR,
            object_of_search VARCHAR,
            outcome VARCHAR,
            outcome_linked_to_object_of_search BOOLEAN,
            removal_of_more_than_just_outer_clothing BOOLEAN,
            {DERIVED_GEOGRAPHY}
        )""",
    # Every input row that was not loaded, with the reason; nothing is dropped silently.
    "quarantine": """
        CREATE TABLE IF NOT EXISTS quarantine (
            source_file VARCHAR NOT NULL,
            source_row INTEGER NOT NULL,
            kind VARCHAR NOT NULL,
            raw_row VARCHAR,
            reason VARCHAR NOT NULL
        )""",
    # One row per ingested file: what was read and what became of it.
    "ingest_log": """
        CREATE TABLE IF NOT EXISTS ingest_log (
            source_file VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            force VARCHAR,
            month DATE,
            sha256 VARCHAR NOT NULL,
            rows_read INTEGER NOT NULL,
            loaded INTEGER NOT NULL,
            quarantined INTEGER NOT NULL,
            duplicates INTEGER NOT NULL,
            ingested_at TIMESTAMP NOT NULL
        )""",
    # Reference: LSOA 2021 with its ward, district and centroid.
    "lsoa": """
        CREATE TABLE IF NOT EXISTS lsoa (
            lsoa21_code VARCHAR PRIMARY KEY,
            lsoa21_name VARCHAR,
            ward_code VARCHAR,
            ward_name VARCHAR,
            lad_code VARCHAR,
            lad_name VARCHAR,
            latitude DOUBLE,
            longitude DOUBLE
        )""",
    # Reference: the ONS exact LSOA 2011 to 2021 lookup (change_code U, S, M or X); best_fit marks
    # the one 2021 LSOA the ONS best-fit lookup assigns to each 2011 LSOA.
    "lsoa11_lsoa21": """
        CREATE TABLE IF NOT EXISTS lsoa11_lsoa21 (
            lsoa11_code VARCHAR NOT NULL,
            lsoa21_code VARCHAR NOT NULL,
            change_code VARCHAR,
            best_fit BOOLEAN NOT NULL DEFAULT FALSE
        )""",
    # Reference: every LAD code used since 2011 and the current code it became (old codes resolve).
    "lad_alias": """
        CREATE TABLE IF NOT EXISTS lad_alias (
            lad_code VARCHAR NOT NULL,
            lad_name VARCHAR,
            lad_code_active VARCHAR
        )""",
    # Reference (optional, user-supplied ONS postcode directory): postcode to LSOA 2021.
    "postcode": """
        CREATE TABLE IF NOT EXISTS postcode (
            postcode VARCHAR PRIMARY KEY,
            lsoa21_code VARCHAR
        )""",
    # Reference: local authority districts (the CSP areas).
    "lad": """
        CREATE TABLE IF NOT EXISTS lad (
            lad_code VARCHAR PRIMARY KEY,
            lad_name VARCHAR,
            utla_code VARCHAR,
            region_code VARCHAR,
            population INTEGER,
            females INTEGER,
            males INTEGER,
            households INTEGER
        )""",
    # Reference: Census 2021 usual residents by LSOA 2021 and age band.
    "population": """
        CREATE TABLE IF NOT EXISTS population (
            lsoa21_code VARCHAR NOT NULL,
            age_band VARCHAR NOT NULL,
            residents INTEGER NOT NULL
        )""",
    # Reference: Census 2021 households by LSOA 2021.
    "households": """
        CREATE TABLE IF NOT EXISTS households (
            lsoa21_code VARCHAR PRIMARY KEY,
            households INTEGER NOT NULL
        )""",
    # Reference: English Indices of Deprivation 2025 on LSOA 2021 (rank 1 = most deprived).
    "imd": DEPRIVATION_TABLE.format(table="imd"),
    # Reference: Welsh Index of Multiple Deprivation 2019 carried to LSOA 2021 (rank 1 = most deprived
    # in Wales). Ranked within Wales only: a separate table so it is never ranked with England's IMD.
    "wimd": DEPRIVATION_TABLE.format(table="wimd"),
    # Each LSOA's deprivation from its own nation's index, named in deprivation_index: compare ranks,
    # deciles and scores only within one index (GROUP BY deprivation_index).
    "deprivation": """
        CREATE VIEW IF NOT EXISTS deprivation AS
        SELECT lsoa21_code, 'England' AS nation, 'IMD 2025' AS deprivation_index, imd_rank, imd_decile, imd_score,
               crime_rank, crime_decile FROM imd
        UNION ALL
        SELECT lsoa21_code, 'Wales', 'WIMD 2019', imd_rank, imd_decile, imd_score, crime_rank, crime_decile FROM wimd""",
    # LSOA 2021 boundaries the user loaded (GeoJSON geometry, WGS84), each replacing the bundled polygon
    # of its LSOA (the national bundle is read from the package: geography.boundaries).
    "lsoa_boundary": """
        CREATE TABLE IF NOT EXISTS lsoa_boundary (
            lsoa21_code VARCHAR PRIMARY KEY,
            geometry VARCHAR NOT NULL
        )""",
    # Reference: queen contiguity of the LSOA 2021 polygons, one row per neighbouring pair
    # (lsoa21_code < neighbour_code), computed once from the full-resolution ONS boundaries.
    "lsoa_contiguity": """
        CREATE TABLE IF NOT EXISTS lsoa_contiguity (
            lsoa21_code VARCHAR NOT NULL,
            neighbour_code VARCHAR NOT NULL
        )""",
}

#: Partner tables are named ``partner_<source>`` and always carry these columns beside the
#: mapped ones: the incident date, the harmonised geography and pseudonymised keys.
PARTNER_STANDARD_COLUMNS: dict[str, str] = {
    "source_file": "VARCHAR NOT NULL",
    "source_row": "INTEGER NOT NULL",
    "date": "DATE NOT NULL",
    "month": "DATE NOT NULL",
    "lsoa21_code": "VARCHAR",
    "lad_code": "VARCHAR",
    "person_key": "VARCHAR",
    "location_key": "VARCHAR",
}


def partner_table(source: str) -> str:
    """The warehouse table name of a partner source."""
    return f"partner_{source}"
