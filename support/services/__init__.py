"""Rules that write the support app's data. Each is one transaction and raises
`ValidationError` with a message an agent can read."""

from .sla_checks import SlaCheckResult, sla_check, tickets_close_resolved
from .surveys import survey_answer, survey_send
from .tickets import (
    queue_for,
    ticket_add_note,
    ticket_assign,
    ticket_create,
    ticket_customer_reply,
    ticket_log_call,
    ticket_merge,
    ticket_reclassify,
    ticket_reply,
    ticket_transition,
)

__all__ = [
    "SlaCheckResult",
    "queue_for",
    "sla_check",
    "survey_answer",
    "survey_send",
    "ticket_add_note",
    "ticket_assign",
    "ticket_create",
    "ticket_customer_reply",
    "ticket_log_call",
    "ticket_merge",
    "ticket_reclassify",
    "ticket_reply",
    "ticket_transition",
    "tickets_close_resolved",
]
