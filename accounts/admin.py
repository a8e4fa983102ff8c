"""The admin site asks for the second factor: only a verified account is let in, and its
login page is the portal's (password, then code)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_otp.admin import OTPAdminSite

from accounts.access import two_factor_required


class PortalAdminSite(OTPAdminSite):
    """django-otp's admin site (has_permission needs a verified device) whose login page is
    the portal's own sign-in, so there is one way in with lockout and the second factor.

    jqx_portal/urls.py gives the default `admin.site` this class, so every app's
    `@admin.register` keeps working."""

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            if two_factor_required(request.user, request.session) and not request.user.is_verified():
                return redirect(reverse("two_factor") + "?" + urlencode({"next": request.get_full_path()}))
            raise PermissionDenied  # signed in (and verified where needed), but no admin account
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(reverse(settings.LOGIN_URL) + "?" + urlencode({"next": next_url}))
