"""Two-factor sign-in: enrolling an authenticator app (TOTP), checking its codes and the
one-time recovery codes (django-otp's `otp_totp` and `otp_static` devices)."""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass

import segno
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR_NAME = "手机验证器"
RECOVERY_NAME = "恢复码"
RECOVERY_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"\d{6}")
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


@dataclass(frozen=True)
class Check:
    """What a code proved: the device that accepted it (None: refused) and, when the device
    refused to check at all after repeated failures, until when."""

    device: Device | None
    retry_after: dt.datetime | None = None

    @property
    def used_recovery_code(self) -> bool:
        return isinstance(self.device, StaticDevice)


def is_enrolled(user: AbstractBaseUser) -> bool:
    """Whether `user` has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator `user` is enrolling: one unconfirmed device whose secret stays the
    same until it is confirmed (a reload of the page shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The device's secret as an authenticator app takes it typed: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no script, no data URI)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=2, dark="#111", title="扫码添加验证器"
    )


def normalise_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw or "").lower()


def _first_accepting(devices, code: str) -> Check:
    retry_after = None
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            retry_after = (data or {}).get("locked_until")
            continue
        if device.verify_token(code):
            return Check(device)
    return Check(None, retry_after)


def confirm_enrolment(user: AbstractBaseUser, device: TOTPDevice, raw_code: str) -> tuple[Check, list[str]]:
    """Confirm `device` with a code it shows; on success, issue fresh recovery codes (shown
    once, stored only until used) and return them."""
    code = normalise_code(raw_code)
    if not _TOTP_CODE.fullmatch(code):
        return Check(None), []
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False)
        check = _first_accepting(locked, code)
        if check.device is None:
            return check, []
        check.device.confirmed = True
        check.device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return check, issue_recovery_codes(user)


@transaction.atomic
def issue_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace `user`'s recovery codes with RECOVERY_CODE_COUNT new ones (each works once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def check_code(user: AbstractBaseUser, raw_code: str) -> Check:
    """Check a 6-digit code from the authenticator app, or a recovery code (used up when it
    works). Each device counts its failures and pauses after repeated ones."""
    code = normalise_code(raw_code)
    if _TOTP_CODE.fullmatch(code):
        model = TOTPDevice
    elif _RECOVERY_CODE.fullmatch(code):
        model = StaticDevice
    else:
        return Check(None)
    with transaction.atomic():
        devices = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
        return _first_accepting(devices, code)


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def format_recovery_code(code: str) -> str:
    """`abcdefgh` → `abcd-efgh` (typed with or without the hyphen)."""
    return f"{code[:4]}-{code[4:]}"
