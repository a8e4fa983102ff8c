"""Forms of the support desk: they clean and normalise; the services write."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError

from policies.identifiers import clean_phone
from policies.models import Person, Policy, Vehicle
from policies.search import TermKind, classify
from support import access, workflow
from support.choices import Category, Channel, Priority, Status
from support.models import Ticket


class CustomerLookup:
    """Who a ticket is about, from one search term: a policy number, plate, ID number or
    phone number (exact, indexed look-ups)."""

    def __init__(self, person: Person, vehicle: Vehicle | None = None, policy: Policy | None = None):
        self.person, self.vehicle, self.policy = person, vehicle, policy

    @classmethod
    def find(cls, term: str) -> CustomerLookup:
        kinds = dict(classify(term))
        if value := kinds.get(TermKind.POLICY_NUMBER):
            policy = Policy.objects.select_related("vehicle", "policyholder").filter(number=value).first()
            if policy:
                return cls(policy.policyholder, policy.vehicle, policy)
        if value := kinds.get(TermKind.PLATE):
            vehicles = list(Vehicle.objects.select_related("owner").filter(plate=value)[:2])
            if len(vehicles) == 1:
                return cls(vehicles[0].owner, vehicles[0])
        if value := kinds.get(TermKind.ID_NUMBER):
            person = Person.objects.filter(id_number=value).first()
            if person:
                return cls(person)
        if value := kinds.get(TermKind.PHONE):
            people = list(Person.objects.filter(phone=value)[:2])
            if len(people) == 1:
                return cls(people[0])
            if len(people) > 1:
                raise ValidationError("该手机号对应多位客户，请改用身份证号、号牌或保单号。")
        raise ValidationError("未找到客户，请输入保单号、号牌号码、身份证号或手机号。")


class TicketCreateForm(forms.Form):
    customer = forms.CharField(
        label="客户", required=False, max_length=40,
        help_text="保单号、号牌号码、身份证号或手机号；留空表示未识别身份的来访",
    )  # fmt: skip
    channel = forms.ChoiceField(label="受理渠道", choices=Channel.choices)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    priority = forms.ChoiceField(label="优先级", choices=Priority.choices, initial=Priority.NORMAL)
    subject = forms.CharField(label="主题", max_length=120)
    description = forms.CharField(label="问题描述", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    contact_phone = forms.CharField(
        label="联系电话", required=False, max_length=20, help_text="留空则使用客户档案中的手机号"
    )
    contact_email = forms.EmailField(label="联系邮箱", required=False)

    def clean_customer(self) -> CustomerLookup | None:
        term = self.cleaned_data["customer"].strip()
        return CustomerLookup.find(term) if term else None

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        return clean_phone(phone) if phone else ""

    def clean(self):
        data = super().clean()
        if not data.get("customer") and not (data.get("contact_phone") or data.get("contact_email")):
            raise ValidationError("未识别客户身份时，请留下联系电话或邮箱，以便答复客户。")
        return data


class ReplyForm(forms.Form):
    THEN = [("", "保持当前状态"), (Status.WAITING, "待客户回复"), (Status.RESOLVED, "已解决")]

    key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    body = forms.CharField(
        label="回复客户",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "客户将通过原渠道收到此回复"}),
    )
    then_status = forms.ChoiceField(label="发送后", choices=THEN, required=False)


class NoteForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    body = forms.CharField(
        label="内部备注", widget=forms.Textarea(attrs={"rows": 3, "placeholder": "仅员工可见，客户看不到"})
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="处理人", queryset=None, required=False, empty_label="（退回队列）"
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = access.assignable_users(ticket.queue)
        self.fields["assignee"].initial = ticket.assignee_id


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="改为")
    note = forms.CharField(label="说明", required=False, max_length=500)

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, Status(s).label) for s in workflow.next_statuses(ticket.status)]


class ReclassifyForm(forms.Form):
    queue = forms.ModelChoiceField(label="队列", queryset=None)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    priority = forms.ChoiceField(label="优先级", choices=Priority.choices)

    def __init__(self, *args, ticket: Ticket, user, **kwargs):
        kwargs.setdefault(
            "initial", {"queue": ticket.queue_id, "category": ticket.category, "priority": ticket.priority}
        )
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = access.queues_for_user(user).filter(is_active=True)


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(label="合并到", queryset=None, empty_label="选择保留的工单")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = candidates
        self.fields["survivor"].label_from_instance = lambda t: (
            f"{t.number} {t.subject}（{t.get_status_display()}）"
        )


class LogCallForm(forms.Form):
    """The hotline's "log this call": the customer (and vehicle or policy) come from the
    page the agent is on; the agent picks the category and may add a line."""

    person = forms.ModelChoiceField(queryset=Person.objects.all(), widget=forms.HiddenInput)
    vehicle = forms.ModelChoiceField(queryset=Vehicle.objects.all(), widget=forms.HiddenInput, required=False)
    policy = forms.ModelChoiceField(queryset=Policy.objects.all(), widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(label="来电类别", choices=Category.choices, initial=Category.RENEWAL_STATUS)
    note = forms.CharField(label="来电内容", required=False, max_length=2000)
    # The button pressed: answered on the spot (the default, Enter) or kept open to follow up.
    follow_up = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        person, vehicle, policy = data.get("person"), data.get("vehicle"), data.get("policy")
        if (
            person
            and policy
            and person.pk not in (policy.policyholder_id, policy.insured_id, policy.vehicle.owner_id)
        ):
            raise ValidationError("所选保单与客户不符。")
        if person and vehicle and policy is None and vehicle.owner_id != person.pk:
            raise ValidationError("所选车辆与客户不符。")
        return data


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label="您对本次服务满意吗？", coerce=int, widget=forms.RadioSelect,
        choices=[(5, "5 非常满意"), (4, "4 满意"), (3, "3 一般"), (2, "2 不满意"), (1, "1 非常不满意")],
        error_messages={"required": "请选择 1 至 5 分。"},
    )  # fmt: skip
    comment = forms.CharField(
        label="还有什么想对我们说的？（选填）", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
