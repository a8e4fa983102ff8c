"""Every policy figure of the dashboard opens the policies behind it, with the same filters:
the list shows exactly the rows the summary counted, and says how many."""

import datetime as dt
import re

import pytest
from django.db.models import Sum
from django.urls import reverse

from core.clock import today
from insights.models import PolicyMonth
from insights.refresh import summaries_refresh
from policies.models import Policy
from policies.pricing import add_months
from tests import factories
from tests.insights.charts import chart_of, listed, point_of

pytestmark = pytest.mark.django_db

THIS_MONTH = today().replace(day=1)
MONTH = add_months(THIS_MONTH, -3)  # its renewals are settled: 30 days past every end
FILTERS = {"channel": "counter", "category": "FAMILY_LT6"}


def _policy(branch, *, end: dt.date, channel="counter", category="FAMILY_LT6") -> Policy:
    vehicle = factories.VehicleFactory(premium_category=category)
    start = add_months(end, -12) + dt.timedelta(days=1)
    return factories.PolicyFactory(
        vehicle=vehicle, branch=branch, channel=channel, start_date=start, end_date=end
    )


def _renew(policy: Policy, *, after_days: int) -> Policy:
    start = policy.end_date + dt.timedelta(days=after_days)
    return factories.PolicyFactory(
        vehicle=policy.vehicle, branch=policy.branch, channel=policy.channel, renewed_from=policy,
        start_date=start, end_date=add_months(start, 12) - dt.timedelta(days=1),
    )  # fmt: skip


@pytest.fixture
def month_book(branch, other_branch):
    """MONTH at 南京, sold at the counter for family cars: renewed the next day, renewed 31 days
    late, not renewed, cancelled; the same month sold by app and for taxis; 海口's lapse; a
    lapse of the month before."""
    end = MONTH + dt.timedelta(days=4)
    book = {
        "on_time": _policy(branch, end=end),
        "late": _policy(branch, end=end + dt.timedelta(days=1)),
        "lapsed": _policy(branch, end=end + dt.timedelta(days=2)),
        "cancelled": _policy(branch, end=end),
        "app": _policy(branch, end=end, channel="app"),
        "taxi": _policy(branch, end=end, category="TAXI_LT6"),
        "haikou": _policy(other_branch, end=end),
        "before": _policy(branch, end=MONTH - dt.timedelta(days=2)),
    }
    book["renewal"] = _renew(book["on_time"], after_days=1)
    book["late_renewal"] = _renew(book["late"], after_days=31)
    Policy.objects.filter(pk=book["cancelled"].pk).update(
        status="cancelled", cancelled_on=book["cancelled"].start_date + dt.timedelta(days=40),
        cancel_reason="laid_up",
    )  # fmt: skip
    summaries_refresh(first=add_months(THIS_MONTH, -15))
    return book


def _figure(branch, **filters) -> dict:
    return PolicyMonth.objects.filter(month=MONTH, branch=branch, **filters).aggregate(
        ended=Sum("ended"), renewed=Sum("renewed"), started=Sum("started")
    )


def _drill(client, series: str, month=MONTH, **filters):
    response = client.get(reverse("dashboard"), {"start": f"{add_months(month, -2):%Y-%m}", **filters})
    return point_of(chart_of(response, "renewal" if "率" in series else "channel-mix"), series, month)


def test_the_lapse_point_lists_the_lapsed_policies_also_those_renewed_late(
    supervisor_client, month_book, branch
):
    point = _drill(supervisor_client, "脱保率", **FILTERS)
    response = supervisor_client.get(point["url"])
    assert response.status_code == 200
    rows = listed(response)
    assert sorted(rows) == sorted([month_book["late"].number, month_book["lapsed"].number])
    figure = _figure(branch, **FILTERS)
    assert len(rows) == figure["ended"] - figure["renewed"] == 2
    assert point["value"] == round(200 / 3, 1)
    page = response.content.decode()
    assert 'data-testid="policy-count">共 2 件' in page
    assert 'data-renewed="late"' in page  # the late renewal is shown beside its lapse
    assert month_book["late"].vehicle.plate not in page  # plates masked


def test_the_renewal_point_lists_the_policies_renewed_within_the_grace(supervisor_client, month_book, branch):
    point = _drill(supervisor_client, "续保率", **FILTERS)
    rows = listed(supervisor_client.get(point["url"]))
    assert rows == [month_book["on_time"].number]
    assert len(rows) == _figure(branch, **FILTERS)["renewed"]


def test_without_channel_and_category_the_lapses_of_every_segment_are_listed(
    supervisor_client, month_book, branch
):
    rows = listed(supervisor_client.get(_drill(supervisor_client, "脱保率")["url"]))
    expected = [month_book[k].number for k in ("late", "lapsed", "app", "taxi")]
    assert sorted(rows) == sorted(expected)
    figure = _figure(branch)
    assert len(rows) == figure["ended"] - figure["renewed"]


