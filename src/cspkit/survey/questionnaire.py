"""The questionnaire as data: read and check a TOML definition, and check one answer against it.

The same :class:`Questionnaire` drives the importers, the weighting (which question is the area,
age and sex), the analysis and the public web form, so a partnership changes a question in one
file and every step follows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from cspkit.errors import ConfigError, InputError
from cspkit.tomlfile import read_toml

DEFAULT_QUESTIONNAIRE = Path(__file__).parent / "questionnaires" / "default.toml"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
#: A full UK postcode, any spacing or case (checked after upper-casing and removing spaces).
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


class QuestionType(StrEnum):
    single = "single"
    multiple = "multiple"
    likert = "likert"
    free_text = "free_text"
    area = "area"
    postcode = "postcode"
    demographic = "demographic"


#: Question types answered by choosing codes (everything except free text and postcode).
CLOSED_TYPES = frozenset(
    {QuestionType.single, QuestionType.multiple, QuestionType.likert, QuestionType.area, QuestionType.demographic}
)
ROLES = frozenset({"age_band", "sex", "concerns"})

Answer = str | tuple[str, ...] | None


@dataclass(frozen=True)
class Option:
    """One answer a resident can choose."""

    code: str
    label: str
    risk_issue: str | None = None
    wards: tuple[str, ...] = ()
    population: str | None = None


@dataclass(frozen=True)
class Net:
    """A group of codes reported together, e.g. "very or fairly safe"."""

    code: str
    label: str
    codes: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # identity equality: cheap to hash as a cache key
class Question:
    id: str
    text: str
    type: QuestionType
    options: tuple[Option, ...] = ()
    hint: str = ""
    required: bool = False
    dont_know: tuple[str, ...] = ()
    exclude_dont_know: bool = True
    nets: tuple[Net, ...] = ()
    role: str | None = None
    max_choices: int | None = None
    exclusive: tuple[str, ...] = ()
    max_length: int = 1000
    error_message: str = ""

    @property
    def closed(self) -> bool:
        return self.type in CLOSED_TYPES

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)

    def option(self, code: str) -> Option:
        for option in self.options:
            if option.code == code:
                return option
        raise KeyError(code)

    def label(self, code: str) -> str:
        return self.option(code).label


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: str
    version: str
    questions: tuple[Question, ...]
    description: str = ""
    source: str = ""
    _by_id: dict[str, Question] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({q.id: q for q in self.questions})

    def __getitem__(self, question_id: str) -> Question:
        try:
            return self._by_id[question_id]
        except KeyError:
            raise ConfigError(f"the questionnaire has no question '{question_id}'", file=self.source) from None

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id

    def with_role(self, role: str) -> Question | None:
        """The question that plays a role (age_band, sex, concerns), if any."""
        return next((q for q in self.questions if q.role == role), None)

    @property
    def area_question(self) -> Question | None:
        return next((q for q in self.questions if q.type == QuestionType.area), None)

    @property
    def postcode_question(self) -> Question | None:
        return next((q for q in self.questions if q.type == QuestionType.postcode), None)


def load_questionnaire(path: str | Path | None = None, area_codes: Sequence[str] = ()) -> Questionnaire:
    """Read and check a questionnaire definition; ``None`` gives the shipped default.

    ``area_codes`` are the assessment's districts: an area question with ``options_from = "wards"``
    lists their wards, and ``{area}`` in a question's text or hint becomes their name.
    """
    path = Path(path) if path is not None else DEFAULT_QUESTIONNAIRE
    return parse_questionnaire(read_toml(path, "questionnaire file"), source=str(path), area_codes=area_codes)


def parse_questionnaire(
    raw: dict[str, Any], source: str = "<questionnaire>", area_codes: Sequence[str] = ()
) -> Questionnaire:
    """Build a questionnaire from parsed TOML, naming the question and setting of any mistake."""
    if area_codes:
        raw = fill_area(raw, area_codes, source)
    head = raw.get("questionnaire", {})
    if not isinstance(head, dict):
        raise ConfigError("[questionnaire] must be a table", file=source)
    items = raw.get("questions")
    if not isinstance(items, list) or not items:
        raise ConfigError("a questionnaire needs at least one [[questions]] table", file=source)
    questions: list[Question] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        question = _question(item, number, source)
        if question.id in seen:
            raise ConfigError(f"question {number}: id '{question.id}' is used twice", file=source)
        seen.add(question.id)
        questions.append(question)
    for role in ROLES:
        if sum(q.role == role for q in questions) > 1:
            raise ConfigError(f"more than one question has role '{role}'", file=source)
    for kind in (QuestionType.area, QuestionType.postcode):
        if sum(q.type == kind for q in questions) > 1:
            raise ConfigError(f"more than one question has type '{kind}'", file=source)
    return Questionnaire(
        id=str(head.get("id", "survey")),
        title=str(head.get("title", "Survey")),
        version=str(head.get("version", "")),
        description=str(head.get("description", "")),
        questions=tuple(questions),
        source=source,
    )


def _question(item: Any, number: int, source: str) -> Question:
    def fail(message: str) -> ConfigError:
        name = item.get("id", "?") if isinstance(item, dict) else "?"
        return ConfigError(f"question {number} ('{name}'): {message}", file=source)

    if not isinstance(item, dict):
        raise fail("each [[questions]] entry must be a table")
    known = {
        "id", "text", "type", "options", "hint", "required", "dont_know", "exclude_dont_know", "nets", "role",
        "max_choices", "exclusive", "max_length", "error_message", "options_from",
    }  # fmt: skip
    unknown = sorted(set(item) - known)
    if unknown:
        raise fail(f"unknown setting(s) {', '.join(unknown)}")
    if "options_from" in item:
        raise fail(
            f"options_from = {item['options_from']!r} lists the wards of the assessment's districts, so it needs them: "
            "the config's area_codes, --area CODE on the command line, or the assessment's area code in the web app"
        )
    qid = item.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise fail("'id' must be lower-case letters, digits and _ and start with a letter")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise fail("'text' (the question as residents see it) is required")
    try:
        qtype = QuestionType(item.get("type"))
    except ValueError:
        raise fail(f"'type' must be one of {', '.join(t.value for t in QuestionType)}, not {item.get('type')!r}") from None
    options = tuple(_option(o, fail) for o in item.get("options", []))
    codes = [o.code for o in options]
    if qtype in CLOSED_TYPES and len(options) < 2:
        raise fail("a closed question needs at least two options")
    if qtype not in CLOSED_TYPES and options:
        raise fail(f"a {qtype} question has no options")
    if len(set(codes)) != len(codes):
        raise fail("option codes must be unique")
    dont_know = tuple(item.get("dont_know", []))
    exclusive = tuple(item.get("exclusive", []))
    for name, listed in (("dont_know", dont_know), ("exclusive", exclusive)):
        missing = [c for c in listed if c not in codes]
        if missing:
            raise fail(f"'{name}' names codes that are not options: {', '.join(map(str, missing))}")
    nets = []
    for net in item.get("nets", []):
        if not isinstance(net, dict) or not {"code", "label", "codes"} <= set(net):
            raise fail("each net needs code, label and codes")
        missing = [c for c in net["codes"] if c not in codes]
        if missing:
            raise fail(f"net '{net['code']}' names codes that are not options: {', '.join(missing)}")
        if net["code"] in codes:
            raise fail(f"net code '{net['code']}' is also an option code")
        nets.append(Net(str(net["code"]), str(net["label"]), tuple(net["codes"])))
    role = item.get("role")
    if role is not None and role not in ROLES:
        raise fail(f"'role' must be one of {', '.join(sorted(ROLES))}")
    if role == "concerns" and qtype != QuestionType.multiple:
        raise fail("the concerns question must be a multiple choice question")
    if role in {"age_band", "sex"} and not any(o.population for o in options):
        raise fail(f"the {role} question needs 'population' on the options that are weighted")
    if qtype == QuestionType.area:
        unmapped = [o.code for o in options if not o.wards and o.code not in dont_know]
        if unmapped:
            raise fail(f"area options need 'wards' (ward codes): {', '.join(unmapped)}")
    max_choices = item.get("max_choices")
    if max_choices is not None and (not isinstance(max_choices, int) or max_choices < 1):
        raise fail("'max_choices' must be a whole number of at least 1")
    max_length = item.get("max_length", 1000)
    if not isinstance(max_length, int) or max_length < 1:
        raise fail("'max_length' must be a whole number of at least 1")
    return Question(
        id=qid,
        text=text.strip(),
        type=qtype,
        options=options,
        hint=str(item.get("hint", "")),
        required=bool(item.get("required", False)),
        dont_know=dont_know,
        exclude_dont_know=bool(item.get("exclude_dont_know", True)),
        nets=tuple(nets),
        role=role,
        max_choices=max_choices,
        exclusive=exclusive,
        max_length=max_length,
        error_message=str(item.get("error_message", "")),
    )


def _option(raw: Any, fail) -> Option:
    if not isinstance(raw, dict) or not isinstance(raw.get("code"), str) or not isinstance(raw.get("label"), str):
        raise fail("each option needs a text 'code' and 'label'")
    unknown = sorted(set(raw) - {"code", "label", "risk_issue", "wards", "population"})
    if unknown:
        raise fail(f"option '{raw['code']}' has unknown setting(s) {', '.join(unknown)}")
    wards = raw.get("wards", [])
    if isinstance(wards, str):
        wards = [wards]
    return Option(
        code=raw["code"],
        label=raw["label"],
        risk_issue=raw.get("risk_issue"),
        wards=tuple(wards),
        population=raw.get("population"),
    )


def fill_area(raw: dict[str, Any], area_codes: Sequence[str], source: str) -> dict[str, Any]:
    """``raw`` with the area question's ward options listed and ``{area}`` named, for these districts."""
    from cspkit.data.districts import area_name, find_districts, wards_of

    districts = find_districts(list(area_codes))
    name = area_name([d.name for d in districts])
    joint = len(districts) > 1
    names = {d.code: d.name for d in districts}
    questions = []
    for item in raw.get("questions", []):
        if not isinstance(item, dict):
            questions.append(item)
            continue
        item = {k: v.replace("{area}", name) if k in ("text", "hint") and isinstance(v, str) else v for k, v in item.items()}
        source_of_options = item.pop("options_from", None)
        if source_of_options is not None:
            if source_of_options != "wards" or item.get("type") != "area":
                raise ConfigError(
                    f"question '{item.get('id', '?')}': options_from = {source_of_options!r}: only an area question "
                    "can take its options from \"wards\"",
                    file=source,
                )
            item["options"] = [
                {"code": w.code, "label": f"{w.name} ({names[w.lad_code]})" if joint else w.name, "wards": [w.code]}
                for w in wards_of(tuple(d.code for d in districts))
            ] + list(item.get("options", []))
        questions.append(item)
    return {**raw, "questions": questions}


