"""The GOV.UK form components render radios and checkboxes from one template, each as its own kind."""

from __future__ import annotations

from django import forms

from cspkit.web.templatetags.govuk import govuk_field


class _Form(forms.Form):
    one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple)


def test_radios_and_checkboxes_keep_their_own_classes_and_types() -> None:
    form = _Form(data={"one": "b", "many": ["x", "y"]})
    radios = govuk_field(form["one"])
    checkboxes = govuk_field(form["many"])
    assert 'class="govuk-radios"' in radios and radios.count('type="radio"') == 2
    assert "govuk-checkboxes" not in radios
    assert 'class="govuk-checkboxes"' in checkboxes and checkboxes.count('type="checkbox"') == 2
    assert "govuk-radios" not in checkboxes
    assert radios.count(" checked") == 1 and checkboxes.count(" checked") == 2
