"""No 500 on any input at the claims desk: amounts bounded by what a claim's columns hold
(each line and each sum), formsets capped, paging bounded, the claims admin hardened."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from decimal import Decimal as D

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import DataError, connection, transaction
from django.db.models import F
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import amounts, services
from claims.choices import ClaimState as S
from claims.forms import AssessForm, PartyFormSet
from claims.models import Claim, ClaimEvent, LedgerEntry, Loss, Party, Payment
from claims.tables import QUEUE_COUNT_CAP
from core.admin import INLINE_MAX_FORMS, HardenedAdmin
from outbox.models import OutboundMessage
from tests import factories
from tests.claims.conftest import NOW

pytestmark = pytest.mark.django_db

TOP = "9999999999.99"  # the largest amount a numeric(12, 2) column holds


def written() -> tuple:
    return (
        Claim.objects.count(),
        Party.objects.count(),
        Loss.objects.count(),
        ClaimEvent.objects.count(),
        Payment.objects.count(),
        LedgerEntry.objects.count(),
        OutboundMessage.objects.count(),
        tuple(Loss.objects.order_by("pk").values_list("assessed_amount", flat=True)),
    )


# --- The bound ---------------------------------------------------------------------------------


def test_the_bound_is_what_every_money_column_of_a_claim_holds(claim):
    assert D(TOP) == amounts.MAX_AMOUNT
    assert {(f.max_digits, f.decimal_places) for f in amounts.MONEY_COLUMNS} == {(12, 2)}
    # The column really holds the bound, and not a fen more.
    loss = claim.losses.first()
    Loss.objects.filter(pk=loss.pk).update(assessed_amount=amounts.MAX_AMOUNT)
    with pytest.raises(DataError), transaction.atomic():
        Loss.objects.filter(pk=loss.pk).update(assessed_amount=amounts.MAX_AMOUNT + amounts.FEN)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1500", D("1500.00")),
        (" 1500.5 ", D("1500.50")),
        ("１５００．５", D("1500.50")),  # typed with a Chinese IME
        (TOP, D(TOP)),
        (D(TOP), D(TOP)),
        (0, D("0.00")),
        (None, D("0.00")),
        ("", D("0.00")),
        (12.5, D("12.50")),
    ],
)
def test_amounts_within_the_bound_are_read_to_the_fen(value, expected):
    assert amounts.parse_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("10000000000", "amount_too_large"),
        ("10000000000.00", "amount_too_large"),
        ("99999999999999999999", "amount_too_large"),
        ("9" * 10_000, "amount_too_large"),
        (D("1e28"), "amount_too_large"),  # quantizing it would overflow the decimal context
        (D("9999999999.995"), "amount_too_large"),
        ("-1", "amount_negative"),
        ("12.345", "amount_fen"),
        ("1e3", "amount_invalid"),
        ("NaN", "amount_invalid"),
        ("Infinity", "amount_invalid"),
        (D("NaN"), "amount_invalid"),
        (float("inf"), "amount_invalid"),
        (True, "amount_invalid"),
        ("٣٠٠٠", "amount_invalid"),  # Arabic-Indic: Decimal() would read 3000
        ("३०००", "amount_invalid"),  # Devanagari
        ("³⁰⁰⁰", "amount_invalid"),  # superscripts
        ("3,000", "amount_invalid"),
        ("1\x00", "amount_invalid"),
    ],
)
def test_amounts_outside_the_bound_or_not_numbers_are_refused_in_chinese(value, code):
    with pytest.raises(ValidationError) as error:
        amounts.parse_amount(value, "医疗费用")
    assert error.value.code == code
    assert error.value.messages[0].startswith("医疗费用")


def test_a_sum_that_does_not_fit_a_claims_total_is_refused():
    assert amounts.check_total([D(TOP) - 1, D("1.00")]) == D(TOP)
    with pytest.raises(ValidationError) as error:
        amounts.check_total([D(TOP), D(TOP)], "报损金额")
    assert error.value.code == "amount_total_too_large"
    assert error.value.messages[0] == (
        "报损金额合计 19,999,999,999.98 元，超过一个赔案可记录的上限 9,999,999,999.99 元，请核对各项金额。"
    )


# --- The services ------------------------------------------------------------------------------


def report(policy, parties):
    return services.claim_report(
        vehicle=policy.vehicle.plate, accident_at=NOW - dt.timedelta(hours=1), place="南京", description="追尾",
        at_fault=True, parties=parties, channel="hotline", reporter_phone="13912345678", now=NOW,
    )  # fmt: skip


def test_a_report_whose_losses_overflow_the_claims_total_is_refused_and_writes_nothing(policy):
    """Two parties at the largest line each: every line fits, their sum (the reported total)
    does not — PostgreSQL's numeric overflow, a 500, before the bound."""
    before = written()
    parties = [factories.third_party_vehicle(1, property=TOP), factories.third_party_vehicle(2, property=TOP)]
    with pytest.raises(ValidationError) as error:
        report(policy, parties)
    assert error.value.code == "amount_total_too_large"
    assert written() == before