def normalise_postcode(raw: str) -> str | None:
    """``lu5 4xx`` -> ``LU5 4XX``; None when it is not the shape of a full UK postcode."""
    compact = re.sub(r"\s+", "", raw).upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def validate_answer(question: Question, raw: str | list[str] | tuple[str, ...] | None) -> Answer:
    """Check one answer (codes, as a form posts them) and return it in its stored form.

    Returns a code (single choice), a tuple of codes (multiple choice), stripped text (free text),
    a normalised postcode, or None when not answered. Raises :class:`InputError` with a message
    written for the resident, the question id as its column.
    """

    def reject(message: str) -> InputError:
        return InputError(question.error_message or message, column=question.id)

    values = [raw] if isinstance(raw, str) else list(raw or [])
    values = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    if not values:
        if question.required:
            raise reject(_required_message(question))
        return None
    if question.type == QuestionType.free_text:
        text = " ".join(values)
        if len(text) > question.max_length:
            raise reject(f"Your answer must be {question.max_length} characters or fewer")
        return text
    if question.type == QuestionType.postcode:
        postcode = normalise_postcode(values[0])
        if postcode is None or len(values) > 1:
            raise reject("Enter a real postcode, like LU5 4QL")
        return postcode
    unknown = [v for v in values if v not in question.codes]
    if unknown:
        raise reject(f"'{unknown[0]}' is not one of the answers to this question")
    if question.type != QuestionType.multiple:
        if len(values) > 1:
            raise reject("Select one answer")
        return values[0]
    chosen = tuple(dict.fromkeys(values))
    if question.max_choices is not None and len(chosen) > question.max_choices:
        raise reject(f"Select up to {question.max_choices} answers")
    exclusive = [c for c in chosen if c in question.exclusive]
    if exclusive and len(chosen) > 1:
        raise reject(f"'{question.label(exclusive[0])}' cannot be selected with other answers")
    return chosen


def _required_message(question: Question) -> str:
    if question.type == QuestionType.free_text:
        return "Enter your answer"
    if question.type == QuestionType.postcode:
        return "Enter your postcode"
    if question.type == QuestionType.multiple:
        return "Select at least one answer"
    return "Select an answer"
