"""The payout engine, row by row against docs/regulation.md §5."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims import payout
from claims.choices import Exclusion, LossCategory
from claims.ledger import liability_limits, limit_table

DEATH, MEDICAL, PROPERTY = LossCategory.DEATH_DISABILITY, LossCategory.MEDICAL, LossCategory.PROPERTY
BEFORE = dt.date(2020, 9, 18)  # last day of the 2008 column
REFORM = dt.date(2020, 9, 19)  # first day of the 2020 column


# docs/regulation.md §5, every row of both columns, from the seeded table.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("at_fault", "category", "old", "new"),
    [
        (True, DEATH, "110000", "180000"),
        (True, MEDICAL, "10000", "18000"),
        (True, PROPERTY, "2000", "2000"),
        (False, DEATH, "11000", "18000"),
        (False, MEDICAL, "1000", "1800"),
        (False, PROPERTY, "100", "100"),
    ],
)
def test_each_limit_row_follows_the_accident_date(at_fault, category, old, new):
    table = limit_table()
    assert table.limits(day=dt.date(2008, 2, 1), at_fault=at_fault)[category] == D(old)
    assert table.limits(day=BEFORE, at_fault=at_fault)[category] == D(old)
    assert table.limits(day=REFORM, at_fault=at_fault)[category] == D(new)
    assert table.limits(day=dt.date(2026, 11, 25), at_fault=at_fault)[category] == D(new)


@pytest.mark.django_db
def test_an_accident_before_the_2008_table_has_no_limit_and_says_so():
    with pytest.raises(payout.LimitMissing) as error:
        limit_table().limits(day=dt.date(2008, 1, 31), at_fault=True)
    assert "没有适用的有责死亡伤残赔偿限额" in error.value.messages[0]


@pytest.mark.django_db
def test_the_limits_a_policy_prints_are_both_rows_in_force_on_the_day():
    old, new = liability_limits(BEFORE), liability_limits(REFORM)
    assert (old.death_disability, old.medical, old.property) == (D("110000"), D("10000"), D("2000"))
    assert (new.death_disability, new.medical, new.property) == (D("180000"), D("18000"), D("2000"))
    assert (new.no_fault_death_disability, new.no_fault_medical, new.no_fault_property) == (
        D("18000"),
        D("1800"),
        D("100"),
    )
    assert (new.at_fault_total, new.no_fault_total) == (D("200000"), D("19900"))
    assert old.no_fault_total == D("12100")


LIMITS_2020_FAULT = {DEATH: D("180000"), MEDICAL: D("18000"), PROPERTY: D("2000")}
LIMITS_2020_NO_FAULT = {DEATH: D("18000"), MEDICAL: D("1800"), PROPERTY: D("100")}
LIMITS_2008_FAULT = {DEATH: D("110000"), MEDICAL: D("10000"), PROPERTY: D("2000")}
LIMITS_2008_NO_FAULT = {DEATH: D("11000"), MEDICAL: D("1000"), PROPERTY: D("100")}


def line(key, category, amount, **kwargs):
    return payout.LossLine(
        key=key, party=kwargs.pop("party", key), category=category, amount=D(amount), **kwargs
    )


@pytest.mark.parametrize(
    ("limits", "at_fault"),
    [
        (LIMITS_2020_FAULT, True),
        (LIMITS_2020_NO_FAULT, False),
        (LIMITS_2008_FAULT, True),
        (LIMITS_2008_NO_FAULT, False),
    ],
)
@pytest.mark.parametrize("category", [DEATH, MEDICAL, PROPERTY])
def test_one_victim_is_paid_in_full_up_to_the_limit_and_never_beyond(limits, at_fault, category):
    limit = limits[category]
    under = payout.calculate(limits=limits, lines=[line(1, category, limit - D("0.01"))], at_fault=at_fault)
    assert under.total == limit - D("0.01")
    exact = payout.calculate(limits=limits, lines=[line(1, category, limit)], at_fault=at_fault)
    assert exact.total == limit
    over = payout.calculate(limits=limits, lines=[line(1, category, limit * 3)], at_fault=at_fault)
    assert over.total == limit
    assert over.category(category).shared


def test_categories_do_not_borrow_from_each_other():
    calc = payout.calculate(
        limits=LIMITS_2020_FAULT,
        lines=[line(1, MEDICAL, "30000"), line(2, PROPERTY, "500", party=9)],
        at_fault=True,
    )
    assert calc.category(MEDICAL).payable == D("18000.00")
    assert calc.category(PROPERTY).payable == D("500.00")
    assert calc.category(DEATH).payable == D("0.00")
    assert calc.total == D("18500.00")


def test_victims_share_a_limit_in_proportion_to_their_losses():
    # 18,000 medical shared by losses of 20,000 and 10,000: 12,000 and 6,000.
    calc = payout.calculate(
        limits=LIMITS_2020_FAULT,
        lines=[line("a", MEDICAL, "20000"), line("b", MEDICAL, "10000")],
        at_fault=True,
    )
    assert calc.payable() == {"a": D("12000.00"), "b": D("6000.00")}
    assert "按各受害人损失比例分摊" in calc.category(MEDICAL).explanation


def test_left_over_fen_go_to_the_largest_remainders_and_the_sum_is_the_limit():
    # 100 yuan no-fault property shared three ways equally: 33.33 each + 1 fen left over.
    shares = payout.share_limit(D("100"), [("a", D("50")), ("b", D("50")), ("c", D("50"))])
    assert sorted(shares.values()) == [D("33.33"), D("33.33"), D("33.34")]
    assert sum(shares.values()) == D("100.00")
    # The extra fen goes to the first of the equal remainders.
    assert shares["a"] == D("33.34")


def test_remainders_decide_who_gets_the_extra_fen():
    # 1,000.00 over 300, 300, 400 (total 1,000.00 > 100.00 available): 30, 30, 40 exactly.
    assert payout.share_limit(D("100"), [("a", D("300")), ("b", D("300")), ("c", D("400"))]) == {
        "a": D("30.00"),
        "b": D("30.00"),
        "c": D("40.00"),
    }
    # Uneven losses: each share within a fen of its exact value, together exactly the limit.
    shares = payout.share_limit(D("1800"), [("x", D("700.01")), ("y", D("500.02")), ("z", D("1000.03"))])
    assert sum(shares.values()) == D("1800.00")
    exact = {
        k: D("1800") * v / D("2200.06")
        for k, v in [("x", D("700.01")), ("y", D("500.02")), ("z", D("1000.03"))]
    }
    for key, share in shares.items():
        assert exact[key] - D("0.01") < share <= exact[key] + D("0.01")


@pytest.mark.parametrize("victims", [2, 3, 7, 11, 13])
def test_shares_never_exceed_the_limit_and_each_is_within_a_fen_of_its_exact_share(victims):
    losses = [(i, D(1000 + 7 * i) + D("0.37")) for i in range(victims)]
    total = sum(v for _, v in losses)
    shares = payout.share_limit(D("1800"), losses)
    assert sum(shares.values()) == D("1800.00")
    for key, amount in losses:
        exact = D("1800") * amount / total
        assert exact - D("0.01") < shares[key] < exact + D("0.01")
        assert shares[key] == shares[key].quantize(D("0.01"))


def test_losses_within_the_limit_are_not_shared():
    assert payout.share_limit(D("2000"), [("a", D("800")), ("b", D("1200"))]) == {
        "a": D("800"),
        "b": D("1200"),
    }


def test_the_insured_side_and_excluded_losses_are_not_paid():
    calc = payout.calculate(
        limits=LIMITS_2020_FAULT,
        lines=[
            line(1, MEDICAL, "5000", third_party=False),
            line(2, MEDICAL, "3000", exclusion=Exclusion.DELIBERATE),
            line(3, PROPERTY, "800", exclusion=Exclusion.INDIRECT),
            line(4, PROPERTY, "300", exclusion=Exclusion.LITIGATION),
            line(5, MEDICAL, "1000"),
        ],
        at_fault=True,
    )
    assert calc.payable() == {1: D("0"), 2: D("0"), 3: D("0"), 4: D("0"), 5: D("1000")}
    reasons = {r.line.key: r.reason for c in calc.categories for r in c.lines}
    assert "本车人员" in reasons[1]
    assert "受害人故意" in reasons[2]
    assert "间接损失" in reasons[3]
    assert "诉讼" in reasons[4]


def test_an_advance_counts_toward_its_victims_own_share_not_off_the_limit():
    # docs/regulation.md §5: shares over every victim's whole loss. 18,000 over 15,000 and 15,000:
    # 9,000 each; a was advanced 5,000, so 4,000 is still due to a and b gets all 9,000.
    calc = payout.calculate(
        limits=LIMITS_2020_FAULT,
        lines=[line("a", MEDICAL, "15000", paid=D("5000")), line("b", MEDICAL, "15000")],
        used={MEDICAL: D("5000")},
        at_fault=True,
    )
    medical = calc.category(MEDICAL)
    assert {r.line.key: r.share for r in medical.lines} == {"a": D("9000.00"), "b": D("9000.00")}
    assert calc.payable() == {"a": D("4000.00"), "b": D("9000.00")}
    # Advance plus payments never exceed the limit.
    assert medical.used + medical.payable == D("18000")


def test_the_worked_example_of_the_regulation_section_5():
    # docs/regulation.md §5: 2021, at fault, medical limit 18,000. A assessed 12,000 of which 5,000
    # advanced, B assessed 10,000 → shares A 9,818.18 (4,818.18 still due), B 8,181.82.
    calc = payout.calculate(
        limits=LIMITS_2020_FAULT,
        lines=[line("A", MEDICAL, "12000", paid=D("5000")), line("B", MEDICAL, "10000")],
        used={MEDICAL: D("5000")},
        at_fault=True,
    )
    medical = calc.category(MEDICAL)
    shares = {r.line.key: r.share for r in medical.lines}
    assert shares == {"A": D("9818.18"), "B": D("8181.82")}
    assert calc.payable() == {"A": D("4818.18"), "B": D("8181.82")}
    assert medical.payable == D("13000.00")
    assert medical.shared
    assert "已付款项计入各受害人本人的份额" in medical.explanation
    reasons = {r.line.key: r.reason for r in medical.lines}
    assert "扣除已付 5,000.00 元" in reasons["A"]


def test_an_earlier_instalment_counts_like_an_advance():
    # A second payment after the first (追加赔付): B was paid 6,000 on an assessment of 10,000;
    # re-assessed at 12,000 with A at 12,000 → 9,000 each; B is owed 3,000 more, A 9,000.
    calc = payout.calculate(
        limits=LIMITS_2020_FAULT,
        lines=[line("A", MEDICAL, "12000"), line("B", MEDICAL, "12000", paid=D("6000"))],
        used={MEDICAL: D("6000")},
        at_fault=True,
    )
    assert calc.payable() == {"A": D("9000.00"), "B": D("3000.00")}


def test_an_advance_above_its_victims_share_leaves_the_others_only_what_is_left_of_the_limit():
    # A was advanced 15,000 but A's share of 18,000 over 15,000 and 30,000 is only 6,000:
    # B's share is 12,000, but only 3,000 is left of the limit.
    calc = payout.calculate(
        limits=LIMITS_2020_FAULT,
        lines=[line("A", MEDICAL, "15000", paid=D("15000")), line("B", MEDICAL, "30000")],
        used={MEDICAL: D("15000")},
        at_fault=True,
    )
    assert calc.payable() == {"A": D("0.00"), "B": D("3000.00")}
    reasons = {r.line.key: r.reason for r in calc.category(MEDICAL).lines}
    assert "无余额" in reasons["A"]
    assert "剩余限额不足" in reasons["B"]


def test_advance_room_is_the_no_fault_medical_limit_when_not_at_fault():
    assert payout.advance_room(limits=LIMITS_2020_NO_FAULT, used={}) == D("1800")
    assert payout.advance_room(limits=LIMITS_2020_NO_FAULT, used={MEDICAL: D("1500")}) == D("300")
    assert payout.advance_room(limits=LIMITS_2020_FAULT, used={MEDICAL: D("18000")}) == D("0")
    assert payout.advance_room(limits=LIMITS_2008_NO_FAULT, used={}) == D("1000")


def test_an_advance_case_pays_only_rescue_costs_within_the_medical_limit():
    calc = payout.calculate(
        limits=LIMITS_2020_NO_FAULT,
        lines=[
            line(1, MEDICAL, "3000", rescue=True),
            line(2, MEDICAL, "800"),  # ordinary treatment after rescue
            line(3, PROPERTY, "100"),
            line(4, DEATH, "5000"),
        ],
        at_fault=False,
        advance_case=True,
    )
    assert calc.payable() == {1: D("1800.00"), 2: D("0"), 3: D("0"), 4: D("0")}
    reasons = {r.line.key: r.reason for c in calc.categories for r in c.lines}
    assert "不赔付财产损失" in reasons[3]


def test_a_victim_fully_covered_by_advances_is_owed_nothing_more():
    calc = payout.calculate(
        limits=LIMITS_2020_FAULT,
        lines=[line("a", MEDICAL, "2000", paid=D("2000"))],
        used={MEDICAL: D("2000")},
        at_fault=True,
    )
    assert calc.total == D("0")
    assert "无余额" in calc.category(MEDICAL).lines[0].reason


# --- Properties over any losses and earlier payments (docs/regulation.md §5) ---------------------

money = st.decimals(min_value=D("0"), max_value=D("300000"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def victims(draw):
    """Up to 8 victims of one category: each a whole assessed loss and what was paid before
    (never more than the loss), with the earlier payments together within the limit."""
    limit = draw(st.sampled_from([D("18000"), D("1800"), D("2000"), D("100"), D("180000")]))
    losses = draw(st.lists(money, min_size=1, max_size=8))
    paid = []
    room = limit
    for loss in losses:
        p = draw(st.decimals(min_value=D("0"), max_value=min(loss, room), places=2))
        paid.append(p)
        room -= p
    return limit, losses, paid


@settings(max_examples=300, deadline=None)
@given(victims())
def test_whatever_was_paid_before_the_limit_is_never_passed_and_nothing_is_negative(case):
    limit, losses, paid = case
    lines = [
        line(i, MEDICAL, str(loss), paid=p) for i, (loss, p) in enumerate(zip(losses, paid, strict=True))
    ]
    used = sum(paid, D("0"))
    limits = {DEATH: D("180000"), MEDICAL: limit, PROPERTY: D("2000")}
    medical = payout.calculate(limits=limits, lines=lines, at_fault=True, used={MEDICAL: used}).category(
        MEDICAL
    )
    payable = [r.payable for r in medical.lines]
    assert all(p >= 0 and p == p.quantize(D("0.01")) for p in payable)
    # Never above the limit, counting what was paid before.
    assert used + sum(payable) <= limit
    # The shares add up to the fen: to the limit when shared, to the losses otherwise.
    shares = sum(r.share for r in medical.lines)
    assert shares == (limit if sum(losses) > limit else sum(losses))
    assert medical.payable == sum(payable)
    for result, p in zip(medical.lines, paid, strict=True):
        # Nobody is paid beyond their own share.
        assert p + result.payable <= max(result.share, p)
        # Unless an earlier payment went beyond someone's share, each is paid their share in full.
        if all(pp <= r.share for pp, r in zip(paid, medical.lines, strict=True)):
            assert p + result.payable == result.share


@settings(max_examples=200, deadline=None)
@given(victims())
def test_an_earlier_payment_to_one_victim_never_shrinks_anothers_share(case):
    limit, losses, paid = case
    limits = {DEATH: D("180000"), MEDICAL: limit, PROPERTY: D("2000")}
    with_paid = payout.calculate(
        limits=limits,
        lines=[
            line(i, MEDICAL, str(loss), paid=p) for i, (loss, p) in enumerate(zip(losses, paid, strict=True))
        ],
        at_fault=True,
        used={MEDICAL: sum(paid, D("0"))},
    ).category(MEDICAL)
    without = payout.calculate(
        limits=limits, lines=[line(i, MEDICAL, str(loss)) for i, loss in enumerate(losses)], at_fault=True
    ).category(MEDICAL)
    assert [r.share for r in with_paid.lines] == [r.share for r in without.lines]
