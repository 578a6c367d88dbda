"""Form fields: the hint and the error a field's input names in aria-describedby exist on the page,
so a screen reader reads both with the field."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


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
