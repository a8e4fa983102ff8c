"""Sign-in forms: password, then the one-time code."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's sign-in form (the lockout backend counts its failures)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "请输入正确的用户名和密码（注意区分大小写）。连续输错将被暂时锁定。",
    }


class CodeForm(forms.Form):
    code = forms.CharField(
        label="动态验证码",
        max_length=20,
        help_text="验证器 App 上的 6 位数字；手机不在身边时，可输入一个恢复码（每个只能用一次）。",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
        error_messages={"required": "请输入验证码。"},
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="验证器上显示的 6 位数字",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "请输入验证器上显示的 6 位数字。"},
    )