def test_a_report_at_the_bound_is_taken_and_its_payout_still_capped_by_the_limits(policy):
    """A loss may exceed the limits (docs/regulation.md §5): it is recorded whole, the
    estimate is the limit."""
    claim = report(policy, [factories.third_party_vehicle(1, property=TOP)])
    assert claim.reported_total == D(TOP)
    assert claim.reserve == claim.limit_property == D("2000.00")


@pytest.mark.parametrize("amount", ["99999999999999999999", "1" + "0" * 30, "10000000000"])
def test_a_report_with_a_line_beyond_the_bound_is_refused(policy, amount):
    before = written()
    with pytest.raises(ValidationError) as error:
        report(policy, [factories.third_party_person(medical=amount)])
    assert error.value.code == "amount_too_large"
    assert "第 1 个当事方的医疗费用不能超过 9,999,999,999.99 元" in error.value.messages[0]
    assert written() == before


def test_more_parties_than_a_report_takes_are_refused(policy):
    with pytest.raises(ValidationError) as error:
        report(policy, [factories.third_party_person(n) for n in range(services.MAX_PARTIES + 1)])
    assert error.value.code == "too_many_parties"
    assert not Claim.objects.exists()


def test_an_assessment_whose_lines_overflow_the_claims_total_is_refused(claim, walk_to, claims_adjuster):
    walk_to(claim, S.SURVEYED)
    before = written()
    huge = {loss.pk: (D(TOP), "") for loss in claim.losses.all()}
    with pytest.raises(ValidationError) as error:
        services.claim_assess(claim=claim, by=claims_adjuster, amounts=huge)
    assert error.value.code == "amount_total_too_large"
    assert written() == before
    assert Claim.objects.get(pk=claim.pk).state == S.SURVEYED


@pytest.mark.parametrize(("amount", "code"), [(D("1e30"), "amount_too_large"), (D("-1"), "amount_negative")])
def test_an_assessed_line_beyond_the_bound_is_refused(claim, walk_to, claims_adjuster, amount, code):
    walk_to(claim, S.SURVEYED)
    lines = {loss.pk: (amount, "") for loss in claim.losses.all()}
    with pytest.raises(ValidationError) as error:
        services.claim_assess(claim=claim, by=claims_adjuster, amounts=lines)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("amount", "code"),
    [(D("1e30"), "amount_too_large"), (D("0"), "amount_not_positive"), ("0.001", "amount_fen")],
)
def test_an_advance_beyond_the_bound_is_refused_before_any_rounding(
    claim, walk_to, claims_adjuster, amount, code
):
    walk_to(claim, S.REGISTERED)
    injured = claim.parties.get(kind="person")
    before = written()
    with pytest.raises(ValidationError) as error:
        services.claim_advance(claim=claim, by=claims_adjuster, party=injured, amount=amount)
    assert error.value.code == code
    assert written() == before


# --- The report form ---------------------------------------------------------------------------


def report_form(policy, **parties) -> dict:
    data = {
        "vehicle": policy.vehicle.plate, "accident_at": "2026-11-20T08:30", "place": "南京市鼓楼区",
        "at_fault": "1", "description": "变道剐蹭", "reporter_phone": "13912345678", "channel": "hotline",
        "advance_case": "", "party-TOTAL_FORMS": "3", "party-INITIAL_FORMS": "0", "party-MIN_NUM_FORMS": "0",
        "party-MAX_NUM_FORMS": "20",
    }  # fmt: skip
    return data | parties


def test_the_report_form_refuses_parties_whose_sum_overflows_with_a_message_above_them(
    client, hotline_agent, policy
):
    client.force_login(hotline_agent)
    parties = {}
    for i in range(3):
        parties |= {
            f"party-{i}-kind": "vehicle",
            f"party-{i}-plate": f"苏B1234{i}",
            f"party-{i}-property": TOP,
        }
    before = written()

    response = client.post(reverse("claims:report"), report_form(policy, **parties))

    assert response.status_code == 400
    assert response.context["parties"].non_form_errors() == [
        "报损金额合计 29,999,999,999.97 元，超过一个赔案可记录的上限 9,999,999,999.99 元，请核对各项金额。"
    ]
    assert 'data-testid="party-errors"' in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("amount", ["99999999999999999999", "10000000000", "1e309", "٣٠٠٠", "-5", "1.234"])
