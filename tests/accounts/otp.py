"""Two-factor helpers for tests: real devices, real codes, verified through the real page."""

from __future__ import annotations

import base64

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The 6-digit code `device` shows now (or `steps_ahead` 30-second steps later)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + steps_ahead):06d}"


def code_for_secret(secret: str) -> str:
    """The code an authenticator app shows now for a base32 secret as the enrolment page prints it."""
    raw = secret.replace(" ", "")
    return f"{totp(base64.b32decode(raw + '=' * (-len(raw) % 8))):06d}"


def verify_second_factor(client, user) -> TOTPDevice:
    """Give `user` a confirmed authenticator and pass the two-factor page with the code it
    shows, as the person would after their password (the client is signed in already)."""
    device = TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
    response = client.post(reverse("two_factor"), {"code": code_for(device)})
    assert response.status_code == 302, response.content.decode()[:500]
    return device
