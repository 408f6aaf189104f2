"""Step 3: the residents' survey: questionnaire, import, weighting and analysis (docs/survey.md).

The names below are imported on first use (PEP 562), so loading one light module such as
``cspkit.survey.questionnaire`` (as ``cspkit --help`` does) does not pull in scipy and numpy.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it.
_EXPORTS = {
    "SurveyResults": "analysis", "analyse_stored_wave": "analysis", "analyse_survey": "analysis",
    "import_responses": "importers", "load_mapping": "importers", "postcode_area_lookup": "importers",
    "Question": "questionnaire", "Questionnaire": "questionnaire", "QuestionType": "questionnaire",
    "load_questionnaire": "questionnaire", "validate_answer": "questionnaire",
    "redact": "redact",
    "SurveyResponses": "responses", "responses_from_answers": "responses",
    "describe_difference": "stats",
    "load_responses": "store", "save_responses": "store",
    "generate_survey": "synthetic", "population_cells": "synthetic", "write_demo_export": "synthetic",
    "write_synthetic_export": "synthetic",
    "PopulationMargins": "weighting", "population_margins": "weighting", "rake": "weighting",
    "weight_responses": "weighting",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
