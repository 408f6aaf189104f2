"""Render Django form fields as GOV.UK Frontend components (label, hint, error message, input)."""

from __future__ import annotations

from django import forms, template
from django.template.loader import get_template

register = template.Library()

# Radios and checkboxes share one template: GOV.UK names their classes alike (govuk-radios__item...).
_TEMPLATES = {
    forms.RadioSelect: "web/includes/choices.html",
    forms.Textarea: "web/includes/textarea.html",
    forms.Select: "web/includes/select.html",
}


@register.simple_tag
def govuk_field(field: forms.BoundField, heading: bool = False) -> str:
    """One field with its label as the page heading when ``heading`` (the one-question-per-page pattern)."""
    widget = field.field.widget
    name = next((path for kind, path in _TEMPLATES.items() if isinstance(widget, kind)), "web/includes/input.html")
    hints = getattr(field.field, "choice_hints", {})
    choices = [
        {"value": value, "label": label, "hint": hints.get(str(value), ""), "checked": _is_checked(field, value)}
        for value, label in getattr(field.field, "choices", [])
        if value != ""
    ]
    input_type = getattr(widget, "input_type", "text")
    component = "checkboxes" if input_type == "checkbox" else "radios"
    context = {"field": field, "heading": heading, "choices": choices, "input_type": input_type, "component": component,
               "compact": getattr(field.field, "compact", False), "rows": widget.attrs.get("rows", 5)}
    return get_template(name).render(context)


def _is_checked(field: forms.BoundField, value: object) -> bool:
    current = field.value()
    if isinstance(current, list | tuple):
        return str(value) in {str(v) for v in current}
    return current is not None and str(current) == str(value)


@register.inclusion_tag("web/includes/error_summary.html")
def govuk_error_summary(form: forms.Form) -> dict:
    """The error summary at the top of the page, each error linking to its field."""
    errors = []
    for field in form:
        for error in field.errors:
            grouped = isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
            anchor = f"{field.auto_id}-0" if grouped else field.auto_id
            errors.append({"href": f"#{anchor}", "text": error})
    errors += [{"href": "", "text": error} for error in form.non_field_errors()]
    return {"errors": errors}
