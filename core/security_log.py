"""The security log: one JSON object per line for every sign-in, lockout, refusal, reveal of
personal data, export, API-key event and two-factor step.

`security_event(...)` writes through the `jqx.security` logger; settings.LOGGING sends it to
SECURITY_LOG_PATH (var/log/security.jsonl), rotated at Beijing midnight and kept
SECURITY_LOG_RETENTION_DAYS days, and to stdout too where SECURITY_LOG_STDOUT is set.

A line carries when (ISO-8601, Beijing time), what (`event`, `outcome`), who (`user`,
`user_id`), from where (`client_ip`, `path`) and `details`. It never carries an ID number or a
phone number: pass ids of rows, never personal data — and values that look like either are
blanked all the same.

This module imports nothing of the project but `core`, so every app may call it. The client
address is the one the lockout uses (settings.AXES_CLIENT_IP_CALLABLE).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from logging.handlers import TimedRotatingFileHandler
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core.clock import local

LOGGER_NAME = "jqx.security"
logger = logging.getLogger(LOGGER_NAME)

# Events (the `event` field).
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOCKOUT = "lockout"
LOGOUT = "logout"
SESSION_EXPIRED = "session_expired"
PERMISSION_DENIED = "permission_denied"
PERSONAL_DATA_VIEWED = "personal_data_viewed"
EXPORT = "export"
API_KEY_USED = "api_key_used"
API_KEY_REVOKED = "api_key_revoked"
TWO_FACTOR_ENROLLED = "two_factor_enrolled"
TWO_FACTOR_VERIFIED = "two_factor_verified"
TWO_FACTOR_FAILED = "two_factor_failed"
RECOVERY_CODES_ISSUED = "recovery_codes_issued"

# Outcomes (the `outcome` field).
SUCCESS = "success"
FAILURE = "failure"
DENIED = "denied"

REDACTED = "[已隐去]"
# Keys whose values never reach the log, whatever they hold.
_SECRET_KEYS = frozenset(
    {"id_number", "phone", "mobile", "password", "token", "otp", "secret", "raw_key", "recovery_code"}
)
# Resident ID numbers (18 digits, the last may be X; or the old 15) and mainland mobile numbers.
_PERSONAL = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|\+?(?:86)?1[3-9]\d{9})(?![0-9A-Za-z])")


def scrub(value: Any) -> Any:
    """`value` with every ID-number- or phone-like string blanked (recursively)."""
    if isinstance(value, str):
        return _PERSONAL.sub(REDACTED, value)
    if isinstance(value, dict):
        return {str(k): REDACTED if str(k).lower() in _SECRET_KEYS else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(str(value))


def client_address(request) -> str | None:
    """The client's address as the lockout counts it (behind TRUSTED_PROXY_COUNT proxies)."""
    if request is None:
        return None
    return import_string(settings.AXES_CLIENT_IP_CALLABLE)(request)


def security_event(
    event: str,
    *,
    request=None,
    user=None,
    username: str | None = None,
    outcome: str = SUCCESS,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write one line to the security log and return it.

    `user` defaults to the request's signed-in user; `username` names an account that is not
    signed in (a failed sign-in). `details` holds ids and counts, never personal data.
    """
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if user is not None and getattr(user, "is_authenticated", False):
        username, user_id = user.get_username(), user.pk
    else:
        user_id = None
    entry = {
        "time": local(timezone.now()).isoformat(timespec="milliseconds"),
        "event": event,
        "outcome": outcome,
        "user": username,
        "user_id": user_id,
        "client_ip": client_address(request),
        "method": request.method if request is not None else None,
        "path": request.path if request is not None else None,
        "details": details or {},
    }
    entry = scrub(entry)
    logger.info("%s %s", event, outcome, extra={"security": entry})
    return entry


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record; records not made by `security_event` are wrapped as
    `{"event": "message", ...}` (scrubbed all the same)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = getattr(record, "security", None)
        if entry is None:
            entry = scrub(
                {
                    "time": local(timezone.now()).isoformat(timespec="milliseconds"),
                    "event": "message",
                    "outcome": record.levelname.lower(),
                    "user": None,
                    "user_id": None,
                    "client_ip": None,
                    "details": {"logger": record.name, "message": record.getMessage()},
                }
            )
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str)


class SecurityLogHandler(TimedRotatingFileHandler):
    """A TimedRotatingFileHandler (rotated at midnight, `backupCount` days kept) that several
    server processes may share: the first process past midnight moves the day's file aside
    (a hard link, which fails if another did it first, so no day is ever overwritten); the
    others find it moved and reopen the new file."""

    def __init__(self, filename, retention_days: int = 180, **kwargs):
        os.makedirs(os.path.dirname(os.path.abspath(filename)), exist_ok=True)
        kwargs.setdefault("when", "midnight")
        kwargs.setdefault("encoding", "utf-8")
        kwargs.setdefault("delay", True)
        super().__init__(filename, backupCount=retention_days, **kwargs)

    def _moved(self) -> bool:
        if self.stream is None:
            return False
        try:
            on_disk = os.stat(self.baseFilename)
        except FileNotFoundError:
            return True
        mine = os.fstat(self.stream.fileno())
        return (on_disk.st_dev, on_disk.st_ino) != (mine.st_dev, mine.st_ino)

    def emit(self, record: logging.LogRecord) -> None:
        if self._moved():
            self.stream.close()
            self.stream = None  # reopened by the next write
        super().emit(record)

    def doRollover(self) -> None:
        if self.stream:
            self.stream.close()
            self.stream = None
        now = int(time.time())
        ended = time.localtime(self.rolloverAt - self.interval)
        target = self.rotation_filename(f"{self.baseFilename}.{time.strftime(self.suffix, ended)}")
        try:
            os.link(self.baseFilename, target)
        except (FileExistsError, FileNotFoundError):
            pass  # another process moved it aside already (or nothing was written that day)
        else:
            os.unlink(self.baseFilename)
        for old in self.getFilesToDelete():
            with contextlib.suppress(FileNotFoundError):
                os.remove(old)
        new_rollover = self.computeRollover(now)
        while new_rollover <= now:
            new_rollover += self.interval
        self.rolloverAt = new_rollover
