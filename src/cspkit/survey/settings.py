"""The survey's settings from assessment.toml's ``[survey]`` table, read the same way everywhere.

``cspkit survey weight`` and ``results``, the report's survey step and the web app all call
:func:`survey_settings`, so ``weight_by`` (and the trim caps and smallest base) mean the same
thing in each. Without ``weight_by``, responses are weighted by every variable the questionnaire
can give: area (an area question), age band and sex (questions with those roles).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cspkit.config import AssessmentConfig
from cspkit.errors import ConfigError
from cspkit.survey.questionnaire import Questionnaire, load_questionnaire

#: The variables responses can be weighted by, in the order they are raked.
WEIGHT_VARIABLES = ("area", "age_band", "sex")
_ALIASES = {"age": "age_band"}
#: Every setting [survey] may hold (the report step reads responses, mapping, wave, synthetic_responses, seed).
SURVEY_SETTINGS = frozenset({
    "questionnaire", "weight_by", "trim", "min_base", "responses", "mapping", "wave", "synthetic_responses", "seed",
})  # fmt: skip


@dataclass(frozen=True)
class SurveySettings:
    """The questionnaire and how to weight and report: command-line options over [survey] over defaults."""

    questionnaire: Questionnaire
    weight_by: tuple[str, ...]
    trim: tuple[float, float]
    min_base: int


def survey_settings(
    config: AssessmentConfig | None,
    questionnaire: Path | None = None,
    weight_by: Sequence[str] | None = None,
    area_codes: Sequence[str] | None = None,
) -> SurveySettings:
    """The settings for one run; ``questionnaire``, ``weight_by`` and ``area_codes`` override the config's.

    The area decides the wards an ``options_from = "wards"`` area question lists."""
    section = config.section("survey") if config else {}
    file = config.path if config else None
    unknown = sorted(set(section) - SURVEY_SETTINGS)
    if unknown:
        raise ConfigError(f"unknown setting(s) in [survey]: {', '.join(unknown)}", file=file)
    path = questionnaire or (config.resolve(section["questionnaire"]) if config and "questionnaire" in section else None)
    loaded = load_questionnaire(path, area_codes or (config.area_codes if config else ()))
    trim = section.get("trim", [0.2, 5.0])
    if not (isinstance(trim, list) and len(trim) == 2 and all(isinstance(t, int | float) for t in trim)):
        raise ConfigError("[survey] trim must be two numbers, e.g. [0.2, 5.0]", file=file)
    min_base = section.get("min_base", 30)
    if not isinstance(min_base, int) or min_base < 1:
        raise ConfigError("[survey] min_base must be a whole number of at least 1", file=file)
    configured = section.get("weight_by")
    if configured is not None and not (isinstance(configured, list) and all(isinstance(v, str) for v in configured)):
        raise ConfigError('[survey] weight_by must be a list such as ["area", "age_band"]', file=file)
    by_option = weight_by is not None
    return SurveySettings(
        questionnaire=loaded,
        weight_by=weighting_variables(
            loaded, weight_by if by_option else configured,
            "--weight-by" if by_option else "[survey] weight_by", None if by_option else file,
        ),
        trim=(float(trim[0]), float(trim[1])),
        min_base=min_base,
    )


def weighting_variables(
    questionnaire: Questionnaire, requested: Sequence[str] | None, origin: str = "weight_by", file: Path | None = None
) -> tuple[str, ...]:
    """The variables to rake by: those requested (checked against the questionnaire), or every one
    the questionnaire can give when none are requested."""
    available = tuple(v for v in WEIGHT_VARIABLES if _question_for(questionnaire, v))
    if requested is None:
        return available
    chosen: list[str] = []
    for given in requested:
        variable = _ALIASES.get(given.strip(), given.strip())
        if variable not in WEIGHT_VARIABLES:
            raise ConfigError(f"{origin}: cannot weight by '{given}'; choose from area, age_band, sex", file=file)
        if variable not in available:
            kind = "an area question (type = \"area\")" if variable == "area" else f'a question with role = "{variable}"'
            raise ConfigError(
                f"{origin} names '{variable}' but the questionnaire ({questionnaire.title}) has no {kind}: "
                f"weight by {', '.join(available) or 'nothing'} instead (e.g. --weight-by "
                f"{','.join(available) or 'area'}), or add that question",
                file=file,
            )
        if variable not in chosen:
            chosen.append(variable)
    return tuple(chosen)


def _question_for(questionnaire: Questionnaire, variable: str) -> bool:
    return (questionnaire.area_question if variable == "area" else questionnaire.with_role(variable)) is not None
