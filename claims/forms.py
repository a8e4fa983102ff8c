"""Forms of the claims desk: they clean and normalise; the services decide and write."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone

from claims.amounts import check_total, parse_amount
from claims.choices import (
    AdvanceCase,
    ClaimChannel,
    DocumentKind,
    Exclusion,
    PartyKind,
    PartyRelation,
    PersonOutcome,
    RejectReason,
)
from claims.models import Claim, Party
from claims.payout import yuan
from claims.services import MAX_PARTIES, required_documents
from claims.workflow import action
from policies.identifiers import clean_id_number, clean_phone, clean_plate

FAULT_CHOICES = [("1", "有责"), ("0", "无责")]


class MoneyField(forms.DecimalField):
    """Yuan to the fen, within what a claim can hold (`claims.amounts`: the one bound the
    API and the services use too), with the bound's Chinese message next to the field."""

    def __init__(self, *, label: str, required: bool = False, positive: bool = False):
        super().__init__(
            label=label, required=required,
            widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        )  # fmt: skip
        self.positive = positive

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        return parse_amount(value, self.label, positive=self.positive)

    def validate(self, value):
        forms.Field.validate(self, value)


def money_field(label: str, *, required: bool = False, positive: bool = False) -> MoneyField:
    return MoneyField(label=label, required=required, positive=positive)


# --- Report (报案) ------------------------------------------------------------------------------


