"""The demo's known second factor: the demo supervisor's authenticator secret is fixed, so
the README can print it (and `manage.py demo_totp_code` the current code). For the demo
only — a real account enrols its own device on first sign-in.

`seed` is a demo.seeding hook (add this module to SEED_HOOKS after the policies rows)."""

from __future__ import annotations

import base64
import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import two_factor_required
from accounts.services import AUTHENTICATOR_NAME

# Base32, as an authenticator app takes it (20 bytes, like a real device's secret).
DEMO_TOTP_SECRET = "JQXDEMOSUPERVISORTOTPSECRETKEYAA"
DEMO_DEVICE_NAME = f"{AUTHENTICATOR_NAME}（演示）"


def demo_key_hex() -> str:
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


@transaction.atomic
def enrol_demo_totp(user: AbstractBaseUser) -> str:
    """Give `user` a confirmed authenticator with the demo secret (replacing any other device
    and recovery codes) and return the secret."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=demo_key_hex(), confirmed=True)
    return DEMO_TOTP_SECRET


def demo_totp_code() -> str:
    """The demo secret's 6-digit code now."""
    return f"{totp(base64.b32decode(DEMO_TOTP_SECRET), step=30, t0=0, digits=6):06d}"


def demo_login_line() -> str:
    """What seed_demo prints for the demo logins that need the second factor."""
    return (
        f"两步验证（主管等可进管理后台的演示账号）：验证器 App 手动添加密钥 {DEMO_TOTP_SECRET}"
        "（基于时间，6 位），或运行 ./manage.py demo_totp_code 查看当前验证码（DEBUG=1）。"
    )


def seed(*, rng: random.Random, today: dt.date, stdout=None, scale: float = 1.0) -> int:
    """demo.seeding hook: every demo login that needs the second factor gets the demo
    secret (deterministic: no randomness used). Returns how many."""
    from policies.demo import demo_logins

    usernames = [login.username for login in demo_logins()]
    users = get_user_model().objects.filter(username__in=usernames).order_by("username")
    enrolled = [user for user in users if two_factor_required(user)]
    for user in enrolled:
        enrol_demo_totp(user)
    if stdout is not None and enrolled:
        stdout.write(demo_login_line())
    return len(enrolled)
