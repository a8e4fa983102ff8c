"""The supervisors' dashboard (经营看板): filters in the URL, branch scope, drill-down links to
the lists behind the figures, the refresh button, and a constant number of queries."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.clock import today
from insights.models import SummaryRun
from insights.refresh import summaries_refresh
from policies.pricing import add_months
from tests import factories
from tests.insights.charts import chart_of, listed, point_of

pytestmark = pytest.mark.django_db

DAY = today()
THIS_MONTH = DAY.replace(day=1)
LAST_MONTH = add_months(THIS_MONTH, -1)


def _lapsed(branch, *, end: dt.date, channel="counter"):
    start = add_months(end, -12) + dt.timedelta(days=1)
    return factories.PolicyFactory(branch=branch, channel=channel, start_date=start, end_date=end)


@pytest.fixture
def lapses(branch, other_branch):
    """Last month: two lapses at 南京 (one sold online), one at 海口."""
    made = [
        _lapsed(branch, end=LAST_MONTH + dt.timedelta(days=3)),
        _lapsed(branch, end=LAST_MONTH + dt.timedelta(days=4), channel="app"),
        _lapsed(other_branch, end=LAST_MONTH + dt.timedelta(days=3)),
    ]
    summaries_refresh(first=add_months(THIS_MONTH, -12))
    return made


def test_only_dashboard_viewers_open_it(client, counter_clerk, hotline_agent):
    for user in (counter_clerk, hotline_agent):
        client.force_login(user)
        assert client.get(reverse("dashboard")).status_code == 403
        assert client.post(reverse("dashboard_refresh")).status_code == 403


def test_a_branch_supervisor_sees_only_their_branch(supervisor_client, lapses, other_branch):
    response = supervisor_client.get(reverse("dashboard"))
    assert response.status_code == 200
    point = point_of(chart_of(response, "renewal"), "脱保率", LAST_MONTH)
    assert point["value"] == 100.0
    assert f"branch={lapses[0].branch_id}" in point["url"]
    page = response.content.decode()
    assert 'data-testid="own-branch"' in page and "南京中山路营业部" in page
    # another branch in the URL is refused in Chinese, and its figures are not shown
    response = supervisor_client.get(reverse("dashboard"), {"branch": other_branch.pk})
    assert response.status_code == 200
    assert "网点不存在或不在您的管辖范围内" in response.content.decode()
    assert response.context["scope"].branch_ids == [lapses[0].branch_id]


def test_the_lapse_point_opens_the_lapsed_policies_of_that_month_and_branch(supervisor_client, lapses):
    response = supervisor_client.get(reverse("dashboard"))
    url = point_of(chart_of(response, "renewal"), "脱保率", LAST_MONTH)["url"]
    assert "kind=lapsed" in url and f"start={LAST_MONTH:%Y-%m}" in url and f"end={LAST_MONTH:%Y-%m}" in url
    assert listed(supervisor_client.get(url)) == [lapses[0].number, lapses[1].number]  # 南京's, not 海口's


def test_filters_are_kept_in_the_url_and_narrow_the_figures(supervisor_client, lapses):
    params = {"start": f"{LAST_MONTH:%Y-%m}", "end": f"{THIS_MONTH:%Y-%m}", "channel": "app"}
    response = supervisor_client.get(reverse("dashboard"), params)
    chart = chart_of(response, "renewal")
    assert chart["x"] == [f"{LAST_MONTH:%Y-%m}", f"{THIS_MONTH:%Y-%m}"]
    assert "channel=app" in point_of(chart, "脱保率", LAST_MONTH)["url"]
    assert response.context["panels"][0][1]["rows"][0][1][1]["value"] == 100.0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13"}, "月份格式应为"),
        ({"start": "abc", "end": "2026-01"}, "月份格式应为"),
        ({"start": "2026-06", "end": "2026-01"}, "起始月份晚于截止月份"),
        ({"start": "2010-01", "end": "2026-01"}, "一次最多查看"),
        ({"channel": "fax"}, "销售渠道有误"),
        ({"category": "<script>"}, "车辆类别有误"),
        ({"branch": "x"}, "网点参数有误"),
        ({"branch": "99999999999999999999"}, "网点"),
    ],
)
def test_bad_filters_are_explained_in_chinese(supervisor_client, params, message):
    response = supervisor_client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "筛选条件有误" in page


def test_head_office_compares_branches_side_by_side(client, head_office, lapses, branch, other_branch):
    client.force_login(head_office)
    response = client.get(reverse("dashboard"), {"branch": [branch.pk, other_branch.pk]})
    chart = chart_of(response, "renewal")
    names = [s["name"] for s in chart["series"]]
    assert names == [f"{branch.name} 续保率", f"{branch.name} 脱保率", f"{other_branch.name} 续保率",
                     f"{other_branch.name} 脱保率"]  # fmt: skip
    assert f"branch={other_branch.pk}" in point_of(chart, f"{other_branch.name} 脱保率", LAST_MONTH)["url"]
    # with no branch chosen, head office sees the sum of every branch
    whole = chart_of(client.get(reverse("dashboard")), "renewal")
    assert [s["name"] for s in whole["series"]] == ["续保率", "脱保率"]


def test_the_claims_panel_links_to_the_claims_past_the_five_day_deadline(
    supervisor_client, branch, policy, hotline_agent
):
    from django.utils import timezone

    claim = factories.make_claim(policy, by=hotline_agent, now=timezone.now() - dt.timedelta(days=8))
    on_time = factories.make_claim(policy, by=hotline_agent)
    claim.decision_due_at = timezone.now() - dt.timedelta(days=1)
    claim.save(update_fields=["decision_due_at"])
    summaries_refresh(first=add_months(THIS_MONTH, -2))
    response = supervisor_client.get(reverse("dashboard"))
    (panel,) = [p for t, p in response.context["panels"] if p["key"] == "claim-steps"]
    label, count, url, _ = panel["kpis"][2]
    assert count == 1 and "deadline=decision" in url
    listing = supervisor_client.get(url).content.decode()
    assert claim.number in listing and on_time.number not in listing


def test_a_supervisor_refreshes_the_figures_and_sees_when_they_were_computed(
    supervisor_client, supervisor, lapses
):
    response = supervisor_client.post(reverse("dashboard_refresh"), {"query": "channel=app&start=2026-01"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/?channel=app&start=2026-01"
    call_command("run_insights_jobs", stdout=StringIO())  # the worker beside the portal
    run = SummaryRun.objects.order_by("-finished_at").first()
    assert run.by == supervisor
    page = supervisor_client.get(reverse("dashboard")).content.decode()
    assert "统计时间" in page and "立即刷新" in page
    assert supervisor_client.get(reverse("dashboard_refresh")).status_code == 405


def test_the_page_runs_a_constant_number_of_queries(
    supervisor_client, branch, other_branch, django_assert_max_num_queries
):
    summaries_refresh(first=add_months(THIS_MONTH, -12))
    supervisor_client.get(reverse("dashboard"))
    with django_assert_max_num_queries(40) as few:
        supervisor_client.get(reverse("dashboard"))
    for back in range(12):
        for br in (branch, other_branch):
            _lapsed(br, end=add_months(THIS_MONTH, -back) + dt.timedelta(days=1), channel="app")
            _lapsed(br, end=add_months(THIS_MONTH, -back) + dt.timedelta(days=2))
    summaries_refresh(first=add_months(THIS_MONTH, -12))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = supervisor_client.get(reverse("dashboard"), {"channel": "app"})
    assert response.status_code == 200