class ReportForm(forms.Form):
    vehicle = forms.CharField(
        label="出险车辆", max_length=40, help_text="号牌号码、车辆识别代号（VIN）或保单号",
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "如 苏A12345"}),
    )  # fmt: skip
    accident_at = forms.DateTimeField(
        label="出险时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label="出险地点", max_length=200)
    at_fault = forms.TypedChoiceField(
        label="本车责任",
        choices=FAULT_CHOICES,
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    description = forms.CharField(label="事故经过", widget=forms.Textarea(attrs={"rows": 2}))
    reporter_name = forms.CharField(label="报案人", max_length=50, required=False)
    reporter_phone = forms.CharField(label="报案人手机", max_length=20, required=False)
    channel = forms.ChoiceField(
        label="报案渠道", choices=[(ClaimChannel.HOTLINE, "热线"), (ClaimChannel.COUNTER, "柜面")]
    )
    advance_case = forms.ChoiceField(
        label="垫付情形", choices=[("", "无")] + AdvanceCase.choices, required=False,
        help_text="驾驶人无证、醉酒、车辆被盗抢或被保险人故意时，只垫付抢救费用",
    )  # fmt: skip

    def clean_reporter_phone(self) -> str:
        value = self.cleaned_data["reporter_phone"]
        return clean_phone(value) if value else ""

    def clean_accident_at(self):
        value = self.cleaned_data["accident_at"]
        if value is not None and value > timezone.now():
            raise forms.ValidationError("出险时间不能晚于当前时间。", code="accident_in_future")
        return value


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=[("", "—")] + PartyKind.choices, required=False)
    relation = forms.ChoiceField(
        label="关系", choices=PartyRelation.choices, initial=PartyRelation.THIRD_PARTY, required=False
    )
    name = forms.CharField(label="姓名/名称", max_length=50, required=False)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    plate = forms.CharField(label="号牌", max_length=20, required=False)
    outcome = forms.ChoiceField(label="伤亡", choices=[("", "—")] + PersonOutcome.choices, required=False)
    death_disability = money_field("死亡伤残")
    medical = money_field("医疗费用")
    rescue = forms.BooleanField(label="抢救费", required=False)
    property = money_field("财产损失")

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        return clean_id_number(value) if value else ""

    def clean_plate(self) -> str:
        value = self.cleaned_data["plate"]
        return clean_plate(value) if value else ""

    def has_changed(self) -> bool:
        """A blank row stays blank whatever its relation select says."""
        return any(name != "relation" for name in self.changed_data)

    def clean(self):
        data = super().clean()
        if self.has_changed() and not data.get("kind"):
            self.add_error("kind", "请选择当事方类别。")
        return data

    def as_party(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data.setdefault("relation", PartyRelation.THIRD_PARTY)
        return data


MONEY_NAMES = ("death_disability", "medical", "property")


class BasePartyFormSet(forms.BaseFormSet):
    """The parties of a report: at most `MAX_PARTIES`. A posted `party-TOTAL_FORMS` above it
    is refused with the message below and builds no more than `MAX_PARTIES` forms (Django's
    own `absolute_max` would be 1,000 more)."""

    default_error_messages = {
        "missing_management_form": "报案表单的当事方数据不完整，请刷新页面后重新填写。",
        "too_many_forms": f"一次报案最多填写 {MAX_PARTIES} 个当事方。",
        "too_few_forms": "请至少填写一个受损的当事方（伤者、车辆或财产）。",
    }

    def clean(self):
        if any(self.errors):
            return
        changed = [f for f in self.forms if f.has_changed()]
        if not changed:
            raise forms.ValidationError("请至少填写一个受损的当事方（伤者、车辆或财产）。")
        check_total(
            (f.cleaned_data[name] for f in changed for name in MONEY_NAMES if f.cleaned_data.get(name)),
            "报损金额",
        )

    def parties(self) -> list[dict]:
        return [f.as_party() for f in self.forms if f.has_changed()]


PartyFormSet = forms.formset_factory(
    PartyForm,
    formset=BasePartyFormSet,
    extra=2,
    max_num=MAX_PARTIES,
    absolute_max=MAX_PARTIES,
    validate_max=True,
)


class PartyFormSetHelper(FormHelper):
    form_tag = False
    disable_csrf = True
    template = "bootstrap5/table_inline_formset.html"


# --- One form per action -------------------------------------------------------------------------


class ActionForm(forms.Form):
    """A step of the claim. Subclasses name their action; the helper posts to it."""

    code = ""
    button_class = "btn-primary"
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, claim: Claim, **kwargs):
        kwargs.setdefault("prefix", self.code)
        super().__init__(*args, **kwargs)
        self.claim = claim
        self.action = action(self.code)
        self.setup()
        self.helper = FormHelper()
        self.helper.form_action = reverse("claims:act", args=[claim.pk, self.code])
        self.helper.attrs = {"data-action": self.code}
        intro = (
            [HTML(f'<p class="small text-secondary mb-2">{self.action.help}</p>')] if self.action.help else []
        )
        self.helper.layout = Layout(*intro, *self.layout_items())
        self.helper.add_input(Submit("submit", self.action.label, css_class=f"{self.button_class} btn-sm"))

    def setup(self) -> None:
        """Add or adjust fields that depend on the claim."""

    def layout_items(self) -> list:
        return list(self.fields)


class RequiredNoteMixin:
    note_label = "说明"

    def setup(self) -> None:
        super().setup()
        self.fields["note"].required = True
        self.fields["note"].label = self.note_label


class RegisterForm(ActionForm):
    code = "register"
    documents = forms.MultipleChoiceField(
        label="需提供的索赔单证", choices=DocumentKind.choices, widget=forms.CheckboxSelectMultiple
    )
    field_order = ["documents", "note"]

    def setup(self) -> None:
        self.fields["documents"].initial = required_documents(self.claim)


class DocumentsForm(ActionForm):
    code = "documents"
    button_class = "btn-outline-primary"
    all_received = forms.BooleanField(
        label="以下单证全部收到", required=False, help_text="勾选即登记尚缺的全部单证，无需逐项勾选"
    )
    received = forms.MultipleChoiceField(
        label="本次收到的单证", choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    field_order = ["all_received", "received", "note"]

    def setup(self) -> None:
        self.fields["received"].choices = [(d, DocumentKind(d).label) for d in self.claim.documents_missing]
        self.fields["note"].label = "催交记录或说明"


class AdvanceForm(ActionForm):
    code = "advance"
    button_class = "btn-outline-danger"
    party = forms.ModelChoiceField(label="受伤第三者", queryset=Party.objects.none(), empty_label=None)
    amount = money_field("垫付金额（元）", required=True, positive=True)
    field_order = ["party", "amount", "note"]

    def setup(self) -> None:
        self.fields["party"].queryset = self.claim.parties.filter(
            kind=PartyKind.PERSON, relation=PartyRelation.THIRD_PARTY
        )
        self.fields["party"].label_from_instance = lambda p: f"{p.display_name} {p.masked_id_number}".strip()


class SurveyForm(RequiredNoteMixin, ActionForm):
    code = "survey"
    note_label = "查勘结论"
    at_fault = forms.TypedChoiceField(
        label="责任认定", choices=FAULT_CHOICES, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    advance_case = forms.ChoiceField(
        label="垫付情形", choices=[("", "无")] + AdvanceCase.choices, required=False
    )
    field_order = ["at_fault", "advance_case", "note"]

    def setup(self) -> None:
        super().setup()
        self.fields["at_fault"].initial = "1" if self.claim.at_fault else "0"
        self.fields["advance_case"].initial = self.claim.advance_case


class AssessForm(ActionForm):
    """One assessed amount and exclusion per loss line, prefilled with the reported amount."""

    code = "assess"

    def __init__(self, *args, claim, losses=None, **kwargs):
        self.losses = list(losses if losses is not None else claim.losses.select_related("party"))
        super().__init__(*args, claim=claim, **kwargs)

    def setup(self) -> None:
        for loss in self.losses:
            amount = money_field(f"{loss.party.display_name} · {loss.get_category_display()}", required=True)
            amount.initial = loss.amount
            amount.help_text = f"报损 {yuan(loss.reported_amount)} 元"
            self.fields[f"amount_{loss.pk}"] = amount
            self.fields[f"exclusion_{loss.pk}"] = forms.ChoiceField(
                label="除外", choices=[("", "无")] + Exclusion.choices, required=False, initial=loss.exclusion
            )

    def layout_items(self) -> list:
        rows = [
            Div(
                Div(Field(f"amount_{loss.pk}"), css_class="col-7"),
                Div(Field(f"exclusion_{loss.pk}"), css_class="col-5"),
                css_class="row g-2",
            )
            for loss in self.losses
        ]
        return [*rows, "note"]

    def clean(self):
        data = super().clean()
        amounts = [
            data[f"amount_{loss.pk}"] for loss in self.losses if data.get(f"amount_{loss.pk}") is not None
        ]
        if len(amounts) == len(self.losses):
            check_total(amounts, "核定损失")
        return data

    def amounts(self) -> dict[int, tuple]:
        return {
            loss.pk: (self.cleaned_data[f"amount_{loss.pk}"], self.cleaned_data[f"exclusion_{loss.pk}"])
            for loss in self.losses
        }


class CalculateForm(ActionForm):
    code = "calculate"


class SendBackForm(RequiredNoteMixin, ActionForm):
    code = "send_back"
    button_class = "btn-outline-secondary"
    note_label = "退回原因"


class ApproveForm(ActionForm):
    code = "approve"
    button_class = "btn-success"


class RevokeForm(RequiredNoteMixin, ActionForm):
    code = "revoke"
    button_class = "btn-outline-danger"
    note_label = "撤销原因"


class PayForm(ActionForm):
    code = "pay"
    button_class = "btn-success"
    reference = forms.CharField(label="支付流水号", max_length=40)
    override_reason = forms.CharField(
        label="单证不齐准予支付的理由（主管）", required=False, max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    field_order = ["reference", "override_reason", "note"]

    def __init__(self, *args, can_override: bool = False, **kwargs):
        self.can_override = can_override
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        missing = self.claim.documents_missing
        if not missing or not self.can_override:
            del self.fields["override_reason"]
        if missing:
            labels = "、".join(DocumentKind(d).label for d in missing)
            self.fields["reference"].help_text = f"索赔单证尚缺：{labels}。单证收齐后方可支付" + (
                "；主管可注明理由准予支付。" if self.can_override else "，或请主管准予支付。"
            )


class AddPartyForm(ActionForm):
    """增补: a loss line of a party already recorded, or a new party with its losses."""

    code = "add_party"
    button_class = "btn-outline-primary"
    party = forms.ModelChoiceField(
        label="当事方",
        queryset=Party.objects.none(),
        required=False,
        empty_label="新的当事方（填写下方信息）",
    )
    kind = forms.ChoiceField(label="类别", choices=[("", "—")] + PartyKind.choices, required=False)
    relation = forms.ChoiceField(
        label="关系", choices=PartyRelation.choices, initial=PartyRelation.THIRD_PARTY
    )
    name = forms.CharField(label="姓名/名称", max_length=50, required=False)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    plate = forms.CharField(label="号牌", max_length=20, required=False)
    outcome = forms.ChoiceField(label="伤亡", choices=[("", "—")] + PersonOutcome.choices, required=False)
    death_disability = money_field("死亡伤残")
    medical = money_field("医疗费用")
    rescue = forms.BooleanField(label="抢救费", required=False)
    property = money_field("财产损失")
    field_order = ["party", "kind", "relation", "name", "id_number", "plate", "outcome", "death_disability",
                   "medical", "rescue", "property", "note"]  # fmt: skip

    def setup(self) -> None:
        self.fields["party"].queryset = self.claim.parties.all()
        self.fields["party"].label_from_instance = lambda p: f"{p.display_name} {p.masked_id_number}".strip()

    def layout_items(self) -> list:
        def row(*names, widths):
            return Div(
                *(Div(Field(n), css_class=f"col-{w}") for n, w in zip(names, widths, strict=True)),
                css_class="row g-2",
            )

        return [
            "party",
            row("kind", "relation", widths=(5, 7)),
            row("name", "id_number", widths=(5, 7)),
            row("plate", "outcome", widths=(6, 6)),
            row("death_disability", "medical", "property", widths=(4, 4, 4)),
            "rescue",
            "note",
        ]

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        return clean_id_number(value) if value else ""

    def clean_plate(self) -> str:
        value = self.cleaned_data["plate"]
        return clean_plate(value) if value else ""

    def clean(self):
        data = super().clean()
        if not data.get("party") and not data.get("kind"):
            self.add_error("kind", "请选择已登记的当事方，或填写新当事方的类别。")
        if not any(data.get(name) for name in MONEY_NAMES):
            self.add_error(
                "medical" if data.get("kind") == PartyKind.PERSON else "property", "请填写增补的损失金额。"
            )
        return data

    def arguments(self) -> dict:
        data = self.cleaned_data
        amounts = {name: data.get(name) or 0 for name in MONEY_NAMES}
        if data.get("party"):
            return {"party": data["party"], "amounts": amounts, "rescue": data["rescue"]}
        report = {
            k: data[k] for k in ("kind", "relation", "name", "id_number", "plate", "outcome") if data.get(k)
        }
        return {"new_party": {**report, **amounts, "rescue": data["rescue"]}}


class SupplementForm(RequiredNoteMixin, ActionForm):
    code = "supplement"
    button_class = "btn-outline-primary"
    note_label = "追加赔付原因（如后续治疗费用、补充票据）"


class ReopenForm(RequiredNoteMixin, ActionForm):
    code = "reopen"
    button_class = "btn-outline-danger"
    note_label = "重开原因"


class RecoverForm(ActionForm):
    code = "recover"
    button_class = "btn-outline-primary"
    amount = money_field("追回金额（元）", required=True, positive=True)
    debtor = forms.CharField(label="追偿对象", max_length=100, help_text="如醉酒驾驶人、盗抢车辆的行为人")
    reference = forms.CharField(label="收款流水号", max_length=40)
    field_order = ["amount", "debtor", "reference", "note"]


class CloseForm(ActionForm):
    code = "close"


class RejectForm(RequiredNoteMixin, ActionForm):
    code = "reject"
    button_class = "btn-outline-danger"
    note_label = "拒赔理由（书面告知索赔人）"
    reason = forms.ChoiceField(label="拒赔原因", choices=RejectReason.choices)
    field_order = ["reason", "note"]


class WithdrawForm(RequiredNoteMixin, ActionForm):
    code = "withdraw"
    button_class = "btn-outline-secondary"
    note_label = "注销原因"


ACTION_FORMS: dict[str, type[ActionForm]] = {
    f.code: f
    for f in (
        RegisterForm, DocumentsForm, AddPartyForm, AdvanceForm, SurveyForm, AssessForm, CalculateForm,
        SendBackForm, ApproveForm, RevokeForm, PayForm, CloseForm, SupplementForm, ReopenForm, RecoverForm,
        RejectForm, WithdrawForm,
    )
}  # fmt: skip
