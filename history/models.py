"""The history of every change to the records supervisors answer for, kept by PostgreSQL
triggers (django-pghistory), so a change made outside the portal — a script, psql — is caught
as surely as one made in admin or by a service.

Tracked: policies, the tariff and limit tables, province rules, approval authorities, API keys,
staff accounts, roles (groups) and who holds which role or permission. Each update is stored
twice, the row before and the row after (labels `before` and `after`), so every change reads as
old → new even for rows that existed before tracking began; tables other than policies also
record their rows' creation (`create`), and every table its deletions (`delete`). Policies skip
`create`: a policy's issue is its own record (issued_at, issued_by), and millions of issues
would double the table for nothing. Who and why come from the context: the signed-in user and
the address of an admin or desk request (pghistory's middleware), or the service's name and
reason (`history.context`).

The event models live in this app, so no other app's migrations change; the triggers are
installed after every `migrate` (settings PGTRIGGER_INSTALL_ON_MIGRATE), not by migrations.
Partitioned append-only tables (the access log, API usage, claim and ticket events) are not
tracked: they are histories themselves.
"""

from __future__ import annotations

import pghistory
from django.contrib.auth.models import Group
from django.db import models

from channels.models import ApiKey
from claims.models import ApprovalAuthority, LiabilityLimit
from policies.models import (
    BasePremiumRate,
    FloatingPlanRegion,
    FloatingRate,
    Policy,
    ProvinceRule,
    ShortTermRate,
    User,
    VehicleTaxRate,
)

CREATE, BEFORE, AFTER, DELETE = "create", "before", "after", "delete"
LABELS = {CREATE: "新增", BEFORE: "修改", AFTER: "修改", DELETE: "删除"}


def trackers(*, create: bool = True) -> list:
    found = [
        pghistory.UpdateEvent(BEFORE, row=pghistory.Old),
        pghistory.UpdateEvent(AFTER, row=pghistory.New),
        pghistory.DeleteEvent(DELETE),
    ]
    return [pghistory.InsertEvent(CREATE), *found] if create else found


def event_model(tracked, name: str, verbose: str, *, create: bool = True, exclude=None, obj: bool = True):
    return pghistory.create_event_model(
        tracked,
        *trackers(create=create),
        exclude=exclude,
        obj_field=pghistory.ObjForeignKey(related_name="+") if obj else None,
        model_name=name,
        app_label="history",
        abstract=False,
        meta={"verbose_name": f"{verbose}变更", "verbose_name_plural": f"{verbose}变更"},
    )


PolicyEvent = event_model(Policy, "PolicyEvent", "保单", create=False)
BasePremiumRateEvent = event_model(BasePremiumRate, "BasePremiumRateEvent", "基础保费")
FloatingPlanRegionEvent = event_model(FloatingPlanRegion, "FloatingPlanRegionEvent", "浮动方案地区")
FloatingRateEvent = event_model(FloatingRate, "FloatingRateEvent", "费率浮动")
ShortTermRateEvent = event_model(ShortTermRate, "ShortTermRateEvent", "短期费率")
VehicleTaxRateEvent = event_model(VehicleTaxRate, "VehicleTaxRateEvent", "车船税税额")
ProvinceRuleEvent = event_model(ProvinceRule, "ProvinceRuleEvent", "省级规则")
LiabilityLimitEvent = event_model(LiabilityLimit, "LiabilityLimitEvent", "责任限额")
ApprovalAuthorityEvent = event_model(ApprovalAuthority, "ApprovalAuthorityEvent", "核赔权限")
ApiKeyEvent = event_model(ApiKey, "ApiKeyEvent", "接口密钥")
# Sign-ins touch last_login: not a change anyone made to the account. The password hash is
# never copied; that it changed is not tracked here (the security log has password events).
UserEvent = event_model(User, "UserEvent", "员工账号", exclude=["password", "last_login"])
GroupEvent = event_model(Group, "GroupEvent", "岗位")
# Who holds which role or permission: rows of the many-to-many tables, added and removed.
UserGroupEvent = event_model(User.groups.through, "UserGroupEvent", "员工岗位", obj=False)
UserPermissionEvent = event_model(User.user_permissions.through, "UserPermissionEvent", "员工权限", obj=False)
GroupPermissionEvent = event_model(Group.permissions.through, "GroupPermissionEvent", "岗位权限", obj=False)

# The tracked model -> its event model, for the admin's history pages and the search.
EVENT_MODELS: dict[type[models.Model], type[models.Model]] = {
    Policy: PolicyEvent,
    BasePremiumRate: BasePremiumRateEvent,
    FloatingPlanRegion: FloatingPlanRegionEvent,
    FloatingRate: FloatingRateEvent,
    ShortTermRate: ShortTermRateEvent,
    VehicleTaxRate: VehicleTaxRateEvent,
    ProvinceRule: ProvinceRuleEvent,
    LiabilityLimit: LiabilityLimitEvent,
    ApprovalAuthority: ApprovalAuthorityEvent,
    ApiKey: ApiKeyEvent,
    User: UserEvent,
    Group: GroupEvent,
}
