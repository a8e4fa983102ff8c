"""Sign-in events: the session's clock starts, and each event gets its security-log line."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.access import TWO_FACTOR_REQUIRED_KEY, two_factor_required
from accounts.middleware import stamp_new_session
from core import security_log as security


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
