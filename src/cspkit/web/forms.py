"""The web forms: each builds its fields from library data (method levels, questions, issues) and
leaves the rules to the library, so a form can never accept what the CLI would refuse."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from cspkit.risk.method import Criterion, Level
from cspkit.risk.register import Issue
from cspkit.survey.questionnaire import Question
from cspkit.web.library import Suggested, question_kind


class SignInForm(AuthenticationForm):
    error_messages: ClassVar = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update(autocomplete="username", spellcheck="false")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


def reason_field_name(criterion_id: str) -> str:
    return f"{criterion_id}__reason"


class IssueScoreForm(forms.Form):
    """Criteria of one issue (one criterion group per page): a level each, and a reason wherever the
    score differs from the data.

    When the criteria share one scale (the six kinds of harm, say), ``shared_levels`` holds it: the
    page describes the levels once, in a table, and each criterion offers just their names. Evidence
    the data gives for the whole group (a harm index, without a level per criterion) is
    ``shared_evidence``, shown once above them rather than under each.
    """

    def __init__(
        self,
        *args,
        criteria: Sequence[Criterion],
        suggestions: dict[str, Suggested],
        check_reason: Callable[[Criterion, float, Suggested | None, str], str | None],
        complete: bool = True,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.suggestions = suggestions
        self.check_reason = check_reason
        scales = {criterion.levels for criterion in self.criteria}
        self.shared_levels: tuple[Level, ...] = next(iter(scales)) if len(self.criteria) > 1 and len(scales) == 1 else ()
        group_evidence = {(s.value, s.evidence) if s else None for s in (suggestions.get(c.id) for c in self.criteria)}
        self.shared_evidence = ""
        if len(self.criteria) > 1 and len(group_evidence) == 1 and None not in group_evidence:
            value, evidence = next(iter(group_evidence))
            self.shared_evidence = evidence if value is None else ""
        for criterion in self.criteria:
            suggestion = suggestions.get(criterion.id)
            hint = criterion.question
            if suggestion is not None and not self.shared_evidence:
                level = criterion.level(suggestion.value) if suggestion.value is not None else None
                suggested = f"Suggested from the data: {level.label} ({level.value:g}). " if level else ""
                hint = f"{hint} {suggested}{suggestion.evidence}".strip()
            score = forms.TypedChoiceField(
                label=criterion.name,
                choices=[(f"{level.value:g}", f"{level.label} ({level.value:g})") for level in criterion.levels],
                coerce=float,
                widget=forms.RadioSelect,
                required=complete,
                help_text=hint,
                error_messages={
                    "required": f"Select a level for {criterion.name.lower()}",
                    "invalid_choice": f"Select one of the levels listed for {criterion.name.lower()}",
                },
            )
            if self.shared_levels:
                score.compact = True
            else:
                score.choice_hints = {f"{level.value:g}": level.description for level in criterion.levels}
            self.fields[criterion.id] = score
            if suggestion is not None and suggestion.value is not None:
                self.fields[reason_field_name(criterion.id)] = forms.CharField(
                    label=f"Reason for scoring {criterion.name.lower()} differently from the suggestion",
                    help_text="Only needed if your score differs from the suggested score.",
                    widget=forms.Textarea(attrs={"rows": 2}),
                    required=False,
                    max_length=2000,
                )

    def clean(self) -> dict:
        cleaned = super().clean()
        for criterion in self.criteria:
            value = cleaned.get(criterion.id)
            if value in (None, ""):
                continue
            reason = cleaned.get(reason_field_name(criterion.id), "") or ""
            problem = self.check_reason(criterion, value, self.suggestions.get(criterion.id), reason)
            if problem:
                self.add_error(reason_field_name(criterion.id), problem)
        return cleaned


class _LibraryCheckedChoice(forms.ChoiceField):
    """Offers the question's options but leaves checking the answer to cspkit.survey."""

    def validate(self, value: object) -> None:
        return None


class _LibraryCheckedChoices(forms.MultipleChoiceField):
    def validate(self, value: object) -> None:
        return None


