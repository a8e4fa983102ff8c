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
