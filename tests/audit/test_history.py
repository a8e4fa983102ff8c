"""The history of every change (history/, PostgreSQL triggers): tariffs, policies, staff and
their roles; changes made outside the ORM are caught; policies' money and dates change only
through `policy_correct`, with a reason, never in admin."""

import datetime as dt
from decimal import Decimal

import pghistory
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.clock import today
from history.models import BasePremiumRateEvent, PolicyEvent, UserGroupEvent
from history.timeline import Query, object_history, search
from policies.models import BasePremiumRate, Policy
from policies.roles import HOTLINE_AGENT
from policies.services import policy_correct
from tests.factories import PolicyFactory, UserFactory, policy_ending

pytestmark = pytest.mark.django_db


@pytest.fixture
def rate():
    return BasePremiumRate.objects.get(category="FAMILY_LT6", valid_to__isnull=True)


def test_a_tariff_change_is_recorded_before_and_after_with_who_and_where(rate, supervisor):
    with pghistory.context(user=supervisor.pk, url="/admin/policies/basepremiumrate/1/change/"):
        rate.amount = Decimal("960.00")
        rate.save()
    (change,) = [c for c in object_history(rate) if c.label == "after"]
    assert ("基础保费（元）", "950.00", "960.00") in change.fields
    assert change.user.startswith(supervisor.username)
    assert change.via == "/admin/policies/basepremiumrate/1/change/"


def test_a_change_made_with_raw_sql_is_caught(rate):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE policies_basepremiumrate SET amount = 999 WHERE id = %s", [rate.pk])
    labels = BasePremiumRateEvent.objects.filter(pgh_obj_id=rate.pk).values_list("pgh_label", flat=True)
    assert sorted(labels) == ["after", "before"]
    (change,) = object_history(rate)
    assert change.fields == [("基础保费（元）", "950.00", "999.00")]
    assert change.user == "—" and change.via.startswith("门户之外")


def test_saving_a_row_unchanged_records_nothing(rate):
    rate.save()
    assert not BasePremiumRateEvent.objects.filter(pgh_obj_id=rate.pk).exists()


def test_the_partitioned_logs_are_not_tracked():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'policies_personaccesslog'::regclass "
            "AND tgname LIKE 'pgtrigger_%%'"
        )
        assert cursor.fetchone()[0] == 0


def test_giving_a_role_is_in_the_staff_accounts_history(branch):
    clerk = UserFactory(branch=branch)
    clerk.groups.add(Group.objects.get(name=HOTLINE_AGENT))
    assert UserGroupEvent.objects.filter(user_id=clerk.pk, pgh_label="create").count() == 1
    changes = object_history(clerk)
    assert any(c.model == "员工岗位变更" and c.label == "create" for c in changes)


def test_a_permission_given_to_a_role_is_in_the_roles_history():
    role = Group.objects.get(name=HOTLINE_AGENT)
    role.permissions.add(Permission.objects.get(codename="delete_basepremiumrate"))
    changes = object_history(role)
    assert [(c.model, c.label) for c in changes] == [("岗位权限变更", "create")]


# --- policy_correct -------------------------------------------------------------------------


@pytest.fixture
def policy(branch):
    return policy_ending(today() + dt.timedelta(days=100), branch=branch)


def test_a_supervisor_corrects_a_premium_with_a_reason(policy, supervisor):
    changed = policy_correct(
        policy=policy, by=supervisor, reason="出单时保费录入错误", premium=Decimal("665.00")
    )
    policy.refresh_from_db()
    assert changed == ["交强险保费"]
    assert policy.premium == Decimal("665.00") and policy.total == policy.premium + policy.vehicle_tax
    (change,) = object_history(policy)
    assert change.via == "保单更正：出单时保费录入错误"
    assert change.user.startswith(supervisor.username)
    assert [f[0] for f in change.fields] == ["交强险保费", "合计"]


def test_a_correction_needs_a_reason_and_the_permission(policy, supervisor, counter_clerk):
    with pytest.raises(ValidationError, match="更正原因"):
        policy_correct(policy=policy, by=supervisor, reason=" ", premium=Decimal("1"))
    with pytest.raises(ValidationError, match="权限"):
        policy_correct(policy=policy, by=counter_clerk, reason="录入错误更正", premium=Decimal("1"))
    assert not PolicyEvent.objects.exists()


def test_a_correction_is_idempotent(policy, supervisor):
    for _ in range(2):
        policy_correct(policy=policy, by=supervisor, reason="出单时保费录入错误", premium=Decimal("700.00"))
    assert PolicyEvent.objects.filter(pgh_label="after").count() == 1


def test_corrected_dates_may_not_overlap_another_cover(policy, supervisor):
    successor = PolicyFactory(
        vehicle=policy.vehicle, branch=policy.branch, start_date=policy.end_date + dt.timedelta(days=1),
        end_date=policy.end_date + dt.timedelta(days=365),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="不能重叠"):
        policy_correct(
            policy=policy,
            by=supervisor,
            reason="保险止期录入错误",
            end_date=successor.start_date + dt.timedelta(days=3),
        )


