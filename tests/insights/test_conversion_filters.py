"""The reminder-conversion page filtered as the dashboard's conversion chart is: by the reminded
policy's branches, sales channel and vehicle category; the chart's points open it with the
chart's filters."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from core.clock import today
from outbox.models import OutboundMessage
from policies.models import Policy
from reminders.conversion import conversion_figures, conversion_refresh
from reminders.models import Reminder
from tests import factories
from tests.insights.charts import chart_of

pytestmark = pytest.mark.django_db

END = today() + dt.timedelta(days=20)
PLANNED = END - dt.timedelta(days=30)  # the 30-day reminders: planned ten days ago
URL = reverse("reminders:conversion")
PERIOD = {"first": f"{PLANNED - dt.timedelta(days=5):%Y-%m-%d}", "last": f"{today():%Y-%m-%d}"}


def _reminded(branch, *, channel="counter", category="FAMILY_LT6", via=("sms",), renewed=False) -> Policy:
    """A policy ending on END reminded 30 days before by each channel of `via` (sent at 9:00 of
    the planning day) and, when `renewed`, renewed the day after."""
    vehicle = factories.VehicleFactory(premium_category=category)
    policy = factories.policy_ending(END, vehicle=vehicle, branch=branch, channel=channel)
    sent_at = timezone.make_aware(dt.datetime.combine(PLANNED, dt.time(9)))
    for reminder_channel in via:
        message = OutboundMessage.objects.create(
            channel=reminder_channel, recipient="x", text="t", purpose="renewal_reminder",
            dedupe_key=f"reminder:{policy.pk}:{reminder_channel}:30", not_before=sent_at, status="sent",
            sent_at=sent_at,
        )  # fmt: skip
        Reminder.objects.create(
            policy=policy, channel=reminder_channel, days_left=30, person=policy.policyholder,
            planned_for=PLANNED, message=message,
        )  # fmt: skip
    if renewed:
        successor = factories.PolicyFactory(
            vehicle=vehicle,
            branch=branch,
            channel=channel,
            renewed_from=policy,
            start_date=END + dt.timedelta(days=1),
        )
        Policy.objects.filter(pk=successor.pk).update(issued_at=sent_at + dt.timedelta(days=1))
    return policy


@pytest.fixture
def xian(db):
    return factories.BranchFactory(code="610100", name="西安雁塔营业部", province="陕西", city="西安")


@pytest.fixture
def reminded(branch, other_branch, xian):
    """南京: a counter sale renewed, an app sale not; 海口: a taxi reminded by SMS and email,
    renewed; 西安: a counter sale not renewed."""
    book = {
        "nanjing": _reminded(branch, renewed=True),
        "nanjing_app": _reminded(branch, channel="app"),
        "haikou_taxi": _reminded(other_branch, category="TAXI_LT6", via=("sms", "email"), renewed=True),
        "xian": _reminded(xian),
    }
    conversion_refresh(last=today())
    return book


def _page(client, **filters) -> dict:
    """The page's figures: per (reminder channel, step) sent and renewed after, and the totals."""
    response = client.get(URL, {**PERIOD, **filters})
    assert response.status_code == 200
    figures = response.context["figures"]
    steps = {(s.channel, s.days_left): (s.sent, s.renewed_after) for s in figures.steps}
    return {"steps": steps, "reminded": figures.policies_reminded, "renewed": figures.policies_renewed,
            "html": response.content.decode()}  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "steps", "reminded_count", "renewed"),
    [
        ({}, {("sms", 30): (4, 2), ("email", 30): (1, 1)}, 4, 2),
        ({"branch": "NANJING"}, {("sms", 30): (2, 1)}, 2, 1),
        ({"branch": ["NANJING", "HAIKOU"]}, {("sms", 30): (3, 2), ("email", 30): (1, 1)}, 3, 2),
        ({"channel": "app"}, {("sms", 30): (1, 0)}, 1, 0),
        ({"channel": "counter"}, {("sms", 30): (3, 2), ("email", 30): (1, 1)}, 3, 2),
        ({"category": "TAXI_LT6"}, {("sms", 30): (1, 1), ("email", 30): (1, 1)}, 1, 1),
        ({"branch": "NANJING", "channel": "counter", "category": "FAMILY_LT6"}, {("sms", 30): (1, 1)}, 1, 1),
        ({"category": "BUS_GE36"}, {}, 0, 0),
    ],
)
def test_the_conversion_page_counts_the_reminded_policies_of_the_segment(
    client, head_office, reminded, branch, other_branch, filters, steps, reminded_count, renewed
):
    ids = {"NANJING": str(branch.pk), "HAIKOU": str(other_branch.pk)}
    filters = {k: [ids[x] for x in v] if isinstance(v, list) else ids.get(v, v) for k, v in filters.items()}
    client.force_login(head_office)
    page = _page(client, **filters)
    assert (page["steps"], page["reminded"], page["renewed"]) == (steps, reminded_count, renewed)