def test_the_report_form_refuses_an_amount_beyond_the_bound_next_to_its_field(
    client, hotline_agent, policy, amount
):
    client.force_login(hotline_agent)
    before = written()

    response = client.post(
        reverse("claims:report"),
        report_form(policy, **{"party-0-kind": "person", "party-0-name": "赵六", "party-0-medical": amount}),
    )

    assert response.status_code == 400
    errors = response.context["parties"].forms[0].errors["medical"]
    assert len(errors) == 1 and errors[0].startswith("医疗费用")
    assert written() == before


def test_the_report_form_takes_an_amount_at_the_bound(client, hotline_agent, policy):
    client.force_login(hotline_agent)
    response = client.post(
        reverse("claims:report"),
        report_form(
            policy, **{"party-0-kind": "vehicle", "party-0-plate": "苏B12345", "party-0-property": TOP}
        ),
    )
    assert response.status_code == 302
    assert Claim.objects.get().reported_total == D(TOP)


@pytest.mark.parametrize("total", ["99999", "1001", "21", "2147483648", "99999999999999999999"])
def test_a_posted_form_count_above_the_cap_is_refused_fast_without_building_the_forms(
    client, hotline_agent, policy, total
):
    client.force_login(hotline_agent)
    before = written()
    started = time.monotonic()

    response = client.post(
        reverse("claims:report"),
        report_form(
            policy, **{"party-TOTAL_FORMS": total, "party-0-kind": "person", "party-0-medical": "10"}
        ),
    )

    elapsed = time.monotonic() - started
    assert response.status_code == 400
    page = response.content.decode()
    if total.isdigit() and int(total) < 2**31:  # a count the management form reads as a number
        assert len(response.context["parties"].forms) <= services.MAX_PARTIES
        assert response.context["parties"].non_form_errors() == ["一次报案最多填写 20 个当事方。"]
        assert "一次报案最多填写 20 个当事方。" in page
    assert page.count('name="party-') < 12 * (services.MAX_PARTIES + 1)
    assert len(response.content) < 200_000  # the bomb rendered 1,020 forms, 2.3 MB
    assert elapsed < 3, elapsed
    assert written() == before


@pytest.mark.parametrize("management", [{}, {"party-TOTAL_FORMS": "-1"}, {"party-TOTAL_FORMS": "abc"}])
def test_a_missing_or_garbled_form_count_is_refused_in_chinese(client, hotline_agent, policy, management):
    client.force_login(hotline_agent)
    data = report_form(policy, **{"party-0-kind": "person", "party-0-medical": "10"}) | management
    if not management:
        data = {k: v for k, v in data.items() if not k.endswith("_FORMS")}
    response = client.post(reverse("claims:report"), data)
    assert response.status_code == 400
    errors = response.context["parties"].non_form_errors()
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors)
    assert not Claim.objects.exists()


def test_the_party_formset_is_capped_at_the_parties_a_report_takes():
    formset = PartyFormSet(prefix="party")
    assert formset.max_num == formset.absolute_max == services.MAX_PARTIES
    assert formset.validate_max


# --- The assessment form -----------------------------------------------------------------------


def test_the_assessment_form_refuses_lines_whose_sum_overflows(client, claim, walk_to, claims_adjuster):
    walk_to(claim, S.SURVEYED)
    client.force_login(claims_adjuster)
    data = {f"assess-amount_{loss.pk}": TOP for loss in claim.losses.all()}
    before = written()

    response = client.post(reverse("claims:act", args=[claim.pk, "assess"]), data)

    assert response.status_code == 400
    assert "核定损失合计 19,999,999,999.98 元" in response.content.decode()
    assert written() == before


def test_the_assessment_form_refuses_a_twenty_digit_line_next_to_it(claim, walk_to):
    walk_to(claim, S.SURVEYED)
    losses = list(claim.losses.select_related("party"))
    form = AssessForm(
        {f"assess-amount_{loss.pk}": "12345678901234567890" for loss in losses}, claim=claim, losses=losses
    )
    assert not form.is_valid()
    for loss in losses:
        assert form.errors[f"amount_{loss.pk}"][0].endswith("不能超过 9,999,999,999.99 元。")


