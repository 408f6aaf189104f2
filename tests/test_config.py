from pathlib import Path

import pytest

from cspkit.config import load_config
from cspkit.errors import ConfigError


def test_country_follows_the_area_codes(tmp_path: Path) -> None:
    path = tmp_path / "assessment.toml"
    body = "[assessment]\narea_codes = [{codes}]\nperiod_start = '2023-01'\nperiod_end = '2023-12'\n{extra}"
    path.write_text(body.format(codes="'W06000024', 'W06000016'", extra=""))
    assert load_config(path).country == "Wales"
    path.write_text(body.format(codes="'E06000055'", extra="country = 'Wales'\n"))
    with pytest.raises(ConfigError, match="country = 'Wales' but the area codes E06000055 are in England"):
        load_config(path)
    path.write_text(body.format(codes="'E06000055', 'W06000016'", extra=""))
    with pytest.raises(ConfigError, match=r"all be in England \(codes E\.\.\.\) or all in Wales"):
        load_config(path)


GOOD = "[assessment]\narea_codes = ['E06000032']\nperiod_start = '2023-01'\nperiod_end = '2023-12'\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[assessment]\nperiod_start='2021-05'\nperiod_end='2022-01'\n", "area_codes"),
        # a misspelt setting is named, never read as "not set" (the step used to skip or use other data)
        (GOOD.replace("period_end", "period_edn"), r"unknown setting 'period_edn' in \[assessment\]: did you mean 'period_end'"),
        (GOOD + "[sources.police]\npath = ['police']\n", r"'path' in \[sources.police\]: did you mean 'paths'"),
        (GOOD + "[sources.polic]\npaths = ['police']\n", r"'polic' in \[sources\]: did you mean 'police'"),
        (GOOD + "[survy]\nresponses = 'synthetic'\n", r"unknown table \[survy\]: did you mean \[survey\]"),
        (GOOD + "[privacy]\nthreshold = 10\n", r"'threshold' in \[privacy\]: the settings here are suppression_threshold"),
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


def test_tables_no_check_knows_are_left_to_their_step(tmp_path: Path) -> None:
    path = tmp_path / "assessment.toml"
    path.write_text(GOOD + "[sources.partner.asb]\nfile = 'a.csv'\n[survey]\nanything = 1\n[web]\nport = 1\n")
    assert load_config(path).section("web") == {"port": 1}