class QuestionForm(forms.Form):
    """One survey question; its answer is checked by the survey library's own validation."""

    def __init__(self, *args, question: Question, validate: Callable[[Question, object], object], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.question = question
        self.validate = validate
        common = {"label": question.text, "help_text": question.hint, "required": False}
        choices = [(option.code, option.label) for option in question.options]
        kind = question_kind(question)
        if kind == "single":
            self.fields["answer"] = _LibraryCheckedChoice(choices=choices, widget=forms.RadioSelect, **common)
        elif kind == "multiple":
            self.fields["answer"] = _LibraryCheckedChoices(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        elif kind == "text":
            self.fields["answer"] = forms.CharField(widget=forms.Textarea, **common)
        else:
            self.fields["answer"] = forms.CharField(**common)

    def clean_answer(self) -> object:
        raw = self.cleaned_data.get("answer")
        try:
            return self.validate(self.question, raw)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class HoneypotForm(forms.Form):
    """The last page of the survey: a field people never see (bots fill it in) and the idempotency token."""

    token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(required=False, label="Leave this field empty")


class BallotForm(forms.Form):
    """A ranked ballot without JavaScript: a position for each shortlisted issue, 1 = most important."""

    def __init__(self, *args, issues: Sequence[Issue], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.issues = list(issues)
        positions = [("", "Not ranked")] + [(str(n), str(n)) for n in range(1, len(self.issues) + 1)]
        for issue in self.issues:
            self.fields[issue.id] = forms.ChoiceField(label=issue.name, choices=positions, required=False)

    def clean(self) -> dict:
        """Each problem on the field it is about, naming the issues, so the error summary links to them."""
        cleaned = super().clean()
        if self.errors:
            return cleaned
        ranks = {issue.id: int(cleaned[issue.id]) for issue in self.issues if cleaned.get(issue.id)}
        if not ranks:
            self.add_error(self.issues[0].id, "Rank at least one issue: give your most important issue position 1")
            return cleaned
        names = {issue.id: issue.name for issue in self.issues}
        by_position: dict[int, list[str]] = {}
        for issue_id, position in ranks.items():
            by_position.setdefault(position, []).append(issue_id)
        for position, clashing in sorted(by_position.items()):
            for issue_id in clashing if len(clashing) > 1 else ():
                others = " and ".join(names[i] for i in clashing if i != issue_id)
                self.add_error(issue_id, f"{names[issue_id]} has position {position}, the same as {others}: "
                                         "give each issue a different position")
        missing = [n for n in range(1, len(by_position) + 1) if n not in by_position]
        if not self.errors and missing:
            beyond = min(p for p in by_position if p > missing[0])
            issue_id = by_position[beyond][0]
            self.add_error(issue_id, f"No issue has position {missing[0]}: give {names[issue_id]} position "
                                     f"{missing[0]} or rank another issue {missing[0]}, so positions run 1, 2, 3 "
                                     "and so on without gaps")
        cleaned["ranking"] = sorted(ranks, key=ranks.__getitem__)
        return cleaned


class DecisionForm(forms.Form):
    def __init__(self, *args, issues: Sequence[Issue], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(issue.id, issue.name) for issue in issues]
        self.fields["priorities"] = forms.MultipleChoiceField(
            label="Agreed priorities", choices=choices, widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select at least one priority"},
        )
        self.fields["knowledge_gaps"] = forms.MultipleChoiceField(
            label="Knowledge gaps", choices=choices, widget=forms.CheckboxSelectMultiple, required=False
        )
        self.fields["rationale"] = forms.CharField(
            label="Rationale", help_text="In the partnership's words, why these priorities.", widget=forms.Textarea,
            error_messages={"required": "Enter the rationale for the decision"}, max_length=10000,
        )
        self.fields["how_we_will_learn"] = forms.CharField(
            label="How the partnership will learn about the knowledge gaps", widget=forms.Textarea, required=False,
            help_text="Needed when you record a knowledge gap.", max_length=10000,
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        both = set(cleaned.get("priorities", [])) & set(cleaned.get("knowledge_gaps", []))
        if both:
            self.add_error("knowledge_gaps", "An issue cannot be both a priority and a knowledge gap")
        if cleaned.get("knowledge_gaps") and not cleaned.get("how_we_will_learn", "").strip():
            self.add_error("how_we_will_learn", "Enter how the partnership will learn about the knowledge gaps")
        return cleaned


class ResetRequestForm(PasswordResetForm):
    """Ask for a password reset link by email address."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].help_text = "The address your partnership's analyst has for you"
        self.fields["email"].error_messages.update(required="Enter your email address",
                                                   invalid="Enter an email address in the correct format, like name@example.com")
        self.fields["email"].widget.attrs.update(autocomplete="email", spellcheck="false")


class ChoosePasswordForm(SetPasswordForm):
    """Choose a password (after a reset link or an invitation); Django's password rules apply."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 10 characters; not a common password and not only numbers"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.update(autocomplete="new-password")


class InviteForm(forms.Form):
    """An analyst invites a partner to their assessment as a scorer or a viewer."""

    email = forms.EmailField(label="Email address", max_length=254, error_messages={
        "required": "Enter the partner's email address",
        "invalid": "Enter an email address in the correct format, like name@example.com",
    })
    organisation = forms.CharField(label="Organisation", max_length=200, help_text="The partner organisation they act for",
                                   error_messages={"required": "Enter the partner's organisation"})
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect, choices=[
        ("scorer", "Partner scorer"), ("viewer", "Viewer"),
    ], error_messages={"required": "Select a role"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choice_hints = {
            "scorer": "Scores the risk matrix and votes in the focus group",
            "viewer": "Sees the dashboard, the released matrix, the focus group and the documents",
        }
        self.fields["email"].widget.attrs.update(autocomplete="off", spellcheck="false")