def test_the_figures_of_the_segments_sum_to_the_whole(reminded, branch, other_branch, xian):
    first, last = PLANNED, today()
    whole = conversion_figures(first=first, last=last)
    parts = [
        conversion_figures(first=first, last=last, branch_ids=[b.pk]) for b in (branch, other_branch, xian)
    ]
    assert sum(p.policies_reminded for p in parts) == whole.policies_reminded == 4
    assert sum(p.policies_renewed for p in parts) == whole.policies_renewed == 2
    assert sum(s.sent for p in parts for s in p.steps) == sum(s.sent for s in whole.steps) == 5


def test_the_page_says_which_segment_it_counts(client, head_office, reminded, branch, other_branch):
    client.force_login(head_office)
    html = _page(client, branch=[branch.pk, other_branch.pk], channel="counter")["html"]
    assert f"{branch.name}、{other_branch.name}，柜面" in html
    assert 'size="3"' in html  # several branches: a list box keeps both chosen


def test_a_branch_supervisor_cannot_filter_by_another_branch(supervisor_client, reminded, other_branch):
    page = _page(supervisor_client, branch=other_branch.pk)
    assert "网点不存在或不在您的管辖范围内" in page["html"]
    assert (
        other_branch.name not in page["html"].split('data-testid="conversion-branch"')[1].split("</div>")[0]
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"channel": "fax"}, "销售渠道有误"),
        ({"category": "X"}, "车辆类别有误"),
        ({"branch": "x"}, "网点参数有误"),
    ],
)
def test_bad_filters_are_explained_in_chinese(client, head_office, reminded, params, message):
    client.force_login(head_office)
    page = _page(client, **params)
    assert message in page["html"] and "显示近 90 日全部保单" in page["html"]


def test_the_page_reads_a_constant_number_of_queries(
    client, head_office, reminded, branch, other_branch, django_assert_max_num_queries
):
    client.force_login(head_office)
    params = {**PERIOD, "branch": [branch.pk, other_branch.pk], "channel": "counter"}
    with django_assert_max_num_queries(12) as few:
        client.get(URL, params)
    for _ in range(5):
        _reminded(branch, via=("sms", "push"), renewed=True)
    conversion_refresh(last=today())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, params)


def test_the_charts_points_open_the_page_with_the_charts_filters(
    client, head_office, reminded, branch, other_branch
):
    from insights.refresh import summaries_refresh

    summaries_refresh(first=PLANNED)
    client.force_login(head_office)
    filters = {"branch": [branch.pk, other_branch.pk], "channel": "counter", "category": "FAMILY_LT6"}
    response = client.get(reverse("dashboard"), filters)
    chart = chart_of(response, "reminders")
    urls = {point["url"] for s in chart["series"] for point in s["data"] if point}
    [url] = urls
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == URL
    assert (query["branch"], query["channel"], query["category"]) == (
        [str(branch.pk), str(other_branch.pk)], ["counter"], ["FAMILY_LT6"],
    )  # fmt: skip
    page = _page(client, **{k: v for k, v in query.items() if k not in PERIOD}, **PERIOD)
    assert (page["steps"], page["reminded"]) == (
        {("sms", 30): (1, 1)},
        1,
    )  # 南京's counter sale of family cars


def test_a_branch_supervisors_points_open_their_own_branch(supervisor_client, reminded, branch):
    from insights.refresh import summaries_refresh

    summaries_refresh(first=PLANNED)
    chart = chart_of(supervisor_client.get(reverse("dashboard")), "reminders")
    [url] = {point["url"] for s in chart["series"] for point in s["data"] if point}
    assert parse_qs(urlsplit(url).query)["branch"] == [str(branch.pk)]