def test_admin_cannot_edit_a_policys_money_or_dates(supervisor_client, policy):
    page = supervisor_client.get(reverse("admin:policies_policy_change", args=[policy.pk])).content.decode()
    assert 'name="premium"' not in page and 'name="end_date"' not in page and 'name="status"' not in page
    assert "更正保费、车船税或保险期间" in page


def test_the_correction_page_corrects_and_shows_in_the_history_page(supervisor_client, policy):
    url = reverse("admin:policies_policy_correct", args=[policy.pk])
    data = {
        "premium": "700.00", "vehicle_tax": str(policy.vehicle_tax), "start_date": policy.start_date,
        "end_date": policy.end_date, "reason": "",
    }  # fmt: skip
    refused = supervisor_client.post(url, data)
    assert (
        refused.status_code == 200
        and "此字段是必填项" in refused.content.decode()
        or "必填" in refused.content.decode()
    )
    response = supervisor_client.post(url, {**data, "reason": "出单时保费录入错误"})
    assert response.status_code == 302
    assert Policy.objects.get(pk=policy.pk).premium == Decimal("700.00")
    history = supervisor_client.get(
        reverse("admin:policies_policy_history", args=[policy.pk])
    ).content.decode()
    assert "出单时保费录入错误" in history and "700.00" in history


def test_a_clerk_cannot_open_the_correction_page(client, policy, branch):
    clerk = UserFactory(branch=branch, is_staff=True)
    client.force_login(clerk)
    response = client.get(reverse("admin:policies_policy_correct", args=[policy.pk]))
    assert response.status_code in (302, 403, 404)


# --- Search --------------------------------------------------------------------------------


def test_the_history_is_searched_by_person_and_record_type(
    rate, supervisor, policy, django_assert_max_num_queries
):
    other = UserFactory(branch=supervisor.branch)
    with pghistory.context(user=supervisor.pk):
        rate.amount = Decimal("955.00")
        rate.save()
    with pghistory.context(user=other.pk):
        rate.amount = Decimal("957.00")
        rate.save()
    policy_correct(policy=policy, by=supervisor, reason="出单时保费录入错误", premium=Decimal("701.00"))

    mine = search(Query(user=supervisor))
    assert {c.model for c in mine} == {"基础保费", "保单"}
    assert [c.fields[0][2] for c in search(Query(model=BasePremiumRate))] == ["957.00", "955.00"]
    with django_assert_max_num_queries(20):
        search(Query(since=today(), until=today()))


def test_the_search_page_answers_supervisors_only(supervisor_client, client, counter_clerk):
    page = supervisor_client.get(
        reverse("history_search"), {"model": "policies.basepremiumrate", "object_id": "x"}
    )
    assert page.status_code == 200 and "记录编号应为数字" in page.content.decode()
    client.force_login(counter_clerk)
    assert client.get(reverse("history_search")).status_code in (302, 403)


def test_the_search_by_person_reads_the_contexts_through_their_user_index(supervisor, policy):
    """Without the index (history 0003) the planner reads every change context."""
    from django.test.utils import CaptureQueriesContext

    from tests.sql import statement

    for n in range(300):  # changes by others, so the person's are a few among many
        with pghistory.context(user=10_000 + n):
            Policy.objects.filter(pk=policy.pk).update(at_fault_claims=n % 3)
    with pghistory.context(user=supervisor.pk):
        policy_correct(policy=policy, by=supervisor, reason="出单时保费录入错误", premium=Decimal("650.00"))
    with CaptureQueriesContext(connection) as captured:
        assert search(Query(user=supervisor, model=Policy))
    [sql] = [statement(q["sql"]) for q in captured.captured_queries if "history_policyevent" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pghistory_context")
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "history_context_user_idx" in plan, plan


def test_a_desk_post_that_changes_a_policy_records_who_and_which_page(supervisor_client, policy):
    url = reverse("admin:policies_policy_correct", args=[policy.pk])
    data = {
        "premium": "701.00", "vehicle_tax": str(policy.vehicle_tax), "start_date": policy.start_date,
        "end_date": policy.end_date, "reason": "出单时保费录入错误",
    }  # fmt: skip
    assert supervisor_client.post(url, data).status_code == 302
    after = PolicyEvent.objects.filter(pgh_obj=policy, pgh_label="after").select_related("pgh_context").get()
    assert after.pgh_context.metadata["url"] == url


def test_a_posted_search_carries_no_history_context(agent_client, policy):
    """A search writes no tracked table: none of its statements is sent behind the context."""
    with CaptureQueriesContext(connection) as queries:
        assert agent_client.post(reverse("hotline:home"), {"q": policy.policyholder.name}).status_code == 200
    writes = [q["sql"] for q in queries if not q["sql"].startswith("SELECT")]
    assert writes and not [sql for sql in queries if "pghistory.context_id" in sql["sql"]]
