"""Forms of the policies app. They only clean and normalise; writes happen in services."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError

from core.clock import today
from policies.choices import (
    PASSENGER_CAR_CATEGORIES,
    TAX_EXEMPT_ENERGY,
    CancelReason,
    EnergyType,
    PaymentMethod,
    PremiumCategory,
    TermKind,
)
from policies.identifiers import check_vin, clean_id_number, clean_plate, normalize, plate_kind
from policies.models import Vehicle
from policies.quotes import SHORT_TERMS

_FILE_NUMBER = re.compile(r"^[0-9]{12}$")


def _text(placeholder: str, **attrs) -> forms.TextInput:
    return forms.TextInput(
        attrs={"placeholder": placeholder, "autocomplete": "off", "spellcheck": "false", **attrs}
    )


class CounterLookupForm(forms.Form):
    """One lookup: a driving-licence / ID number, or the vehicle licence's plate + VIN.

    Input is forgiving (spaces, lower case, full-width characters from a Chinese IME); a
    wrong check digit or an impossible plate is refused here, before any search runs.
    """

    number = forms.CharField(
        label="驾驶证号 / 身份证号",
        required=False,
        max_length=40,
        widget=_text("18 位证号，或 12 位档案编号", autofocus=True),
    )
    plate = forms.CharField(label="号牌号码", required=False, max_length=20, widget=_text("如 苏A12345"))
    vin = forms.CharField(
        label="车辆识别代号（VIN）", required=False, max_length=40, widget=_text("17 位，行驶证上的车架号")
    )
    engine_number = forms.CharField(
        label="发动机号码（选填，用于核对）", required=False, max_length=40, widget=_text("选填")
    )

    vin_warning = ""

    def clean_number(self) -> str:
        value = normalize(self.cleaned_data["number"])
        if not value:
            return ""
        if _FILE_NUMBER.match(value):
            return value  # 驾驶证档案编号
        if plate_kind(value):
            raise ValidationError(
                "“%(value)s”是号牌号码：按行驶证查询请填在“号牌号码”栏，并同时填写车辆识别代号。",
                params={"value": value},
            )
        return clean_id_number(value, today=today())

    def clean_plate(self) -> str:
        value = self.cleaned_data["plate"]
        return clean_plate(value) if normalize(value) else ""

    def clean_vin(self) -> str:
        value = self.cleaned_data["vin"]
        if not normalize(value):
            return ""
        checked = check_vin(value)
        self.vin_warning = checked.warning
        return checked.vin

    def clean_engine_number(self) -> str:
        return normalize(self.cleaned_data["engine_number"])

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        number, plate, vin = data.get("number"), data.get("plate"), data.get("vin")
        if number and (plate or vin):
            raise ValidationError("请只按一种方式查询：驾驶证号（身份证号），或号牌号码 + 车辆识别代号。")
        if not (number or plate or vin):
            raise ValidationError("请输入驾驶证号（身份证号），或行驶证上的号牌号码和车辆识别代号。")
        if not number:
            if not plate:
                self.add_error("plate", "按行驶证查询须同时填写号牌号码。")
            if not vin:
                self.add_error("vin", "按行驶证查询须同时填写车辆识别代号。")
        return data

    @property
    def by_licence(self) -> bool:
        return bool(self.cleaned_data.get("number"))


class RenewForm(forms.Form):
    """What the renew button posts: the policy being renewed, the quote shown and how the
    customer paid (收费: cash, bank card, mobile payment or transfer, with its reference)."""

    from_policy = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    quoted_total = forms.DecimalField(
        widget=forms.HiddenInput, required=False, max_digits=12, decimal_places=2
    )
    payment_method = forms.ChoiceField(
        label="收费方式",
        choices=[("", "请选择"), *PaymentMethod.choices],
        error_messages={"required": "请选择收费方式。", "invalid_choice": "请选择收费方式。"},
    )
    payment_reference = forms.CharField(
        label="交易流水号",
        required=False,
        max_length=40,
        widget=_text("刷卡、移动支付、转账必填"),
        error_messages={"max_length": "交易流水号最长 40 个字符。"},
    )

    HIDDEN = ("from_policy", "fingerprint", "quoted_total")

    def clean_payment_reference(self) -> str:
        return normalize(self.cleaned_data["payment_reference"])

    def clean(self):
        data = super().clean()
        method = data.get("payment_method")
        if method and method != PaymentMethod.CASH and not data.get("payment_reference"):
            self.add_error(
                "payment_reference",
                f"{PaymentMethod(method).label}收费请填写交易流水号（凭证号），以便对账。",
            )
        return data

    @property
    def hidden_fields_broken(self) -> bool:
        """The page's own fields are missing or altered: not the clerk's typing."""
        return any(name in self.errors for name in self.HIDDEN)


class CancelForm(forms.Form):
    """退保 (docs/regulation.md §3): the lawful ground, its proving document and how the
    refund goes back to the customer."""

    reason = forms.ChoiceField(
        label="退保原因",
        choices=[("", "请选择"), *CancelReason.choices],
        error_messages={"required": "请选择退保原因。", "invalid_choice": "请选择退保原因。"},
    )
    document = forms.CharField(
        label="证明材料",
        max_length=100,
        widget=_text("如：机动车注销证明书 No.320100…"),
        error_messages={
            "required": "请登记证明材料（注销证明、停驶证明或公安机关证明）的名称和编号。",
            "max_length": "证明材料最长 100 个字符。",
        },
    )
    refund_method = forms.ChoiceField(
        label="退费方式",
        choices=[("", "请选择"), *PaymentMethod.choices],
        error_messages={"required": "请选择退费方式。", "invalid_choice": "请选择退费方式。"},
    )
    refund_reference = forms.CharField(
        label="退费流水号（选填）",
        required=False,
        max_length=40,
        widget=_text("转账退费可稍后补录"),
        error_messages={"max_length": "退费流水号最长 40 个字符。"},
    )

    def clean_document(self) -> str:
        return " ".join(self.cleaned_data["document"].split())

    def clean_refund_reference(self) -> str:
        return normalize(self.cleaned_data["refund_reference"])


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ShortTermQuoteForm(forms.Form):
    """Short-term cover (docs/regulation.md §3) for one of the three lawful cases. Opened from a
    vehicle, the vehicle's own particulars are used and cannot be edited here."""

    term_kind = forms.ChoiceField(
        label="短期保险情形",
        choices=[(k.value, k.label) for k in SHORT_TERMS],
        initial=TermKind.TEMPORARY_ROAD,
    )
    start_date = forms.DateField(label="起保日期（0 时起）", widget=DateInput())
    end_date = forms.DateField(label="止保日期（24 时止）", widget=DateInput())
    category = forms.ChoiceField(label="交强险车辆类别", choices=PremiumCategory.choices)
    energy_type = forms.ChoiceField(label="能源类型", choices=EnergyType.choices, initial=EnergyType.FUEL)
    displacement_l = forms.DecimalField(
        label="排量（升）", required=False, min_value=0.01, max_digits=4, decimal_places=2
    )
    registration_date = forms.DateField(label="注册（购置）日期", widget=DateInput())

    VEHICLE_FIELDS = ("category", "energy_type", "displacement_l", "registration_date")

    def __init__(self, *args, vehicle: Vehicle | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.vehicle = vehicle
        if vehicle is not None:
            values = {
                "category": vehicle.premium_category,
                "energy_type": vehicle.energy_type,
                "displacement_l": vehicle.displacement_l,
                "registration_date": vehicle.registration_date,
            }
            for name, value in values.items():
                self.fields[name].initial = value
                self.fields[name].disabled = True

    def clean_start_date(self) -> dt.date:
        start = self.cleaned_data["start_date"]
        if start <= today():
            raise ValidationError("起保日期最早为明天：交强险自起保日零时起生效，不能倒签。")
        return start

    def clean(self):
        data = super().clean()
        if data.get("term_kind") == TermKind.NEAR_SCRAP and self.vehicle is None:
            self.add_error(
                "term_kind", "距报废期限不足一年的短期保险按该车出险记录浮动，请从车辆查询结果进入报价。"
            )
        taxed_car = (
            data.get("category") in PASSENGER_CAR_CATEGORIES
            and data.get("energy_type") not in TAX_EXEMPT_ENERGY
        )
        if self.vehicle is None and taxed_car and data.get("displacement_l") is None:
            self.add_error("displacement_l", "燃油及混合动力乘用车请填写排量，用于计算车船税。")
        return data
