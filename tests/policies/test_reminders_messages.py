"""The reminder text: Chinese, with the customer's name, the plate, the cover end date,
the days left and where to renew; the lapse message states the consequences (docs/regulation.md §4);
the planner's SQL writes exactly what `render` writes."""

import datetime as dt
from decimal import Decimal

import pytest

from reminders.cadence import SHANGHAI
from reminders.messages import chinese_date, render, sql_format
from reminders.planning import plan_reminders
from tests.factories import BranchFactory, CustomerFactory, policy_ending

DAY = dt.date(2026, 11, 25)
BRANCH = "南京中山路营业部"


def sms(days_left, **kwargs):
    fields = dict(name="王小明", plate="苏A12345", end_date=DAY + dt.timedelta(days=days_left),
                  days_left=days_left, branch=BRANCH, base_premium=Decimal("950.00"))  # fmt: skip
    return render("sms", **(fields | kwargs))


def test_the_due_sms_names_the_customer_plate_end_date_days_left_and_where_to_renew():
    text = sms(30).text
    assert text.startswith("【交强险服务】王小明您好")
    assert "苏A12345" in text
    assert "2026年12月25日到期" in text
    assert "还有30天" in text
    for where in ("官网", "APP", "微信小程序", "400-800-9595", BRANCH):
        assert where in text


def test_sms_stays_short():
    # Two SMS segments at most (70 Chinese characters each), even with a long branch name.
    for days_left in (60, 1, 0, -1):
        assert len(sms(days_left, branch="南京市玄武区中山路第一营业部").text) <= 140, days_left


def test_the_last_day_says_today():
    assert "今日（2026年11月25日）24时到期" in sms(0).text


def test_the_lapse_message_states_the_consequences():
    text = sms(-1, end_date=DAY - dt.timedelta(days=1)).text
    assert "已于2026年11月24日到期，现已脱保" in text
    assert "扣车" in text and "罚款1900.00元（保费2倍）" in text  # 交安法 Art. 98: twice the premium
    assert "自担赔偿" in text
    email = render("email", name="王小明", plate="苏A12345", end_date=DAY - dt.timedelta(days=1),
                   days_left=-1, branch=BRANCH, base_premium=Decimal("1100.00"))  # fmt: skip
    assert email.subject == "交强险脱保提醒：苏A12345已于2026年11月24日到期"
    assert "2200.00 元" in email.text
    assert "不能办理注册登记和年度检验" in email.text
    assert "第九十八条" in email.text


def test_push_and_email_carry_the_same_facts():
    for channel in ("push", "email"):
        r = render(channel, name="王小明", plate="苏A12345", end_date=dt.date(2027, 1, 1), days_left=7,
                   branch=BRANCH, base_premium=Decimal("950"))  # fmt: skip
        for fact in ("王小明", "苏A12345", "2027年1月1日", "7", "400-800-9595", BRANCH):
            assert fact in r.text, (channel, fact)
    assert "www.jqx.example.cn" in render("email", name="a", plate="b", end_date=DAY, days_left=7,
                                          branch="c", base_premium=Decimal(1)).text  # fmt: skip


def test_dates_are_written_the_chinese_way():
    assert chinese_date(dt.date(2028, 2, 29)) == "2028年2月29日"
    assert chinese_date(dt.date(2026, 10, 1)) == "2026年10月1日"


def test_percent_signs_in_a_template_survive_postgres_format():
    assert sql_format("{name}享受10%优惠") == "%1$s享受10%%优惠"


@pytest.mark.django_db
@pytest.mark.parametrize("days_left", [60, 1, -1])
def test_the_planner_writes_the_same_text_as_render(days_left):
    branch = BranchFactory(code="320100", name=BRANCH)
    owner = CustomerFactory(name="欧阳娜娜")
    policy = policy_ending(DAY + dt.timedelta(days=days_left), branch=branch, owner=owner,
                           base_premium=Decimal("1270.00"), premium=Decimal("1270.00"))  # fmt: skip
    plan_reminders(day=DAY, now=dt.datetime(2026, 11, 25, 9, tzinfo=SHANGHAI))
    for reminder in policy.reminders.select_related("message"):
        expected = render(
            reminder.channel, name="欧阳娜娜", plate=policy.vehicle.plate, end_date=policy.end_date,
            days_left=days_left, branch=BRANCH, base_premium=Decimal("1270.00"),
        )  # fmt: skip
        assert reminder.message.text == expected.text
        assert reminder.message.subject == expected.subject
