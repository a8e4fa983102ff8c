"""Checks the servers make before taking a request."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """A production server never starts without its secret (there is no default). Reading an
    empty SECRET_KEY already makes Django raise ImproperlyConfigured; this reads it at start."""
    if not settings.SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
