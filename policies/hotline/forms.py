"""The hotline's search box. It only cleans; what the term is, `policies.search` decides."""

from __future__ import annotations

from django import forms

from policies.hotline.filters import FORM_ID


class SearchForm(forms.Form):
    q = forms.CharField(
        label="查询",
        required=False,
        max_length=60,
        strip=True,
        error_messages={"max_length": "查询内容最多 %(limit_value)d 个字符（当前 %(show_value)d 个）。"},
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "保单号、号牌、车架号（VIN）、身份证号、手机号或姓名",
                "class": "form-control form-control-lg search-box",
                "form": FORM_ID,
                "aria-keyshortcuts": "/",
                "data-testid": "search-box",
            }
        ),
    )
