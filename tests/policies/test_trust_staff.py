"""Staff accounts in admin: superuser status, the staff flag, raw permissions and groups are for
superusers alone; a supervisor manages their own branch's clerks, agents and adjusters through
the roles — whatever form is posted."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from policies import access, services
from policies.models import User
from policies.roles import CLAIMS_ADJUSTER, COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR, role_of
from tests.accounts.otp import verify_second_factor
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_url(user):
    return reverse("admin:policies_user_change", args=[user.pk])


def change_data(user, **overrides):
    return {
        "last_name": user.last_name, "first_name": user.first_name, "email": "", "is_active": "on",
        "role": role_of(user) or "", "branch": user.branch_id, **overrides,
    }  # fmt: skip


def test_the_supervisor_form_offers_the_roles_and_their_branch_only(supervisor_client, counter_clerk, branch):
    BranchFactory(code="999999", name="远方营业部")
    page = supervisor_client.get(change_url(counter_clerk)).content.decode()
    assert 'name="role"' in page and "岗位" in page and "主管只能由超级管理员任命" not in page
    for role in (COUNTER_CLERK, HOTLINE_AGENT, CLAIMS_ADJUSTER):
        assert f'value="{role}"' in page
    assert f'value="{SUPERVISOR}"' not in page
    assert "远方营业部" not in page and branch.name in page
    for field in ("is_superuser", "is_staff", "user_permissions", "groups"):
        assert f'name="{field}"' not in page
    assert "只能由超级管理员设置" in page  # the help text says who appoints supervisors


def test_hostile_fields_posted_by_a_supervisor_change_nothing_but_the_role(
    supervisor_client, counter_clerk, branch
):
    permission = Permission.objects.get(codename="change_user")
    supervisors = Group.objects.get(name=SUPERVISOR)
    data = change_data(
        counter_clerk, role=HOTLINE_AGENT, is_superuser="on", is_staff="on",
        user_permissions=[permission.pk], groups=[supervisors.pk], password="pbkdf2_sha256$1$x$y",
    )  # fmt: skip
    password = counter_clerk.password
    response = supervisor_client.post(change_url(counter_clerk), data)
    assert response.status_code == 302
    clerk = User.objects.get(pk=counter_clerk.pk)
    assert not clerk.is_superuser and not clerk.is_staff and clerk.password == password
    assert not clerk.user_permissions.exists()
    assert list(clerk.groups.values_list("name", flat=True)) == [HOTLINE_AGENT]


@pytest.mark.parametrize("hostile", ["supervisor_role", "other_branch"])
def test_a_supervisor_cannot_appoint_a_supervisor_nor_move_staff_out_of_their_branch(
    supervisor_client, counter_clerk, other_branch, hostile
):
    data = change_data(counter_clerk)
    if hostile == "supervisor_role":
        data["role"] = SUPERVISOR
    else:
        data["branch"] = other_branch.pk
    response = supervisor_client.post(change_url(counter_clerk), data)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    clerk = User.objects.get(pk=counter_clerk.pk)
    assert clerk.branch_id == counter_clerk.branch_id and role_of(clerk) == COUNTER_CLERK


def test_superusers_supervisors_and_other_branches_are_out_of_a_supervisors_reach(
    supervisor_client, supervisor, other_branch_clerk, branch
):
    root = UserFactory(username="root", branch=branch, is_superuser=True, is_staff=True)
    peer = UserFactory(username="boss2", branch=branch, role=SUPERVISOR)
    listed = supervisor_client.get(reverse("admin:policies_user_changelist")).content.decode()
    for target in (root, peer, other_branch_clerk, supervisor):
        assert change_url(target) not in listed
        response = supervisor_client.post(change_url(target), change_data(target, is_superuser="on"))
        assert response.status_code == 302 and response["Location"] == reverse("admin:index")
        password_page = reverse("admin:auth_user_password_change", args=[target.pk])
        assert supervisor_client.get(password_page).status_code in (302, 404)
    root.refresh_from_db(), peer.refresh_from_db(), other_branch_clerk.refresh_from_db()
    assert role_of(other_branch_clerk) == COUNTER_CLERK and peer.is_staff and root.is_superuser


def test_a_supervisor_adds_a_clerk_of_their_branch_but_not_a_supervisor(
    supervisor_client, branch, other_branch
):
    add = reverse("admin:policies_user_add")
    page = supervisor_client.get(add).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    new = {
        "username": "newclerk", "password1": "Jqx-portal-2026!", "password2": "Jqx-portal-2026!",
        "usable_password": "true", "role": COUNTER_CLERK, "branch": branch.pk, "last_name": "李",
        "first_name": "新", "is_superuser": "on", "is_staff": "on",
        "groups": [Group.objects.get(name=SUPERVISOR).pk],
    }  # fmt: skip
    assert supervisor_client.post(add, new).status_code == 302
    created = User.objects.get(username="newclerk")
    assert (created.branch, role_of(created), created.is_superuser, created.is_staff) == (
        branch,
        COUNTER_CLERK,
        False,
        False,
    )
    assert created.check_password("Jqx-portal-2026!")
    for name, hostile in (("boss3", {"role": SUPERVISOR}), ("farclerk", {"branch": other_branch.pk})):
        response = supervisor_client.post(add, {**new, "username": name, **hostile})
        assert response.status_code == 200
        assert not User.objects.filter(username=name).exists()


def test_a_head_office_supervisor_manages_every_branch(client, branch, other_branch, other_branch_clerk):
    head = UserFactory(username="hq", branch=None, role=SUPERVISOR)
    client.force_login(head)
    verify_second_factor(client, head)
    data = change_data(other_branch_clerk, branch=branch.pk)
    assert client.post(change_url(other_branch_clerk), data).status_code == 302
    assert User.objects.get(pk=other_branch_clerk.pk).branch == branch
    assert set(access.staff_for_user(head)) >= {other_branch_clerk}


def test_a_superuser_appoints_a_supervisor(client, counter_clerk, branch):
    root = UserFactory(username="root", branch=None, is_superuser=True, is_staff=True)
    client.force_login(root)
    verify_second_factor(client, root)
    page = client.get(change_url(counter_clerk)).content.decode()
    assert 'name="is_superuser"' in page
    services.staff_account_save(by=root, user=counter_clerk, role=SUPERVISOR, branch=branch)
    counter_clerk.refresh_from_db()
    assert role_of(User.objects.get(pk=counter_clerk.pk)) == SUPERVISOR and counter_clerk.is_staff


def test_the_service_refuses_whatever_form_called_it(supervisor, counter_clerk, other_branch, hotline_agent):
    root = UserFactory(username="root", is_superuser=True, is_staff=True, branch=supervisor.branch)
    refusals = [
        dict(user=root, role=COUNTER_CLERK, branch=supervisor.branch),
        dict(user=counter_clerk, role=SUPERVISOR, branch=supervisor.branch),
        dict(user=counter_clerk, role=COUNTER_CLERK, branch=other_branch),
        dict(user=counter_clerk, role="超级管理员", branch=supervisor.branch),
    ]
    for kwargs in refusals:
        with pytest.raises(ValidationError):
            services.staff_account_save(by=supervisor, **kwargs)
    with pytest.raises(ValidationError):  # a clerk manages nobody
        services.staff_account_save(by=hotline_agent, user=counter_clerk, role=HOTLINE_AGENT, branch=None)
    counter_clerk.refresh_from_db()
    assert role_of(User.objects.get(pk=counter_clerk.pk)) == COUNTER_CLERK and root.is_superuser
    assert not access.can_manage_staff(supervisor, root) and access.can_manage_staff(
        supervisor, counter_clerk
    )
