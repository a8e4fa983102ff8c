"""Sessions of staff pages: idle and absolute timeouts, the second factor, and a line in the
security log for every refusal (403)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.access import is_staff_page, two_factor_required
from core import security_log as security

# Session keys (Unix seconds).
LOGIN_AT_KEY = "jqx_login_at"
LAST_SEEN_KEY = "jqx_last_seen"
# Activity is recorded in the session at most this often: a page that only reads writes no
# session in between. The idle clock runs from the recorded time, so a session ends between
# SESSION_IDLE_SECONDS - REFRESH_EVERY_SECONDS and SESSION_IDLE_SECONDS after the last request,
# never later, and the page's countdown (X-Session-Expires-In) says exactly when. The
# keep-alive endpoint always records.
REFRESH_EVERY_SECONDS = 60
# Sent by the page's script with requests nobody asked for (htmx polling, status checks):
# they do not count as activity.
PASSIVE_HEADER = "HTTP_X_SESSION_PASSIVE"
EXPIRES_IN_HEADER = "X-Session-Expires-In"


def _now() -> int:
    return int(time.time())


def stamp_new_session(session) -> None:
    """At sign-in: the session starts now."""
    now = _now()
    session[LOGIN_AT_KEY] = now
    session[LAST_SEEN_KEY] = now


def _to_login(request, reason_text: str) -> HttpResponse:
    """Back to the login page (an htmx request is told to go there itself)."""
    login_url = reverse(settings.LOGIN_URL)
    if request.method == "GET" and not request.headers.get("HX-Request"):
        login_url += "?" + urlencode({"next": request.get_full_path()})
    if request.path == reverse("keep_alive"):
        return JsonResponse({"expired": True, "login_url": login_url, "message": reason_text}, status=401)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login_url
        return response
    return redirect(login_url)


class SessionTimeoutMiddleware:
    """Ends a staff session after SESSION_IDLE_SECONDS without activity, and any session
    SESSION_ABSOLUTE_SECONDS after sign-in, activity or not. Every staff page's response says
    how many seconds the session has left (X-Session-Expires-In, and `request.session_timeout`
    for the page's idle-warning script, static/js/session-timeout.js)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (request.user.is_authenticated and is_staff_page(request.path)):
            return self.get_response(request)
        session = request.session
        now = _now()
        login_at = session.setdefault(LOGIN_AT_KEY, now)
        last_seen = session.setdefault(LAST_SEEN_KEY, now)
        idle, absolute = settings.SESSION_IDLE_SECONDS, settings.SESSION_ABSOLUTE_SECONDS
        if now - login_at >= absolute:
            return self._expire(request, "absolute", f"登录已满 {absolute // 3600} 小时，请重新登录。")
        if now - last_seen >= idle:
            quiet = f"{idle // 60} 分钟" if idle >= 60 else f"{idle} 秒"
            return self._expire(
                request, "idle", f"您已 {quiet}未操作，为保护客户信息已自动退出，请重新登录。"
            )
        keep_alive = request.path == reverse("keep_alive") and request.method == "POST"
        passive = bool(request.META.get(PASSIVE_HEADER)) or (
            request.path == reverse("keep_alive") and request.method != "POST"
        )
        if keep_alive or (not passive and now - last_seen >= min(REFRESH_EVERY_SECONDS, idle // 10)):
            session[LAST_SEEN_KEY] = last_seen = now
        request.session_timeout = {
            "expires_in": min(last_seen + idle, login_at + absolute) - now,
            "absolute": login_at + absolute <= last_seen + idle,
            "warn": settings.SESSION_IDLE_WARNING_SECONDS,
        }
        response = self.get_response(request)
        response[EXPIRES_IN_HEADER] = str(request.session_timeout["expires_in"])
        return response

    @staticmethod
    def _expire(request, reason: str, text: str) -> HttpResponse:
        security.security_event(
            security.SESSION_EXPIRED, request=request, outcome=security.DENIED, details={"reason": reason}
        )
        request.logout_reason = f"timeout_{reason}"
        logout(request)
        messages.warning(request, text)
        return _to_login(request, text)


class TwoFactorMiddleware:
    """Until an account that needs the second factor has verified a code, it reaches nothing
    but the two-factor pages, the keep-alive ping and logout."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def open_paths(self) -> frozenset[str]:
        if self._open_paths is None:
            self._open_paths = frozenset(
                reverse(name)
                for name in (
                    "two_factor",
                    "two_factor_enrol",
                    "two_factor_recovery_codes",
                    "logout",
                    "login",
                    "keep_alive",
                )
            )
        return self._open_paths

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and is_staff_page(request.path)
            and request.path not in self.open_paths()
            and two_factor_required(user, request.session)
            and not user.is_verified()
        ):
            target = reverse("two_factor") + "?" + urlencode({"next": request.get_full_path()})
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)


class SecurityLogMiddleware:
    """A `permission_denied` line in the security log for every 403 a request gets."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            security.security_event(
                security.PERMISSION_DENIED,
                request=request,
                outcome=security.DENIED,
                details={"view": getattr(request.resolver_match, "view_name", None)},
            )
        return response
