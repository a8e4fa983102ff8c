"""View decorators shared by the apps' access modules."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied


def required(predicate: Callable[[object], bool]):
    """View decorator: 403 unless `predicate(request.user)` (signing in is the login
    middleware's business). The predicate is one of an access module's `can_…` functions."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