def test_head_office_drills_into_one_branch_of_a_comparison(
    client, head_office, month_book, branch, other_branch
):
    client.force_login(head_office)
    point = _drill(client, f"{other_branch.name} 脱保率", branch=[branch.pk, other_branch.pk])
    assert listed(client.get(point["url"])) == [month_book["haikou"].number]


def test_a_branch_supervisor_cannot_list_another_branch(supervisor_client, month_book, other_branch):
    params = {"kind": "lapsed", "start": f"{MONTH:%Y-%m}", "branch": other_branch.pk}
    response = supervisor_client.get(reverse("dashboard_policies"), params)
    page = response.content.decode()
    assert response.status_code == 200 and "网点不存在或不在您的管辖范围内" in page
    assert listed(response) == []
    # without a branch, only their own branch's policies
    rows = listed(
        supervisor_client.get(reverse("dashboard_policies"), {"kind": "lapsed", "start": f"{MONTH:%Y-%m}"})
    )
    assert month_book["haikou"].number not in rows and month_book["lapsed"].number in rows


def test_only_dashboard_viewers_open_the_list(client, counter_clerk):
    client.force_login(counter_clerk)
    assert (
        client.get(reverse("dashboard_policies"), {"kind": "lapsed", "start": "2026-01"}).status_code == 403
    )
    client.logout()
    assert client.get(reverse("dashboard_policies")).status_code == 302


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "lapsed"}, "请选择月份"),
        ({"kind": "gone", "start": "2026-01"}, "统计口径有误"),
        ({"kind": "lapsed", "start": "2026-13"}, "月份格式应为"),
        ({"kind": "lapsed", "start": "2026-06", "end": "2026-01"}, "起始月份晚于截止月份"),
        ({"kind": "lapsed", "start": "2010-01", "end": "2026-01"}, "一次最多查看"),
        ({"kind": "lapsed", "start": "2026-01", "channel": "fax"}, "销售渠道有误"),
        ({"kind": "lapsed", "start": "2026-01", "branch": "x"}, "网点"),
        ({"kind": "lapsed", "start": "2026-01", "after": "junk~1~2"}, None),
    ],
)
def test_bad_filters_are_explained_in_chinese(supervisor_client, params, message):
    response = supervisor_client.get(reverse("dashboard_policies"), params)
    assert response.status_code == 200
    if message:
        assert message in response.content.decode()


