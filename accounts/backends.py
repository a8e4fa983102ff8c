"""The lockout check in front of Django's password check."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check (first in AUTHENTICATION_BACKENDS; Django's ModelBackend
    then checks the password).

    Every sign-in over HTTP passes its request, and is checked. A call without one has no
    client to lock out — code that checks a password itself (a management command, the test
    client's `login()`) — and passes on to the password check, where axes would refuse it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
