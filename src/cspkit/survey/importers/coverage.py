"""Every column of an export is accounted for before a single answer is read.

A column is a mapped question or option, one of the platform's own columns (formats.toml), or
listed in the mapping's ``ignore``. Anything else would be answers silently left behind (a
council's own option wording, an extra question), so the import stops and lists every such column
with the line that maps it, or ignores it, in the mapping file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from cspkit.errors import InputError
from cspkit.survey.importers.mapping import Mapping, match_key, normalise_text
from cspkit.survey.questionnaire import Question


@dataclass(frozen=True)
class Unmapped:
    """An export column nothing reads; ``question`` is the mapped question it sits under, if any."""

    index: int
    top: str
    sub: str
    question: Question | None = None
    columns: int = 1  # an unmapped question spread over several columns is listed once

    @property
    def header(self) -> str:
        """How the mapping's ``ignore`` names it: "Question" or "Question / Option"."""
        return f"{self.top} / {self.sub}" if self.sub and self.question is not None else self.top or self.sub

    def advice(self) -> str:
        where = (f"columns {column_letter(self.index)} to {column_letter(self.index + self.columns - 1)}, "
                 f"'{self.header}' ({self.columns} columns)" if self.columns > 1
                 else f"column {column_letter(self.index)}, '{self.header}'")
        ignore = f'or list it in ignore = ["{self.header}"]'
        if self.question is None:
            return f"{where}: map it in [questions] as QUESTION_ID = \"{self.top or self.sub}\", {ignore}"
        qid = self.question.id
        if match_key(self.sub) == "other":
            return (f"{where}: question '{qid}' has no 'Other' option; add {{ code = \"other\", label = \"Other\" }} "
                    f"to its options in the questionnaire, {ignore}")
        code = _closest_code(self.question, self.sub)
        return (f"{where}: under question '{qid}', but '{self.sub}' is none of its answers; map it in "
                f"[questions.{qid}] answers = {{ \"{self.sub}\" = \"{code}\" }}, {ignore}")


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


_FILLER = frozenset({"a", "and", "as", "by", "in", "including", "of", "or", "such", "the", "to"})


def _closest_code(question: Question, text: str) -> str:
    """The option sharing most words with TEXT (a suggestion for the analyst to check), else CODE."""
    words = set(match_key(text).split()) - _FILLER
    shared = [(len(words & set(match_key(o.label).split())), o.code) for o in question.options]
    best, code = max(shared, key=lambda pair: pair[0], default=(0, ""))
    return code if best else "CODE"


def is_ignored(mapping: Mapping, top: str, sub: str) -> bool:
    names = {normalise_text(top), normalise_text(f"{top} / {sub}"), normalise_text(sub) if not top else ""}
    return bool(names & mapping.ignore) or (not sub and normalise_text(top) in mapping.platform_columns)


def check_every_column(
    headers: list[tuple[str, str]],
    rows: list[list[str]],
    read: set[int],
    under_question: dict[int, Question],
    mapping: Mapping,
    file: str,
) -> None:
    """Stop, listing every column that is neither read, the platform's, ignored nor blank."""
    unmapped: list[Unmapped] = []
    for index, (top, sub) in enumerate(headers):
        if index in read or is_ignored(mapping, top, sub) or _blank(index, top, sub, rows):
            continue
        question = under_question.get(index)
        last = unmapped[-1] if unmapped else None
        if (question is None and last is not None and last.question is None and top and last.top == top
                and last.index + last.columns == index):
            unmapped[-1] = replace(last, columns=last.columns + 1)
        else:
            unmapped.append(Unmapped(index, top, sub, question))
    if unmapped:
        raise InputError(_message(unmapped), file=file)


def _blank(index: int, top: str, sub: str, rows: Iterable[list[str]]) -> bool:
    return not top and not sub and not any(row[index] for row in rows)


def _message(unmapped: list[Unmapped]) -> str:
    count = sum(u.columns for u in unmapped)
    several = count > 1
    lines = [f"{count} column{'s' if several else ''} of the export {'are' if several else 'is'} not mapped, "
             f"so {'their' if several else 'its'} answers would be lost. In the mapping file, map or ignore "
             f"{'each' if several else 'it'}:"]
    return "\n".join([*lines, *(f"  - {u.advice()}" for u in unmapped)])
