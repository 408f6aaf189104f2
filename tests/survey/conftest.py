"""Survey fixtures: a warehouse holding Central Bedfordshire's real Census 2021 reference tables.

The CSVs in data/ are extracts of the public files in ../shared/data (Census 2021 usual residents
by LSOA and age, the LSOA 2021 to ward 2024 lookup, district sex totals; OGL v3), inserted into the
warehouse tables the survey step reads, so these tests do not depend on the data step's loader.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cspkit.data import warehouse
from cspkit.survey.questionnaire import Questionnaire, load_questionnaire
from cspkit.survey.synthetic import SyntheticSurvey, generate_survey, population_cells
from cspkit.survey.weighting import PopulationMargins, population_margins

DATA = Path(__file__).parent / "data"
CB = "E06000056"


def fill_reference(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO lsoa (lsoa21_code, lsoa21_name, ward_code, ward_name, lad_code, lad_name) "
        f"SELECT * FROM read_csv('{DATA / 'cb_lsoa.csv'}')"
    )
    con.execute(f"INSERT INTO population SELECT * FROM read_csv('{DATA / 'cb_population.csv'}')")
    con.execute(
        f"INSERT INTO lad (lad_code, lad_name, population, females, males) SELECT * FROM read_csv('{DATA / 'cb_lad.csv'}')"
    )


@pytest.fixture(scope="session")
def reference_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("survey") / "warehouse.duckdb"
    with warehouse.write(path) as con:
        fill_reference(con)
    return path


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    return load_questionnaire(area_codes=("E06000056",))


@pytest.fixture(scope="session")
def margins(reference_warehouse: Path, questionnaire: Questionnaire) -> PopulationMargins:
    return population_margins(reference_warehouse, [CB], questionnaire)


@pytest.fixture(scope="session")
def synthetic(reference_warehouse: Path, questionnaire: Questionnaire) -> SyntheticSurvey:
    cells = population_cells(reference_warehouse, [CB], questionnaire)
    return generate_survey(cells, questionnaire, n=700, seed=7)
