"""The method file: the shipped methods load, and contradictions are refused with their place."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from cspkit.errors import ConfigError
from cspkit.risk.method import bundled_method_path, load_method, parse_method

DEFAULT_DIMENSIONS = {
    "harm_physical", "harm_psychological", "harm_financial", "harm_community", "harm_environment", "economic_cost",
    "likelihood", "volume", "confidence_knowledge", "capability", "capacity",
}


def raw(name: str = "default") -> dict:
    return tomllib.loads(bundled_method_path(name).read_text(encoding="utf-8"))


def test_default_method_has_exactly_the_partnership_dimensions(method) -> None:
    assert set(method.criterion_ids) == DEFAULT_DIMENSIONS
    assert method.risk_groups == ("harm", "likelihood", "volume")
    assert method.beside_groups == ("organisational_position", "confidence")
    assert method.group("harm").criteria == (
        "harm_physical", "harm_psychological", "harm_financial", "harm_community", "harm_environment", "economic_cost",
    )
    assert method.aggregation == "median"
    assert method.label == "cspkit-default@1.0"
    assert method.knowledge_gap is not None and method.knowledge_gap.harm_at_least == 12


def test_levels_have_label_description_and_value(method) -> None:
    for criterion in method.criteria:
        assert len(criterion.levels) >= 2
        for level in criterion.levels:
            assert level.label and level.description
            assert isinstance(level.value, float)


def test_simple_grid_loads(grid) -> None:
    assert grid.risk_groups == ("impact", "likelihood")
    assert grid.criterion("impact").values == (1.0, 2.0, 3.0, 4.0)


def load_bad(data: dict) -> str:
    with pytest.raises(ConfigError) as info:
        parse_method(data, source="bad.toml")
    return str(info.value)


def test_duplicate_level_values_are_refused() -> None:
    data = raw()
    data["scales"]["harm"]["levels"][2]["value"] = 1
    message = load_bad(data)
    assert "bad.toml" in message and "[scales.harm]" in message and "duplicate level value 1" in message


def test_unknown_group_is_refused() -> None:
    data = raw()
    data["criteria"][0]["group"] = "harms"
    message = load_bad(data)
    assert "[[criteria]] 'harm_physical'" in message and "unknown group 'harms'" in message


def test_rule_naming_unknown_group_is_refused() -> None:
    data = raw()
    data["rule"]["risk"] = ["harm", "likelihod"]
    assert "unknown group 'likelihod'" in load_bad(data)


def test_group_both_inside_and_beside_is_refused() -> None:
    data = raw()
    data["rule"]["beside"] = ["volume"]
    assert "both inside the risk score and beside it" in load_bad(data)


def test_suggestion_naming_unknown_criterion_is_refused() -> None:
    data = raw()
    data["suggest"]["volume"]["criterion"] = "volumes"
    message = load_bad(data)
    assert "[suggest.volume]" in message and "unknown criterion 'volumes'" in message


def test_suggestion_value_that_is_not_a_level_is_refused() -> None:
    data = raw()
    data["suggest"]["likelihood"]["significant_rise"] = 9
    assert "'significant_rise' = 9 is not a level of 'likelihood'" in load_bad(data)


def test_band_order_is_checked() -> None:
    data = raw()
    data["suggest"]["volume"]["rate_bands"][1]["min"] = 0
    assert "increasing order" in load_bad(data)


def test_bad_aggregation_and_unknown_scale_and_empty_group() -> None:
    data = raw()
    data["method"]["aggregation"] = "mode"
    assert "'aggregation' must be one of median, mean, max" in load_bad(data)
    data = raw()
    data["criteria"][0]["scale"] = "harmful"
    assert "unknown scale 'harmful'" in load_bad(data)
    data = raw()
    data["groups"].append({"id": "extra", "name": "Extra", "combine": "sum"})
    assert "[[groups]] 'extra': no criterion belongs to this group" in load_bad(data)


def test_duplicate_ids_and_reserved_names_are_refused() -> None:
    data = raw()
    data["criteria"].append(copy.deepcopy(data["criteria"][0]))
    assert "duplicate id 'harm_physical'" in load_bad(data)
    data = raw()
    data["groups"][0]["id"] = "rank"
    assert "reserved" in load_bad(data)


def test_heatmap_and_knowledge_gap_must_name_groups() -> None:
    data = raw()
    data["heatmap"]["row_group"] = "danger"
    assert "[heatmap] row_group" in load_bad(data)
    data = raw()
    data["knowledge_gap"]["confidence_group"] = "certainty"
    assert "[knowledge_gap] confidence_group" in load_bad(data)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="method file not found"):
        load_method(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[method\nid = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_method(broken)


def test_a_partnership_file_can_change_the_numbers(tmp_path: Path) -> None:
    text = bundled_method_path().read_text(encoding="utf-8").replace('version = "1.0"', 'version = "2.0-local"')
    text = text.replace('aggregation = "median"', 'aggregation = "mean"')
    path = tmp_path / "local.toml"
    path.write_text(text, encoding="utf-8")
    local = load_method(path)
    assert local.label == "cspkit-default@2.0-local"
    assert local.aggregation == "mean"
