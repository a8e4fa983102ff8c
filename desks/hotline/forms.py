"""Forms of the hotline desk. They only clean; what a term is, `policies.search` decides, and
what a call outcome changes, the reminders' services."""

from __future__ import annotations

from django import forms

from desks.hotline.filters import FORM_ID
from policies.models import User
from reminders.models import CallOutcome


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


class CallOutcomeForm(forms.Form):
    """One attempt at a renewal call: what came of it, and when to call back if agreed."""

    outcome = forms.ChoiceField(
        label="外呼结果",
        choices=CallOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择外呼结果。", "invalid_choice": "外呼结果无效。"},
    )
    call_back_at = forms.DateTimeField(
        label="约定回电时间",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local", "class": "form-control form-control-sm"}
        ),
        error_messages={"invalid": "回电时间格式应为 2026-05-01 14:30。"},
    )
    note = forms.CharField(
        label="备注",
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "通话要点（选填）"}
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == CallOutcome.CALL_BACK:
            if not data.get("call_back_at"):
                self.add_error("call_back_at", "约定回电请填写回电时间。")
        else:
            data["call_back_at"] = None  # only a call-back has a time; a stray value is dropped
        return data


class CallAssignForm(forms.Form):
    """A supervisor moves the ticked calls to an agent of the branch (or to nobody)."""

    calls = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": "请先勾选要分配的外呼。"})
    agent = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="（取消分配）",
        error_messages={"invalid_choice": "所选坐席不属于该网点。"},
    )

    def __init__(self, *args, calls, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calls"].choices = [(c, c) for c in calls]
        self.fields["agent"].queryset = agents
