"""Sign-in events: the session's clock starts, and each event gets its security-log line; changes
to a user's groups or permissions drop their cached permissions (accounts.backends)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.dispatch import receiver

from accounts.access import TWO_FACTOR_REQUIRED_KEY, two_factor_required
from accounts.backends import forget_authz
from accounts.middleware import stamp_new_session
from core import security_log as security
from policies.models import User


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    stamp_new_session(request.session)
    request.session[TWO_FACTOR_REQUIRED_KEY] = two_factor_required(user)
    security.security_event(security.LOGIN, request=request, user=user, details={"step": "password"})


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    if credentials.get("second_factor"):
        return  # the two-factor view writes its own line
    security.security_event(
        security.LOGIN_FAILED,
        request=request,
        username=credentials.get(settings.AXES_USERNAME_FORM_FIELD) or credentials.get("username"),
        outcome=security.FAILURE,
        details={"locked_out": bool(getattr(request, "axes_locked_out", False))},
    )


@receiver(user_logged_out, dispatch_uid="accounts.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    security.security_event(
        security.LOGOUT,
        request=request,
        user=user,
        details={"reason": getattr(request, "logout_reason", "user")},
    )


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    security.security_event(
        security.LOCKOUT,
        request=request,
        username=username,
        outcome=security.DENIED,
        details={
            "failures": getattr(request, "axes_failures_since_start", None),
            "limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": settings.AXES_COOLOFF_MINUTES,
        },
    )


# --- The cached permissions and roles (accounts.backends.StaffBackend) --------------------------


def _members(group_ids) -> list[int]:
    return list(User.groups.through.objects.filter(group_id__in=group_ids).values_list("user_id", flat=True))


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.groups_changed")
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A user joined or left a group (from either side)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        forget_authz([instance.pk])
    elif action == "pre_clear":
        forget_authz(_members([instance.pk]))
    else:
        forget_authz(pk_set or ())


@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="accounts.user_perms_changed")
def user_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        forget_authz([instance.pk])
    elif action == "pre_clear":
        forget_authz(instance.user_set.values_list("pk", flat=True))
    else:
        forget_authz(pk_set or ())


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="accounts.group_perms_changed")
def group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A group gained or lost permissions: every member's entry goes."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        forget_authz(_members([instance.pk]))
    elif action == "pre_clear":
        forget_authz(_members(instance.group_set.values_list("pk", flat=True)))
    else:
        forget_authz(_members(pk_set or ()))


@receiver(post_save, sender=Group, dispatch_uid="accounts.group_saved")
@receiver(pre_delete, sender=Group, dispatch_uid="accounts.group_deleted")
def group_saved_or_deleted(sender, instance, **kwargs):
    """A renamed group may be another role; a deleted one takes its permissions along."""
    if instance.pk:
        forget_authz(_members([instance.pk]))


@receiver(pre_delete, sender=Permission, dispatch_uid="accounts.permission_deleted")
def permission_deleted(sender, instance, **kwargs):
    forget_authz(
        [
            *instance.user_set.values_list("pk", flat=True),
            *_members(instance.group_set.values_list("pk", flat=True)),
        ]
    )


@receiver(post_save, sender=User, dispatch_uid="accounts.user_saved")
def user_saved(sender, instance, created, update_fields=None, **kwargs):
    """Any change to the user (superuser or active flags included) reads their entry again —
    except the sign-in's own `last_login` stamp."""
    if not created and update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    forget_authz([instance.pk])
