"""Sign-in, the second factor, the keep-alive ping and the lockout page."""

from __future__ import annotations

from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from accounts import services
from accounts.access import two_factor_required
from accounts.forms import CodeForm, EnrolForm, LoginForm
from core import security_log as security

# Session key: the recovery codes just issued, shown once and then dropped.
FRESH_CODES_KEY = "jqx_fresh_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    """The page the person was on their way to (only one of ours), or their home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + "?" + urlencode({"next": next_url})


class LoginView(auth_views.LoginView):
    """The password step; accounts that need the second factor go on to it."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        user = self.request.user
        # Right after the password the user is a plain one: never verified yet.
        verified = getattr(user, "is_verified", lambda: False)()
        if two_factor_required(user, self.request.session) and not verified:
            return _with_next("two_factor", url)
        return url


def _lockout_minutes(request: HttpRequest) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds() // 60) if cool_off else 0


@login_not_required
def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The lockout page (AXES_LOCKOUT_CALLABLE): the login page with the reason, status 429.
    A half-finished sign-in (password given, code not yet) ends here too."""
    if request.user.is_authenticated:
        request.logout_reason = "lockout"
        logout(request)
    response = render(
        request,
        "registration/login.html",
        {
            "form": LoginForm(request),
            "locked_out": True,
            "lockout_minutes": _lockout_minutes(request),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "next": "",
        },
        status=429,
    )
    minutes = _lockout_minutes(request)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


def _count_failure(request: HttpRequest) -> None:
    """A wrong code counts towards the lockout like a wrong password (the lockout
    middleware then answers with the lockout page)."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": request.user.get_username(), "second_factor": True},
        request=request,
    )


def _is_locked(request: HttpRequest) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": request.user.get_username()})


def _already_through(request: HttpRequest) -> bool:
    return not two_factor_required(request.user, request.session) or request.user.is_verified()


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The code step of the sign-in: a 6-digit code from the authenticator app, or a
    recovery code."""
    next_url = _next_url(request)
    if _already_through(request):
        return redirect(next_url)
    if not services.is_enrolled(request.user):
        return redirect(_with_next("two_factor_enrol", next_url))
    if _is_locked(request):
        return locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.check_code(request.user, form.cleaned_data["code"])
        if check.device is not None:
            request.session.cycle_key()  # a new session id for the raised privilege
            otp_login(request, check.device)
            details = {"method": "recovery_code" if check.used_recovery_code else "authenticator"}
            if check.used_recovery_code:
                left = services.recovery_codes_left(request.user)
                details["recovery_codes_left"] = left
                messages.warning(
                    request,
                    f"您使用了一个恢复码，还剩 {left} 个。"
                    + ("请尽快找回手机；恢复码用完后需联系主管重置两步验证。" if left <= 3 else ""),
                )
            security.security_event(security.TWO_FACTOR_VERIFIED, request=request, details=details)
            return redirect(next_url)
        security.security_event(
            security.TWO_FACTOR_FAILED,
            request=request,
            outcome=security.FAILURE,
            details={"step": "verify", "paused": check.retry_after is not None},
        )
        if check.retry_after is not None:
            form.add_error("code", "验证码错误次数过多，请稍等片刻再试。")
        else:
            form.add_error("code", "验证码不正确或已使用过，请输入验证器上当前显示的 6 位数字。")
        _count_failure(request)
    return render(
        request,
        "accounts/two_factor.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of an account that needs the second factor: add the authenticator app
    (scan the QR code or type the secret), confirm it with a code, get the recovery codes."""
    next_url = _next_url(request)
    if _already_through(request):
        return redirect(next_url)
    if services.is_enrolled(request.user):
        return redirect(_with_next("two_factor", next_url))
    if _is_locked(request):
        return locked_out(request)
    device = services.pending_authenticator(request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check, codes = services.confirm_enrolment(request.user, device, form.cleaned_data["code"])
        if check.device is not None:
            request.session.cycle_key()  # a new session id for the raised privilege
            otp_login(request, check.device)
            security.security_event(
                security.TWO_FACTOR_ENROLLED, request=request, details={"device": device.pk}
            )
            security.security_event(
                security.RECOVERY_CODES_ISSUED, request=request, details={"count": len(codes)}
            )
            request.session[FRESH_CODES_KEY] = codes
            return redirect(_with_next("two_factor_recovery_codes", next_url))
        security.security_event(
            security.TWO_FACTOR_FAILED, request=request, outcome=security.FAILURE, details={"step": "enrol"}
        )
        form.add_error("code", "验证码不正确，请确认手机时间准确，并输入验证器上当前显示的 6 位数字。")
        _count_failure(request)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": services.qr_code_svg(device),
        "secret": services.secret_text(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "account": request.user.get_username(),
    }
    return render(request, "accounts/two_factor_enrol.html", context, status=400 if form.errors else 200)


@never_cache
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just issued, shown this once."""
    codes = request.session.pop(FRESH_CODES_KEY, None)
    next_url = _next_url(request)
    if not codes or not request.user.is_verified():
        return redirect(next_url)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": [services.format_recovery_code(c) for c in codes], "next": next_url},
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def keep_alive(request: HttpRequest) -> JsonResponse:
    """The idle-warning script's ping: POST (the person chose 继续使用) refreshes the session,
    GET only asks how long it has left. The session middleware does the work; a session that
    has ended answers 401."""
    if not request.user.is_authenticated:
        return JsonResponse({"expired": True, "login_url": reverse(settings.LOGIN_URL)}, status=401)
    timeout = request.session_timeout
    return JsonResponse({"expires_in": timeout["expires_in"], "absolute": timeout["absolute"]})
