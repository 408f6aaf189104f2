"""Step 3: the residents' survey: questionnaire, import, weighting and analysis (docs/survey.md)."""

from cspkit.survey.analysis import SurveyResults, analyse_stored_wave, analyse_survey
from cspkit.survey.importers import import_responses, load_mapping, postcode_area_lookup
from cspkit.survey.questionnaire import Question, Questionnaire, QuestionType, load_questionnaire, validate_answer
from cspkit.survey.redact import redact
from cspkit.survey.responses import SurveyResponses, responses_from_answers
from cspkit.survey.stats import describe_difference
from cspkit.survey.store import load_responses, save_responses
from cspkit.survey.synthetic import generate_survey, population_cells, write_demo_export, write_synthetic_export
from cspkit.survey.weighting import PopulationMargins, population_margins, rake, weight_responses

__all__ = [
    "PopulationMargins",
    "Question",
    "QuestionType",
    "Questionnaire",
    "SurveyResponses",
    "SurveyResults",
    "analyse_stored_wave",
    "analyse_survey",
    "describe_difference",
    "generate_survey",
    "import_responses",
    "load_mapping",
    "load_questionnaire",
    "load_responses",
    "population_cells",
    "population_margins",
    "postcode_area_lookup",
    "rake",
    "redact",
    "responses_from_answers",
    "save_responses",
    "validate_answer",
    "weight_responses",
    "write_demo_export",
    "write_synthetic_export",
]
