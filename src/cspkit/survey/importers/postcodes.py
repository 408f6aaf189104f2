"""Postcode to area, from the ONS Postcode Directory the user supplies.

cspkit bundles no postcode directory (the national file is large and licensed separately), so a
postcode question fills in the area only when ``--postcodes ONSPD.csv`` is given. The directory
needs the columns ``pcds`` (the postcode) and ``lsoa21cd`` (its LSOA 2021); the LSOA's ward comes
from the warehouse's ``lsoa`` table, and the ward's area option from the questionnaire.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from cspkit.errors import ConfigError, InputError
from cspkit.survey.questionnaire import Questionnaire

POSTCODE_COLUMNS = ("pcds", "lsoa21cd")


def postcode_area_lookup(
    directory_csv: str | Path, lsoa_wards: Mapping[str, str], questionnaire: Questionnaire
) -> dict[str, str]:
    """Normalised postcode -> area option code, for postcodes in the LSOAs of ``lsoa_wards``."""
    path = Path(directory_csv)
    area_q = questionnaire.area_question
    if area_q is None:
        raise ConfigError("a postcode lookup needs an area question in the questionnaire", file=questionnaire.source)
    if not path.exists():
        raise InputError("postcode directory not found", file=path.name)
    header = pl.read_csv(path, n_rows=0, infer_schema_length=0).columns
    missing = [c for c in POSTCODE_COLUMNS if c not in header]
    if missing:
        raise InputError(f"the postcode directory lacks column(s) {', '.join(missing)}", file=path.name, column=missing[0])
    ward_area = {ward: option.code for option in area_q.options for ward in option.wards}
    lsoa_area = {lsoa: ward_area[ward] for lsoa, ward in lsoa_wards.items() if ward in ward_area}
    frame = (
        pl.scan_csv(path, infer_schema_length=0)
        .select(pl.col("pcds").str.to_uppercase().str.replace_all(r"\s+", ""), pl.col("lsoa21cd"))
        .filter(pl.col("lsoa21cd").is_in(list(lsoa_area)))
        .collect()
    )
    return {f"{pc[:-3]} {pc[-3:]}": lsoa_area[lsoa] for pc, lsoa in frame.iter_rows()}
