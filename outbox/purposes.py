"""What each message is for (`OutboundMessage.purpose`), as people read it. The outbox has no
purpose of its own: each app that writes messages names its purposes here when it starts
(its AppConfig.ready), and lists, filters and exports show the label instead of the code."""

from __future__ import annotations

# Filled by the apps at start-up; the same dict object throughout, so a module may keep it.
LABELS: dict[str, str] = {}


def register(code: str, label: str) -> None:
    LABELS[code] = label


def label(code: str) -> str:
    """The purpose's label, or the code itself for a purpose no app named."""
    return LABELS.get(code, code)