def test_the_list_runs_a_constant_number_of_queries(
    supervisor_client, month_book, branch, django_assert_max_num_queries
):
    params = {"kind": "lapsed", "start": f"{add_months(MONTH, -1):%Y-%m}", "end": f"{THIS_MONTH:%Y-%m}"}
    supervisor_client.get(reverse("dashboard_policies"), params)
    with django_assert_max_num_queries(10) as few:
        supervisor_client.get(reverse("dashboard_policies"), params)
    for i in range(30):
        _renew(_policy(branch, end=MONTH + dt.timedelta(days=10 + i % 15)), after_days=40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = supervisor_client.get(reverse("dashboard_policies"), params)
    assert len(listed(response)) == 25 and 'data-testid="next-page"' in response.content.decode()
    next_page = (
        response.content.decode().split('data-testid="next-page"')[0].rsplit('href="', 1)[1].split('"')[0]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        second = supervisor_client.get(reverse("dashboard_policies") + next_page.replace("&amp;", "&"))
    assert len(listed(second)) == 35 - 25  # 30 new, late, lapsed, app, taxi, before (南京 only)


def test_a_channel_mix_point_lists_the_policies_started_that_month_through_that_channel(
    supervisor_client, month_book
):
    year_before = add_months(MONTH, -12)  # the book's policies started then
    response = supervisor_client.get(
        reverse("dashboard"),
        {"start": f"{year_before:%Y-%m}", "end": f"{MONTH:%Y-%m}", "category": "FAMILY_LT6"},
    )
    chart = chart_of(response, "channel-mix")
    counter = point_of(chart, "柜面", year_before)
    assert "kind=started" in counter["url"] and "channel=counter" in counter["url"]
    assert "category=FAMILY_LT6" in counter["url"]
    rows = listed(supervisor_client.get(counter["url"]))
    assert sorted(rows) == sorted(month_book[k].number for k in ("on_time", "late", "lapsed"))
    assert len(rows) == counter["value"]  # the cancelled one is in neither
    app = point_of(chart, "APP", year_before)
    assert listed(supervisor_client.get(app["url"])) == [month_book["app"].number] and app["value"] == 1
    renewals = point_of(chart, "柜面", MONTH)
    renewed_ones = supervisor_client.get(renewals["url"])
    assert listed(renewed_ones) == [month_book["renewal"].number]
    assert "尚未期满" in renewed_ones.content.decode()  # its cover has not ended: no "未续保"
    assert renewals["value"] == 1


@pytest.fixture
def sla_tickets(branch, other_branch, hotline_agent):
    """This month's APP tickets at 南京's queue: answered in time, answered late, overdue and
    unanswered, solved late; a merged duplicate; 海口's and the hotline's overdue ones."""
    from django.utils import timezone

    from support.models import Queue, Ticket

    nanjing = Queue.objects.create(name="南京综合", branch=branch)
    haikou = Queue.objects.create(name="海口综合", branch=other_branch)
    now = timezone.now()

    def ticket(queue=nanjing, channel="app", **fields):
        made = factories.TicketFactory(channel=channel, queue=queue, created_by=hotline_agent)
        Ticket.objects.filter(pk=made.pk).update(**fields)
        return made

    def answered(late=False):
        return {"first_responded_at": now, "first_response_time": dt.timedelta(hours=30 if late else 1)}

    overdue = {"first_response_due": now - dt.timedelta(hours=1)}
    made = {
        "in_time": ticket(**answered()),
        "late": ticket(**answered(late=True)),
        "overdue": ticket(**overdue),
        "solved_late": ticket(
            **answered(), status="resolved", resolved_at=now, resolution_time=dt.timedelta(days=30)
        ),
        "haikou": ticket(queue=haikou, **overdue),
        "hotline": ticket(channel="hotline", **overdue),
    }
    made["merged"] = ticket(**overdue, status="closed", merged_into=made["in_time"])
    summaries_refresh(first=THIS_MONTH)
    return made


def test_an_sla_point_lists_the_tickets_that_missed_the_target_in_the_months_and_branch(
    supervisor_client, sla_tickets
):
    response = supervisor_client.get(reverse("dashboard"))
    chart = chart_of(response, "ticket-sla")
    column = chart["x"].index("APP")
    response_point, resolution_point = (s["data"][column] for s in chart["series"])
    assert response_point["value"] == 50.0 and resolution_point["value"] == 0.0
    for point, expected in ((response_point, ["late", "overdue"]), (resolution_point, ["solved_late"])):
        url = point["url"]
        assert "status=&" in url and f"created_from={add_months(THIS_MONTH, -11).isoformat()}" in url
        page = supervisor_client.get(url)
        assert page.status_code == 200
        numbers = re.findall(r"T\d{6,}", page.content.decode())
        assert sorted(set(numbers)) == sorted(sla_tickets[k].number for k in expected)
        assert page.context["table"].page.paginator.count == len(expected)


def test_the_queue_filters_by_branch_and_creation_dates(supervisor_client, sla_tickets, branch):
    from support.models import Ticket

    Ticket.objects.filter(pk=sla_tickets["late"].pk).update(
        created_at=dt.datetime(2025, 1, 31, 16, 30, tzinfo=dt.UTC)
    )
    params = {"status": "", "created_from": "2025-02-01", "created_to": "2025-02-28", "branch": branch.pk}
    page = supervisor_client.get(reverse("support:queue"), params)
    assert page.context["table"].page.paginator.count == 1  # 2025-02-01 00:30 in Beijing
    params["created_from"] = "2025-03-01"
    page = supervisor_client.get(reverse("support:queue"), params)
    assert "创建日期范围有误" in page.content.decode()


def _recovered_claim(
    policy, *, amount: str, reference: str, hotline_agent, walk_to, supervisor, claims_adjuster
):
    from decimal import Decimal

    from django.utils import timezone

    from claims import services
    from claims.choices import ClaimState

    now = timezone.now()
    claim = factories.make_claim(
        policy, by=hotline_agent, now=now - dt.timedelta(hours=6), advance_case="stolen"
    )
    claim = walk_to(claim, ClaimState.REGISTERED, now=now - dt.timedelta(hours=6))
    injured = claim.parties.get(kind="person")
    services.claim_advance(
        claim=claim, by=supervisor, party=injured, amount=Decimal("1800"), now=now - dt.timedelta(hours=1)
    )
    services.claim_recover(
        claim=claim, by=claims_adjuster, amount=amount, debtor="盗抢行为人", reference=reference
    )
    return claim


def test_the_recovery_kpi_comes_from_the_summary_with_the_filters_and_opens_its_claims(
    supervisor_client, branch, hotline_agent, walk_to, supervisor, claims_adjuster
):
    from claims import figures as claim_figures

    people = {"hotline_agent": hotline_agent, "walk_to": walk_to, "supervisor": supervisor,
              "claims_adjuster": claims_adjuster}  # fmt: skip
    counter = factories.PolicyFactory(branch=branch, start_date=add_months(THIS_MONTH, -2))
    app = factories.PolicyFactory(branch=branch, channel="app", start_date=add_months(THIS_MONTH, -2))
    by_counter = _recovered_claim(counter, amount="1234.56", reference="R-1", **people)
    by_app = _recovered_claim(app, amount="100", reference="R-2", **people)
    summaries_refresh(first=THIS_MONTH)

    def kpi(**params):
        response = supervisor_client.get(reverse("dashboard"), params)
        (panel,) = [p for _, p in response.context["panels"] if p["key"] == "claim-steps"]
        (found,) = [k for k in panel["kpis"] if k[3] == "recovered"]
        return found

    _, value, url, _ = kpi()
    live = claim_figures.recovered(start=THIS_MONTH, end=today(), branch_ids=[branch.pk])
    assert value == "¥1,334.56" and str(live) == "1334.56"
    assert sorted(re.findall(r'data-claim="([^"]+)"', supervisor_client.get(url).content.decode())) == sorted(
        [by_counter.number, by_app.number]
    )
    _, value, url, _ = kpi(channel="app")
    assert value == "¥100.00" and "sales_channel=app" in url
    assert re.findall(r'data-claim="([^"]+)"', supervisor_client.get(url).content.decode()) == [by_app.number]
    _, value, _, _ = kpi(
        start=f"{add_months(THIS_MONTH, -3):%Y-%m}", end=f"{add_months(THIS_MONTH, -1):%Y-%m}"
    )
    assert value == "¥0.00"


def test_when_head_office_compares_branches_the_sums_open_the_chosen_branches_only(
    client, head_office, month_book, branch, other_branch
):
    third = factories.BranchFactory(code="110100", name="北京朝阳营业部", province="北京", city="北京")
    elsewhere = _policy(third, end=MONTH + dt.timedelta(days=4))
    client.force_login(head_office)
    year_before = add_months(MONTH, -12)
    response = client.get(
        reverse("dashboard"),
        {"start": f"{year_before:%Y-%m}", "end": f"{MONTH:%Y-%m}", "branch": [branch.pk, other_branch.pk]},
    )
    point = point_of(chart_of(response, "channel-mix"), "柜面", year_before)
    assert f"branch={branch.pk}" in point["url"] and f"branch={other_branch.pk}" in point["url"]
    rows = listed(client.get(point["url"]))
    assert elsewhere.number not in rows and month_book["haikou"].number in rows
    assert len(rows) == point["value"] == 5  # 南京's on time, late, lapsed, taxi; 海口's


def test_an_sla_point_of_compared_branches_lists_the_tickets_of_both(
    client, head_office, sla_tickets, branch, other_branch
):
    client.force_login(head_office)
    response = client.get(reverse("dashboard"), {"branch": [branch.pk, other_branch.pk]})
    chart = chart_of(response, "ticket-sla")
    point = chart["series"][0]["data"][chart["x"].index("APP")]
    page = client.get(point["url"])
    numbers = set(re.findall(r"T\d{6,}", page.content.decode()))
    assert numbers == {sla_tickets[k].number for k in ("late", "overdue", "haikou")}
    (select,) = re.findall(r'<select[^>]*name="branch"[^>]*>', page.content.decode())
    assert "multiple" in select  # both branches shown as chosen


def test_the_claims_kpis_of_compared_branches_open_the_claims_of_both(
    client, head_office, branch, other_branch, hotline_agent
):
    from django.utils import timezone

    made = {}
    for br in (branch, other_branch, factories.BranchFactory(code="110100", name="北京朝阳营业部")):
        policy = factories.PolicyFactory(branch=br, start_date=add_months(THIS_MONTH, -2))
        claim = factories.make_claim(policy, by=hotline_agent, now=timezone.now() - dt.timedelta(days=8))
        claim.decision_due_at = timezone.now() - dt.timedelta(days=1)
        claim.save(update_fields=["decision_due_at"])
        made[br.code] = claim
    summaries_refresh(first=add_months(THIS_MONTH, -2))
    client.force_login(head_office)
    response = client.get(reverse("dashboard"), {"branch": [branch.pk, other_branch.pk]})
    (panel,) = [p for _, p in response.context["panels"] if p["key"] == "claim-steps"]
    (breached,) = [k for k in panel["kpis"] if k[3] == "decision-breached"]
    assert breached[1] == 2
    listing = client.get(breached[2]).content.decode()
    assert sorted(re.findall(r'data-claim="([^"]+)"', listing)) == sorted(
        [made["320100"].number, made["460100"].number]
    )
