"""Form widgets drawn in one pass of Python.

Django draws a `<select>` through a template per option (`select_option.html`): a list of 60
branches costs several milliseconds of every page that shows it. `QuickSelect` writes the
same markup directly; choices with groups fall back to Django's own drawing."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = []
        picked = False
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # an <optgroup>
                return super().render(name, value, attrs, renderer)
            text = "" if option_value is None else str(option_value)
            selected = not picked and text in chosen
            picked = picked or selected
            options.append(
                f'<option value="{escape(text)}"{" selected" if selected else ""}>{escape(label)}</option>'
            )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>\n{}\n</select>", flatatt(final), mark_safe("\n".join(options)))


class OneOrMoreSelect(forms.SelectMultiple):
    """A filter that usually takes one value and sometimes several (a link from the dashboard
    comparing branches): a dropdown with an "all" option while at most one is chosen, a list
    box when several are. The "all" option submits nothing."""

    def __init__(self, attrs=None, *, empty_label: str = "全部"):
        super().__init__(attrs)
        self.empty_label = empty_label

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name)  # a plain dict gives one value or None
        values = [values] if isinstance(values, str) else values or []
        return [v for v in values if v]

    def render(self, name, value, attrs=None, renderer=None):
        chosen = [v for v in self.format_value(value) if v]
        if len(chosen) > 1:
            return super().render(name, value, {**(attrs or {}), "size": 3}, renderer)
        single = QuickSelect(attrs=self.attrs, choices=[("", self.empty_label), *self.choices])
        return single.render(name, chosen[0] if chosen else "", attrs, renderer)
