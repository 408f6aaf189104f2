"""Survey exports in (plain CSV, SmartSurvey, SurveyMonkey, Microsoft Forms), responses out."""

from cspkit.survey.importers.importer import import_responses
from cspkit.survey.importers.mapping import Mapping, load_mapping, parse_mapping
from cspkit.survey.importers.postcodes import postcode_area_lookup

__all__ = ["Mapping", "import_responses", "load_mapping", "parse_mapping", "postcode_area_lookup"]
