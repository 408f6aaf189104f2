"""The mapping file: which export column answers which question, and which text means which code.

A mapping is a small TOML file a partnership writes once per survey platform and questionnaire::

    format = "surveymonkey"          # plain | smartsurvey | surveymonkey | msforms
    label = "Residents' survey 2026"

    [questions]
    safe_day = "How safe or unsafe do you feel in your local area during the day?"

    [questions.concerns]
    column = "Which of these issues are you most concerned about in your local area?"
    answers = { "Speeding" = "speeding" }

Answer text is matched to the questionnaire's labels and codes (ignoring case, spacing, punctuation
and a trailing "(please specify)"); ``answers`` tables only list the texts that differ. Every column
of the export must be a question, an option, one of the platform's own columns (formats.toml) or
listed in ``ignore``, so no answer is left behind unnoticed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cspkit.errors import ConfigError
from cspkit.survey.questionnaire import Questionnaire
from cspkit.tomlfile import read_toml

FORMATS_FILE = Path(__file__).parent / "formats.toml"


@lru_cache(maxsize=1 << 16)
def normalise_text(value: str) -> str:
    """Text compared the way a person reads it: case, spacing and curly quotes ignored."""
    value = value.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", value).strip().casefold()


_SPECIFY = re.compile(r"\(?\s*please\s+specify\s*\)?\s*:?\s*$")


@lru_cache(maxsize=1 << 16)
def match_key(value: str) -> str:
    """Answer text reduced to its words, so "Anti social behaviour", "Anti-social behaviour" and
    "ANTI-SOCIAL BEHAVIOUR." match, "Other (please specify)" matches "Other", and "&" reads "and"."""
    text = _SPECIFY.sub("", normalise_text(value)).replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@dataclass(frozen=True, eq=False)  # compared (and cached) by identity: one mapping, one lookup
class QuestionColumns:
    """Where one question's answers are in the export."""

    question_id: str
    column: str | None = None
    option_columns: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    separator: str | None = None


@dataclass(frozen=True, eq=False)
class Mapping:
    format: str
    label: str
    header_rows: int
    separator: str
    encoding: str
    sheet: str | None
    respondent_id: str | None
    submitted_at: str | None
    status: str | None
    partial_values: tuple[str, ...]
    questions: dict[str, QuestionColumns]
    answers: dict[str, str]
    source: str
    #: columns the mapping itself named (an error when missing); preset columns are optional.
    required_meta: frozenset[str] = frozenset()
    #: the platform's own columns (ids, dates, names, addresses), never read (normalised text).
    platform_columns: frozenset[str] = frozenset()
    #: columns the analyst chose not to read: "Question" or "Question / Option" (normalised text).
    ignore: frozenset[str] = frozenset()


def _formats() -> dict[str, dict[str, Any]]:
    return tomllib.loads(FORMATS_FILE.read_text(encoding="utf-8"))


def load_mapping(path: str | Path, questionnaire: Questionnaire) -> Mapping:
    """Read a mapping file and check it against the questionnaire."""
    return parse_mapping(read_toml(path, "mapping file"), questionnaire, source=str(path))


def parse_mapping(raw: dict[str, Any], questionnaire: Questionnaire, source: str = "<mapping>") -> Mapping:
    formats = _formats()
    fmt = raw.get("format", "plain")
    if fmt not in formats:
        raise ConfigError(f"'format' must be one of {', '.join(formats)}, not {fmt!r}", file=source)
    preset = formats[fmt]

    def setting(key: str) -> Any:
        return raw.get(key, preset.get(key))

    header_rows = setting("header_rows")
    if header_rows not in (1, 2):
        raise ConfigError("'header_rows' must be 1 or 2", file=source)
    items = raw.get("questions")
    if not isinstance(items, dict) or not items:
        raise ConfigError("a mapping needs a [questions] table: question id = column", file=source)
    questions: dict[str, QuestionColumns] = {}
    for qid, spec in items.items():
        if qid not in questionnaire:
            raise ConfigError(f"[questions] names '{qid}', which is not a question in {questionnaire.title}", file=source)
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, dict) or not (spec.get("column") or spec.get("option_columns")):
            raise ConfigError(f"question '{qid}' needs 'column' or 'option_columns'", file=source)
        unknown = sorted(set(spec) - {"column", "option_columns", "answers", "separator"})
        if unknown:
            raise ConfigError(f"question '{qid}': unknown setting(s) {', '.join(unknown)}", file=source)
        codes = questionnaire[qid].codes
        for text, code in {**spec.get("answers", {}), **spec.get("option_columns", {})}.items():
            if code not in codes:
                raise ConfigError(f"question '{qid}': '{text}' maps to '{code}', which is not one of its codes", file=source)
        questions[qid] = QuestionColumns(
            question_id=qid,
            column=spec.get("column"),
            option_columns=dict(spec.get("option_columns", {})),
            answers={match_key(k): v for k, v in spec.get("answers", {}).items()},
            separator=spec.get("separator"),
        )
    explicit = {raw[k] for k in ("respondent_id", "submitted_at", "status") if raw.get(k)}
    ignore = raw.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
        raise ConfigError("'ignore' must be a list of column headers, e.g. ignore = [\"Collector ID\"]", file=source)
    return Mapping(
        format=fmt,
        label=str(raw.get("label", "")),
        header_rows=header_rows,
        separator=str(setting("separator")),
        encoding=str(raw.get("encoding", "auto")),
        sheet=raw.get("sheet"),
        respondent_id=setting("respondent_id") or None,
        submitted_at=setting("submitted_at") or None,
        status=setting("status") or None,
        partial_values=tuple(normalise_text(v) for v in setting("partial_values") or ()),
        questions=questions,
        answers={match_key(k): v for k, v in raw.get("answers", {}).items()},
        source=source,
        required_meta=frozenset(explicit),
        platform_columns=frozenset(normalise_text(c) for c in preset.get("platform_columns", ())),
        ignore=frozenset(normalise_text(c) for c in ignore),
    )
