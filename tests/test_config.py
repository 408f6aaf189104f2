from pathlib import Path

import pytest

from cspkit.config import load_config, write_template
from cspkit.errors import ConfigError


def test_template_round_trip(tmp_path: Path) -> None:
    path = write_template(tmp_path, area_code="E06000055")
    config = load_config(path)
    assert config.area_codes == ("E06000055",)
    assert config.period_start == "2021-05"
    assert config.warehouse == tmp_path / "warehouse.duckdb"
    assert config.suppression_threshold == 5


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    write_template(tmp_path)
    with pytest.raises(ConfigError, match="already exists"):
        write_template(tmp_path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[assessment]\nperiod_start='2021-05'\nperiod_end='2022-01'\n", "area_codes"),
        ("[assessment]\narea_codes=['E1']\nperiod_start='2021-5'\nperiod_end='2022-01'\n",
         "YYYY-MM"),
        ("[assessment]\narea_codes=['E1']\nperiod_start='2023-05'\nperiod_end='2022-01'\n",
         "after"),
        ("[assessment\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_file(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "assessment.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(path) in str(info.value)
