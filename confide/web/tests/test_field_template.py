"""Form fields: the hint and the error a field's input names in aria-describedby exist on the page,
so a screen reader reads both with the field; the cursor starts in the first field asked for."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string

from confide.web.forms import CodeForm, ReauthForm


class _Form(forms.Form):
    code = forms.CharField(label="Code", help_text="Six digits from your app.", max_length=6)
    note = forms.CharField(label="Note", required=False)


def _described(html: str) -> list[str]:
    found = re.search(r'aria-describedby="([^"]+)"', html)
    return found.group(1).split() if found else []


def test_a_field_with_an_error_names_its_hint_and_error_and_both_exist() -> None:
    form = _Form({"code": "1234567"})
    assert not form.is_valid()
    html = render_to_string("web/_field.html", {"field": form["code"]})
    ids = _described(html)
    assert ids == ["id_code_helptext", "id_code_error"]
    for ident in ids:
        assert f'id="{ident}"' in html
    assert 'aria-invalid="true"' in html
    assert "Six digits from your app." in html


def test_a_plain_field_names_nothing_missing() -> None:
    html = render_to_string("web/_field.html", {"field": _Form()["note"]})
    for ident in _described(html):
        assert f'id="{ident}"' in html
    assert 'for="id_note"' in html


class _WithHidden(_Form):
    seen = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Nothing was saved.")


def test_a_form_in_error_opens_with_a_focused_summary_linking_each_field() -> None:
    form = _WithHidden({"code": "1234567", "note": ""})
    assert not form.is_valid()
    html = render_to_string("web/_form_errors.html", {"form": form})
    assert 'role="alert" tabindex="-1" autofocus' in html
    assert "There is a problem" in html
    assert "Nothing was saved." in html
    assert re.search(r'<a href="#id_code">Code: [^<]+</a>', html)
    assert "#id_note" not in html  # no error, no link
    assert html.count("This page was out of date") == 1  # a hidden field's error, in words
    assert render_to_string("web/_form_errors.html", {"form": _Form()}).strip() == ""


class _Choice(forms.Form):
    method = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


def test_a_group_of_radio_buttons_in_error_is_linked_to_its_first_button() -> None:
    form = _Choice({})
    assert not form.is_valid()
    html = render_to_string("web/_form_errors.html", {"form": form})
    assert 'href="#id_method_0"' in html
    assert 'href="#"' not in html
    only_hidden = render_to_string("web/_form_errors.html", {"form": _OnlyHidden({})})
    assert "<ul>" not in only_hidden


class _OnlyHidden(forms.Form):
    seen = forms.IntegerField(widget=forms.HiddenInput)


def test_the_confirmation_form_starts_in_the_password_it_asks_for_first() -> None:
    form = ReauthForm()
    assert "autofocus" in str(form["password"])
    assert "autofocus" not in str(form["code"])
    assert "autofocus" in str(CodeForm()["code"])  # the sign-in's code step keeps it
