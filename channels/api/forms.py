from django import forms

from policies.identifiers import clean_plate, clean_vin


class StatusLookupForm(forms.Form):
    """Plate + VIN from the public status page, normalised as at the counter."""

    plate = forms.CharField(
        label="号牌号码",
        max_length=32,
        error_messages={"required": "请输入号牌号码。", "max_length": "号牌号码最多 32 个字符。"},
        widget=forms.TextInput(
            attrs={"placeholder": "如 苏A12345", "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )
    vin = forms.CharField(
        label="车辆识别代号（VIN）",
        max_length=40,
        help_text="行驶证上的 17 位车辆识别代号。",
        error_messages={"required": "请输入车辆识别代号。", "max_length": "车辆识别代号最多 40 个字符。"},
        widget=forms.TextInput(
            attrs={"placeholder": "17 位字母和数字", "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )

    def clean_plate(self) -> str:
        return clean_plate(self.cleaned_data["plate"])

    def clean_vin(self) -> str:
        return clean_vin(self.cleaned_data["vin"])