@pytest.mark.parametrize("amount", ["99999999999999999999", "1e309", "0"])
def test_the_advance_form_refuses_amounts_beyond_the_bound(client, claim, walk_to, claims_adjuster, amount):
    walk_to(claim, S.REGISTERED)
    client.force_login(claims_adjuster)
    injured = claim.parties.get(kind="person")
    before = written()
    response = client.post(
        reverse("claims:act", args=[claim.pk, "advance"]),
        {"advance-party": injured.pk, "advance-amount": amount},
    )
    assert response.status_code == 400
    assert written() == before


# --- Paging ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "per_page=-1",
        "per_page=0",
        "per_page=1000000000",
        "per_page=abc",
        "page=-1",
        "page=0",
        "page=99999999999999999999",
        "page=²",
        "page=abc&per_page=-1",
        "sort=no_such_column",
        "after=abc",
        "after=9999-12-31T00:00:00+00:00~-5",
        "before=2026-13-01T00:00:00~1",
        "after=" + "~" * 300,
    ],
)
def test_the_queue_pages_by_its_own_size_whatever_the_url_says(
    client, claims_adjuster, policy, hotline_agent, query
):
    for n in range(27):
        factories.make_claim(policy, by=hotline_agent, now=NOW - dt.timedelta(hours=n))
    client.force_login(claims_adjuster)

    response = client.get(f"{reverse('claims:queue')}?{query}")

    assert response.status_code == 200
    page = response.context["table"].keyset
    assert len(page.rows) == 25 and page.has_next and not page.has_previous
    assert response.content.decode().count('data-claim="LP') == 25


def test_the_queue_goes_on_with_next_and_previous_and_counts_no_more_than_its_cap(
    client, claims_adjuster, policy, hotline_agent
):
    for n in range(27):
        factories.make_claim(policy, by=hotline_agent, now=NOW - dt.timedelta(hours=n))
    client.force_login(claims_adjuster)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("claims:queue")).content.decode()
    assert not any(" OFFSET " in q["sql"] for q in queries)
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and '"claims_claim"' in q["sql"]]
    assert counts and all(f"LIMIT {QUEUE_COUNT_CAP + 1}" in sql for sql in counts)
    assert "共 27 件" in first

    def follow(page: str, testid: str) -> str:
        href = html.unescape(re.search(rf'href="([^"]+)" data-testid="{testid}"', page).group(1))
        return client.get(reverse("claims:queue") + href).content.decode()

    second = follow(first, "next-page")
    claims = re.findall(r'data-claim="(LP\w+)"', first) + re.findall(r'data-claim="(LP\w+)"', second)
    expected = Claim.objects.order_by(F("next_due_at").asc(nulls_last=True), "pk").values_list(
        "number", flat=True
    )
    assert claims == list(expected)
    assert 'data-testid="next-page"' not in second
    back = follow(second, "previous-page")
    assert re.findall(r'data-claim="(LP\w+)"', back) == re.findall(r'data-claim="(LP\w+)"', first)


def test_a_cursor_past_the_queue_offers_the_first_page(client, claims_adjuster, policy, hotline_agent):
    claim = factories.make_claim(policy, by=hotline_agent, now=NOW)
    client.force_login(claims_adjuster)
    response = client.get(reverse("claims:queue"), {"after": f"9999-12-31T00:00:00+00:00~{claim.pk}"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-claim="LP' not in page and 'data-testid="first-page"' in page


# --- Admin -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["liabilitylimit", "riskthreshold", "approvalauthority"])
def test_the_claims_tables_admin_answers_a_bad_filter_without_a_500(client, supervisor, model):
    client.force_login(supervisor)
    url = reverse(f"admin:claims_{model}_changelist")
    for query in ("?id__regex=[", "?id__gte=%00", "?id__in=a,b", "?o=99", "?p=-1"):
        response = client.get(url + query)
        # The list, the list with "?e=1" (an incorrect lookup), or 400 (a refused lookup).
        assert response.status_code in (200, 302, 400), query
        if response.status_code == 302:
            assert response["Location"].endswith("?e=1"), query
    claims_admins = [a for m, a in admin.site._registry.items() if m._meta.app_label == "claims"]
    assert all(isinstance(a, HardenedAdmin) for a in claims_admins)


def test_the_claim_admins_inlines_are_capped(claim, supervisor):
    request = RequestFactory().get("/")
    request.user = supervisor
    claim_admin = admin.site._registry[Claim]
    for inline in claim_admin.get_inline_instances(request, claim):
        formset = inline.get_formset(request, claim)
        # max_num 0: the inlines are read-only (no rows added); a posted count is cut at 50.
        assert formset.absolute_max == INLINE_MAX_FORMS, type(inline).__name__
        assert formset.max_num <= INLINE_MAX_FORMS, type(inline).__name__
