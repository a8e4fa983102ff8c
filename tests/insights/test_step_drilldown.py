"""A point of 理赔各环节平均用时 opens the claims that left that step within the chosen months, with
the dashboard's branch, sales channel and vehicle category: the rows behind the figure."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from claims import services
from claims.choices import ClaimState as S
from insights.refresh import summaries_refresh
from policies.choices import SalesChannel
from tests import factories
from tests.claims.conftest import NOW
from tests.insights.charts import chart_of

pytestmark = pytest.mark.django_db

MONTH = {"start": "2026-11", "end": "2026-11"}


def _claims_of(response) -> list[str]:
    return sorted(re.findall(r'data-claim="([^"]+)"', response.content.decode()))


@pytest.fixture
def steps_book(branch, other_branch, policy, hotline_agent, walk_to, second_adjuster):
    """November at 南京, counter, family cars: `twice` is sent back once (it leaves 已理算 and
    已定损 twice), `once` walks straight to approval; then an app sale, a 海口 claim and an
    October claim that leave the same steps outside the filters."""

    def claim(on_policy, now):
        made = factories.make_claim(
            on_policy, by=hotline_agent, now=now, accident_at=now - dt.timedelta(hours=3)
        )
        return walk_to(made, S.APPROVED, now=now) or made

    def policy_like(**kwargs):
        vehicle = factories.VehicleFactory(premium_category=policy.vehicle.premium_category)
        return factories.PolicyFactory(vehicle=vehicle, start_date=dt.date(2026, 3, 1), **kwargs)

    twice = factories.make_claim(policy, by=hotline_agent, now=NOW, accident_at=NOW - dt.timedelta(hours=3))
    walk_to(twice, S.CALCULATED)
    twice.refresh_from_db()
    services.claim_send_back(
        claim=twice, by=second_adjuster, note="定损有误", now=NOW + dt.timedelta(hours=5)
    )
    walk_to(twice, S.APPROVED, now=NOW + dt.timedelta(hours=5))
    book = {
        "twice": twice,
        "once": claim(policy_like(branch=branch, channel=policy.channel), NOW),
        "app": claim(policy_like(branch=branch, channel="app"), NOW),
        "haikou": claim(policy_like(branch=other_branch, channel=policy.channel), NOW),
        "october": claim(policy_like(branch=branch, channel=policy.channel), NOW - dt.timedelta(days=35)),
    }
    summaries_refresh(first=dt.date(2026, 1, 1), day=dt.date(2026, 12, 31), now=NOW + dt.timedelta(days=1))
    return book


def _point(client, state: S, **filters) -> dict:
    chart = chart_of(client.get(reverse("dashboard"), {**MONTH, **filters}), "claim-steps")
    return chart["series"][0]["data"][chart["x"].index(state.label)]


def _numbers(book, *keys) -> list[str]:
    return sorted(book[k].number for k in keys)


def test_a_step_point_lists_the_claims_that_left_the_step_in_the_months(
    supervisor_client, steps_book, policy
):
    from insights import figures
    from insights.forms import Scope

    point = _point(supervisor_client, S.REGISTERED, channel=policy.channel)
    assert "left_step=registered" in point["url"] and "left_from=2026-11-01" in point["url"]
    assert "left_to=2026-11-30" in point["url"] and "state=all" in point["url"]
    listing = supervisor_client.get(point["url"])
    assert _claims_of(listing) == _numbers(steps_book, "twice", "once")
    assert re.search(r"离开环节\s+立案</span>", listing.content.decode())
    # each claim left 立案 once: the list's claims are the figure's departures
    scope = Scope(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 1), branches=(policy.branch,),
                  allowed=(policy.branch_id,), channel=policy.channel)  # fmt: skip
    (registered,) = [s for s in figures.step_times(scope) if s.state == S.REGISTERED]
    assert registered.claims == len(_claims_of(listing)) == 2


def test_a_claim_that_reentered_a_step_is_listed_once_while_the_figure_counts_each_departure(
    supervisor_client, steps_book, policy
):
    from insights.models import ClaimStepMonth

    point = _point(supervisor_client, S.CALCULATED, channel=policy.channel)
    listing = supervisor_client.get(point["url"])
    assert _claims_of(listing) == _numbers(steps_book, "twice", "once")
    departures = ClaimStepMonth.objects.filter(
        month=dt.date(2026, 11, 1), branch=policy.branch, channel=policy.channel, state=S.CALCULATED
    )
    assert sum(d.steps for d in departures) == 3  # `twice` left 理算 for 退回 and for 核赔
    assert "多次离开只列一次" in listing.content.decode()


def test_without_a_channel_the_point_lists_every_channel_of_the_branch(supervisor_client, steps_book):
    listing = supervisor_client.get(_point(supervisor_client, S.REGISTERED)["url"])
    assert _claims_of(listing) == _numbers(steps_book, "twice", "once", "app")


def test_the_dates_bound_the_departures(supervisor_client, steps_book, branch):
    base = {"state": "all", "left_step": "registered", "branch": branch.pk}
    october = supervisor_client.get(
        reverse("claims:queue"), {**base, "left_from": "2026-10-01", "left_to": "2026-10-31"}
    )
    assert _claims_of(october) == _numbers(steps_book, "october")
    day_after = supervisor_client.get(reverse("claims:queue"), {**base, "left_from": "2026-11-21"})
    assert _claims_of(day_after) == []
    any_step = supervisor_client.get(
        reverse("claims:queue"), {"state": "all", "left_from": "2026-11-20", "left_to": "2026-11-20"}
    )
    assert _claims_of(any_step) == _numbers(steps_book, "twice", "once", "app", "haikou")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"left_step": "nowhere"}, "选择一个有效的选项"),
        ({"left_from": "2026-13-01"}, "输入一个有效的日期"),
        ({"left_from": "2026-11-30", "left_to": "2026-11-01"}, "离开日期的结束日不能早于开始日"),
        ({"left_to": "9" * 40}, "输入一个有效的日期"),
    ],
)
def test_bad_step_filters_are_explained_in_chinese(supervisor_client, steps_book, params, message):
    response = supervisor_client.get(reverse("claims:queue"), {"state": "all", **params})
    assert response.status_code == 200
    errors = re.findall(r'data-testid="drill-filter-error">([^<]*)<', response.content.decode())
    assert errors and message in " ".join(errors)
    assert _claims_of(response) == []


def test_the_step_list_runs_a_constant_number_of_queries(
    supervisor_client, steps_book, branch, django_assert_max_num_queries
):
    params = {"state": "all", "left_step": "registered", "left_from": "2026-11-01", "left_to": "2026-11-30"}
    supervisor_client.get(reverse("claims:queue"))
    with django_assert_max_num_queries(9) as few:
        supervisor_client.get(reverse("claims:queue"), {"state": "all"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = supervisor_client.get(reverse("claims:queue"), params)
    assert len(_claims_of(response)) == 4  # 南京 counter twice and once, app; 海口
    with django_assert_max_num_queries(len(few.captured_queries)):
        supervisor_client.get(reverse("claims:queue"), {**params, "branch": branch.pk, "sort": "reported_at"})


def test_the_queue_names_the_dashboard_filters_it_carries(supervisor_client, steps_book, policy):
    """The filter line reads as the dashboard does: 销售渠道 柜面, 车辆类别 家庭自用汽车 6座以下 — not codes."""
    listing = supervisor_client.get(
        _point(supervisor_client, S.REGISTERED, channel=SalesChannel.COUNTER)["url"] + "&category=FAMILY_LT6"
    )
    page = listing.content.decode()
    assert re.search(r"销售渠道\s+柜面</span>", page)
    assert re.search(r"车辆类别\s+家庭自用汽车 6座以下</span>", page)
    assert "FAMILY_LT6</span>" not in page and "counter</span>" not in page
